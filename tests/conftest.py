from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.test import override_settings

from apps.accounts.models import User
from apps.projects.models import Project
from apps.sampledata.demo import load_demo
from tests import factories

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def clean_in_this_process(settings):
    # Worker processes are tested on their own (test_cleaner.py); elsewhere they would
    # only add their start-up time to each import.
    settings.IMPORT_CLEAN_WORKERS = 0


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings):
    # Background jobs run in the request under test; one test runs a real worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="module")
def demo_project(django_db_setup, django_db_blocker) -> Project:
    """The demo corpus, loaded once for a whole test module and removed after it.

    Each test still runs in its own transaction, rolled back at its end, so no test can
    change the demo for the next one; a module that uses this must not create outlets
    or users with the demo's names."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        project = load_demo(with_users=True).project
    yield project
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def cast(db) -> Cast:
    owner = factories.make_user("olga")
    analyst = factories.make_user("anton")
    viewer = factories.make_user("vera")
    outsider = factories.make_user("oscar")
    project = factories.make_project("Aleppo coverage", owner=owner, analyst=analyst, viewer=viewer)
    factories.make_project("Someone else's project", owner=outsider)
    return Cast(project, owner, analyst, viewer, outsider)
