"""Real-browser tests: Playwright driving the system Chromium.

Playwright cannot download its own browser on our machines, so tests launch
``/usr/bin/chromium`` (Debian's package). Without it they skip, except in CI, where a
missing browser is an error.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

# CI runs the PostgreSQL and SQLite suites side by side on two cores, so a page can take
# longer than Playwright's default 5 s to show what a check waits for.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium not found at {CHROMIUM}; CI must install it (apt-get install chromium)."
            )
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium to run browser tests."
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself are synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that fails the test on any console error or CSP violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    # A test that makes a request fail on purpose lists the console lines it expects.
    page.expected_errors = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    context.close()
    problems = [p for p in problems if not any(e in p for e in page.expected_errors)]
    assert not problems, f"browser console errors: {problems}"


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # Wait for the answer's page to load: a click only waits for the navigation to
    # begin, and a check made at once may still read the login form it came from.
    with page.expect_navigation():
        page.click("button[type=submit]")


def htmx_settled(page) -> None:
    """Wait until htmx has wired what it just swapped in: htmx 2 does it on settle, 20 ms
    after the swap, and before that a form posts as a plain form and a link loads its
    page, so a click on new content must wait for it."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def demo_signed_in(page, live_server, settings, username: str):
    """The demo project, with ``username`` (a demo login) signed in on ``page``."""
    from apps.sampledata.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    project = load_demo(with_users=True).project
    log_in(page, live_server, username, "demo")
    return project
