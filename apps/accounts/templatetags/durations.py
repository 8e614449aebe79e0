from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(duration: timedelta | None) -> int:
    """A duration in whole minutes, rounded up ("try again in 15 minutes")."""
    if duration is None:
        return 0
    return -int(-duration.total_seconds() // 60)
