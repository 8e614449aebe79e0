"""Logging in is throttled; every user can change their password, and reset it by email."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests import factories

LOGIN = reverse("accounts:login")


def _try(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def vera(db):
    return factories.make_user("vera", email="vera@example.org", password="right-horse-9")


def test_wrong_passwords_lock_the_username_out_even_with_the_right_one(client, vera, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, "vera", "wrong").status_code == 200  # the form, with its error
    locked = _try(client, "vera", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text and "15 minutes" in locked.text
    # The right password, from another address: still refused until the pause is over.
    assert _try(client, "vera", "right-horse-9", address="10.0.0.2").status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_usernames_is_locked_out(client, db, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try(client, f"guess{n}", "wrong", address="10.9.9.9")
    assert _try(client, "anyone", "wrong", address="10.9.9.9").status_code == 429
    assert _try(client, "anyone", "wrong", address="10.9.9.8").status_code == 200


def test_the_reset_command_lifts_a_lockout(client, vera, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "vera", "wrong")
    call_command("axes_reset", verbosity=0)
    response = _try(client, "vera", "right-horse-9")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(vera.pk)


def test_a_success_before_the_limit_starts_the_count_again(client, vera, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, "vera", "wrong")
    assert _try(client, "vera", "right-horse-9").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, "vera", "wrong")
    assert _try(client, "vera", "right-horse-9").status_code == 302


def test_a_user_changes_their_password(client, vera):
    client.force_login(vera)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "Change your password" in page.text
    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "x", "new_password2": "y"},
    )
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.text
    done = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "right-horse-9",
            "new_password1": "a-new-long-phrase",
            "new_password2": "a-new-long-phrase",
        },
        follow=True,
    )
    assert "Password changed" in done.text
    vera.refresh_from_db()
    assert vera.check_password("a-new-long-phrase")


def test_the_password_pages_need_a_login(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and LOGIN in response["Location"]


def test_a_password_is_reset_through_the_emailed_link(client, vera):
    assert "Forgot your password?" in client.get(LOGIN).text
    sent = client.post(
        reverse("accounts:password_reset"), {"email": "vera@example.org"}, follow=True
    )
    assert "Check your email" in sent.text and len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.text
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "fresh-long-phrase", "new_password2": "fresh-long-phrase"},
        follow=True,
    )
    assert "Password set" in done.text
    vera.refresh_from_db()
    assert vera.check_password("fresh-long-phrase")
    assert "does not work any more" in client.get(link, follow=True).text  # used once


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, vera):
    sent = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True
    )
    assert "Check your email" in sent.text and not mail.outbox
