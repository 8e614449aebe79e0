"""Production settings fail closed: a missing secret or host list stops the process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-a-long-random-production-secret",
    "ALLOWED_HOSTS": "workbench.example.org",
}


# Variables of this test process that would leak into the checked one: the browser tests
# set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses.
_NOT_INHERITED = {"DEBUG", "DEMO_MODE", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_a_missing_secret_key_stops_start_up():
    result = _manage("check", DEBUG="false", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_debug_missing_allowed_hosts_stops_start_up():
    result = _manage("check", DEBUG="false", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_debug_defaults_to_off():
    result = _manage("check", ALLOWED_HOSTS="example.org")
    assert "SECRET_KEY must be set" in result.stderr


def test_demo_mode_is_refused_in_production():
    result = _manage("check", DEMO_MODE="true", **PRODUCTION)
    assert result.returncode != 0
    assert "DEMO_MODE is for development only" in result.stderr


def test_a_misspelt_boolean_is_an_error_not_a_default():
    result = _manage("check", DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize("database_url", ["sqlite:////tmp/prod-check.sqlite3"])
def test_the_deploy_check_is_clean_with_production_settings(database_url):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", DATABASE_URL=database_url, **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_postgresql_options_from_the_database_url_are_kept():
    url = "postgres://postgres@127.0.0.1:5432/x?options=-c%20search_path%3Dpublic"
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = _manage("shell", "-c", code, DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "-c search_path=public -c cursor_tuple_fraction=1" in result.stdout
