"""Every signed-in request reads its session and its user (``accounts/sessions.py`` and
``accounts/backends.py``, through compiled queries): the same rules as Django's own."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from apps.accounts.sessions import SessionStore
from tests import factories

LOGIN = reverse("accounts:login")
HOME = reverse("projects:list")


@pytest.fixture
def signed_in(client, db):
    user = factories.make_user("vera", password="right-horse-9")
    factories.make_project("Aleppo coverage", owner=user)
    response = client.post(LOGIN, {"username": "vera", "password": "right-horse-9"})
    assert response.status_code == 302
    return user


def _is_signed_in(client) -> bool:
    response = client.get(HOME)
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN)
        return False
    assert response.status_code == 200
    return "Aleppo coverage" in response.text


def test_a_login_through_the_form_is_kept_from_request_to_request(client, signed_in):
    assert client.session[BACKEND_SESSION_KEY] == "apps.accounts.backends.AccountBackend"
    assert int(client.session[SESSION_KEY]) == signed_in.pk
    assert _is_signed_in(client)
    assert _is_signed_in(client)


def test_an_expired_session_signs_the_user_out(client, signed_in):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert not _is_signed_in(client)


def test_an_unknown_session_is_nobodys(client, signed_in):
    Session.objects.all().delete()
    assert not _is_signed_in(client)


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, signed_in):
    signed_in.is_active = False
    signed_in.save()
    assert not _is_signed_in(client)


def test_a_deleted_user_is_signed_out(client, signed_in):
    signed_in.delete()
    assert not _is_signed_in(client)


def test_a_changed_password_signs_out_the_other_sessions(client, signed_in):
    signed_in.set_password("another-horse-7")
    signed_in.save()
    assert not _is_signed_in(client)


def test_a_session_key_not_found_is_never_reused(db):
    # Session fixation: a key the site did not give out (or one expired) is dropped, so
    # what is saved next gets a new key.
    chosen = "chosen-by-an-attacker-0123456789"
    store = SessionStore(chosen)
    assert store.load() == {}
    store["anything"] = 1
    store.save()
    assert store.session_key not in (None, chosen)
    assert not Session.objects.filter(session_key=chosen).exists()


def test_a_session_from_before_the_account_backend_signs_in_again(client, signed_in):
    # Sessions name the backend that signed them in: one from Django's own ModelBackend
    # (before this one) is not trusted by a list that no longer has it.
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert not _is_signed_in(client)


def test_the_site_reads_sessions_with_its_own_store(settings):
    assert settings.SESSION_ENGINE == "apps.accounts.sessions"
    assert "apps.accounts.backends.AccountBackend" in settings.AUTHENTICATION_BACKENDS
