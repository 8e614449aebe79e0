"""The database sessions, read with a compiled query (``compiled.py``): every signed-in
request reads its session first."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.accounts.compiled import CompiledQuery, columns

_SESSION = CompiledQuery(
    lambda *, key: Session.objects.filter(session_key=key).order_by().values_list(*columns(Session))
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        # Django's own asks for an unexpired session in SQL; the expiry is compared here
        # instead, so that the query has no value but the key (a compiled query's values
        # are whole numbers and strings).
        found = _SESSION.instances(Session, key=self.session_key or "")
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
