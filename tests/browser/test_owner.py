"""An owner runs the project from the browser: members and a new project."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.projects.models import Membership, Project, Role
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name, full_page=True):
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=full_page)


def test_owner_pages_members_and_a_new_project(page, live_server, settings):
    from apps.sampledata.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    project = load_demo(with_users=True).project
    log_in(page, live_server, "owner", "demo")
    page.goto(live_server.url + reverse("projects:members", args=[project.slug]))
    page.fill("#who", "admin")
    page.select_option("#new-role", "viewer")
    page.locator(".add-member button[type=submit]").click()
    expect(page.locator("#member-list .notice")).to_have_text("Admin Demo added as viewer.")
    expect(page.locator("#member-list tbody tr")).to_have_count(4)  # swapped in place
    assert Membership.objects.get(project=project, user__username="admin").role == Role.VIEWER
    page.fill("#who", "nobody-at-all")
    page.locator(".add-member button[type=submit]").click()
    expect(page.locator("#member-list .error")).to_contain_text("No account has the username")
    page.expected_errors = ["422"]  # the refused addition, answered with its reason
    _shot(page, "members")

    page.goto(live_server.url + reverse("annotations:activity", args=[project.slug]))
    first = page.locator(".history-entry").first
    expect(first).to_contain_text("Owner Demo created member")  # the one just added
    expect(first).to_contain_text("admin")
    page.select_option("#id_what", "annotation")  # filters swap the results in place
    expect(page.locator(".history-entry").first).to_contain_text("created annotation")
    page.select_option("#id_what", "")
    expect(page.locator(".history-entry").first).to_contain_text("created member")
    _shot(page, "activity", full_page=False)

    page.goto(live_server.url + reverse("setup:project-new"))
    page.fill("#id_name", "Gaza ceasefire 2024")
    page.select_option("#id_copy_from", str(project.pk))
    _shot(page, "project-new")
    page.get_by_role("button", name="Create the project").click()
    expect(page.locator(".messages")).to_contain_text("you are its owner")
    copy = Project.objects.get(name="Gaza ceasefire 2024")
    assert (
        copy.tags.count() == project.tags.count() and copy.claims.count() == project.claims.count()
    )
