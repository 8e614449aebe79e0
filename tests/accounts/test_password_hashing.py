"""Passwords are hashed with Argon2; a password hashed before (PBKDF2) still logs in and
is upgraded to Argon2 on that login."""

from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from tests import factories

PRODUCTION_HASHERS = django_settings.PASSWORD_HASHERS  # the tests swap in a fast one


def test_argon2_is_first_and_an_old_hash_is_upgraded_on_login(client, settings, db):
    assert PRODUCTION_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = factories.make_user("pia")
    user.password = make_password("a long passphrase", hasher="pbkdf2_sha256")
    user.save()
    response = client.post(
        reverse("accounts:login"), {"username": "pia", "password": "a long passphrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
