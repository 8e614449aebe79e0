"""An owner runs the project from the browser: members and a new project."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.projects.models import Membership, Project, Role
from tests.browser.conftest import htmx_settled, log_in

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
    expect(page.locator("#member-list tbody tr")).to_have_count(5)  # swapped in place
    assert Membership.objects.get(project=project, user__username="admin").role == Role.VIEWER
    htmx_settled(page)  # the form is in the list just swapped
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
    # The demo's latest: the owner's adjudicated passages (the coders' come before).
    expect(page.locator(".history-entry").first).to_contain_text("created adjudicated passage")
    page.select_option("#id_what", "")
    expect(page.locator(".history-entry").first).to_contain_text("created member")
    _shot(page, "activity", full_page=False)

    page.goto(live_server.url + reverse("annotations:codebook", args=[project.slug]))
    page.locator("#codebook tbody tr").nth(1).locator("summary", has_text="Edit").click()
    _shot(page, "codebook-editor", full_page=False)

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


def test_owner_pages_codebook_editor(page, live_server, settings):
    """Rename, recolour, reorder and merge in the codebook without a page load."""
    from apps.annotations.models import Tag
    from tests import factories

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = factories.make_user("olga")
    project = factories.make_project("Border coverage", owner=owner)
    blame = factories.make_tag(project, "blame", position=1)
    threat = factories.make_tag(project, "threat", position=2)
    article = factories.make_article(project, text="Kerry blamed Russia for the strike.")
    factories.make_annotation(article, owner, "Kerry", tags=[threat])
    log_in(page, live_server, "olga", factories.PASSWORD)
    page.goto(live_server.url + reverse("annotations:codebook", args=[project.slug]))
    page.evaluate("window.notReloaded = true")  # gone if the page loads again

    row = page.locator(f"#tag-{blame.pk}")
    row.locator("summary", has_text="Edit").click()
    form = row.locator("form.tag-form")
    form.locator('input[name="name"]').fill("blame attribution")
    form.locator('input[name="color"]').fill("#c9e4ff")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#codebook .notice")).to_have_text("“blame attribution” saved.")
    expect(page.locator(f"#tag-{blame.pk} rect")).to_have_attribute("fill", "#c9e4ff")

    htmx_settled(page)  # the codebook was just swapped: its buttons are htmx's once settled
    page.get_by_role("button", name="Move “threat” up").click()
    expect(page.locator("#codebook tbody tr").first).to_have_id(f"tag-{threat.pk}")

    row = page.locator(f"#tag-{threat.pk}")
    htmx_settled(page)
    row.locator("summary", has_text="Edit").click()
    row.locator(".tag-merge select").select_option(str(blame.pk))
    row.get_by_role("button", name="Merge…").click()
    expect(page.locator(".merge-confirm")).to_contain_text("1 annotation move from “threat”")
    htmx_settled(page)
    page.locator(".merge-confirm").get_by_role("button", name="Merge").click()
    expect(page.locator("#codebook .notice")).to_contain_text("Merged:")
    expect(page.locator("#codebook tbody tr")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True
    assert list(Tag.objects.filter(project=project).values_list("name", flat=True)) == [
        "blame attribution"
    ]


def test_owner_moves_a_project_through_a_qdpx_file(page, live_server, settings, tmp_path):
    """Download the demo as a .qdpx, start a project, import the file into it."""
    from apps.sampledata.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    project = load_demo(with_users=True).project
    log_in(page, live_server, "owner", "demo")
    page.goto(live_server.url + project.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="Whole project (REFI-QDA .qdpx)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    page.goto(live_server.url + reverse("setup:project-new"))
    page.fill("#id_name", "Syria, again")
    page.get_by_role("button", name="Create the project").click()
    page.get_by_role("link", name="Import a project file (.qdpx)").first.click()
    page.set_input_files("#id_file", saved)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator(".lead")).to_contain_text("Nothing is saved yet")
    expect(page.locator(".stats")).to_contain_text("49 passages added")
    _shot(page, "qdpx-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Imported")
    copy = Project.objects.get(name="Syria, again")
    assert copy.articles.count() == 5 and copy.tags.count() == project.tags.count()
