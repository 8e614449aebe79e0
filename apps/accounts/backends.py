"""Django's password backend, with the signed-in user read by a compiled query
(``compiled.py``): every signed-in request reads its user."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from apps.accounts.compiled import CompiledQuery, columns
from apps.accounts.models import User

_USER = CompiledQuery(
    lambda *, pk: User.objects.filter(pk=pk).order_by().values_list(*columns(User))
)


class AccountBackend(ModelBackend):
    def get_user(self, user_id: int) -> User | None:
        found = _USER.instances(User, pk=user_id)
        if not found or not self.user_can_authenticate(found[0]):
            return None
        return found[0]
