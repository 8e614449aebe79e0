"""Who is in a project, in which role: owners add, change and remove members.

The one rule: a project always keeps an owner, so the last owner can neither leave nor be
demoted (their project would be a 404 for everyone)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.projects.models import Membership, Project, Role


def find_user(identifier: str) -> User:
    """The user with this username, or this email address (when only one has it)."""
    identifier = identifier.strip()
    if not identifier:
        raise ValidationError("Give a username or an email address.", code="empty")
    found = list(
        User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2]
    )
    exact = [user for user in found if user.username.lower() == identifier.lower()]
    if exact:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if found:
        raise ValidationError(
            f"Several accounts use “{identifier}”: give the username instead.", code="ambiguous"
        )
    raise ValidationError(
        f"No account has the username or email address “{identifier}”. "
        "Ask the person to sign up, or the site's administrator to create their account.",
        code="unknown",
    )


def add_member(project: Project, identifier: str, role: str) -> Membership:
    _check_role(role)
    user = find_user(identifier)
    membership, created = Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": role}
    )
    if not created:
        raise ValidationError(
            f"{user.display_name} is already a member ({membership.get_role_display().lower()}).",
            code="member",
        )
    return membership


@transaction.atomic
def change_role(membership: Membership, role: str) -> Membership:
    _check_role(role)
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(locked, "demoted")
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


@transaction.atomic
def set_adjudicator(membership: Membership, adjudicator: bool) -> Membership:
    """Make an analyst an adjudicator (settles coders' disagreements), or no longer.
    Owners always may; a viewer does not code, and so does not adjudicate."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if adjudicator and locked.role != Role.ANALYST:
        raise ValidationError(
            "Only an analyst is made an adjudicator: owners adjudicate anyway, and viewers "
            "do not code.",
            code="adjudicator-role",
        )
    locked.adjudicator = adjudicator
    locked.save(update_fields=["adjudicator"])
    return locked


@transaction.atomic
def remove_member(membership: Membership) -> None:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.OWNER:
        _keep_an_owner(locked, "removed")
    locked.delete()


def _keep_an_owner(membership: Membership, what: str) -> None:
    # Locks the project's owner rows, so two owners demoting each other at once cannot
    # both succeed.
    owners = Membership.objects.select_for_update().filter(
        project_id=membership.project_id, role=Role.OWNER
    )
    if not owners.exclude(pk=membership.pk).exists():
        raise ValidationError(
            f"The last owner cannot be {what}: make someone else an owner first.",
            code="last-owner",
        )


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(f"“{role}” is not a role.", code="role")
