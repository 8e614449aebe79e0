from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.projects.models import Project
from tests import factories


@dataclass
class Cast:
    """The fixed cast every view test walks through."""

    project: Project
    owner: User
    analyst: User
    viewer: User
    outsider: User


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~100 ms per user; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db) -> Cast:
    owner = factories.make_user("olga")
    analyst = factories.make_user("anton")
    viewer = factories.make_user("vera")
    outsider = factories.make_user("oscar")
    project = factories.make_project("Aleppo coverage", owner=owner, analyst=analyst, viewer=viewer)
    factories.make_project("Someone else's project", owner=outsider)
    return Cast(project, owner, analyst, viewer, outsider)
