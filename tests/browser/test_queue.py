"""Team coding in the browser: an analyst works through their queue (My queue, the first
article, "Next in my queue", "Mark done" confirmed and swapped in without a reload, the
queue says it is done); an owner assigns articles at random and switches blind coding
on, which the analyst's reader then says; a write refused after "done" says why in
place."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.coding.models import Assignment
from apps.projects.models import Project
from tests.browser.conftest import demo_signed_in, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name, full_page=True):
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=full_page)


def test_an_analyst_marks_the_first_article_of_their_queue_done(page, live_server, settings):
    project = demo_signed_in(page, live_server, settings, "analyst2")
    page.goto(live_server.url + project.get_absolute_url())
    page.get_by_role("link", name="My queue").click()
    first = page.locator("tr.queue-item").first
    expect(first.locator(".status-chip")).to_have_text("To do")
    _shot(page, "queue")
    title = first.get_by_role("link").inner_text()
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    queue_nav = page.get_by_role("navigation", name="My queue")
    expect(queue_nav).to_contain_text("1 of 4")
    expect(queue_nav.get_by_role("link", name="Next in my queue →")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    queue_nav.get_by_role("button", name="Mark done").click()
    expect(queue_nav.locator(".done-mark")).to_contain_text("Done")
    expect(queue_nav.get_by_role("button", name="Mark done")).to_have_count(0)
    done = Assignment.objects.get(article__title=title, coder__username="analyst2")
    assert done.done_at is not None
    queue_nav.get_by_role("link", name="My queue", exact=True).click()
    row = page.locator("tr.queue-item", has_text=title)
    expect(row.locator(".status-chip")).to_have_text("Done")
    expect(page.locator(".queue-summary")).to_contain_text("3 done")


def test_owner_pages_assignments_and_blind_coding(page, live_server, settings):
    project = demo_signed_in(page, live_server, settings, "owner")
    page.goto(live_server.url + project.get_absolute_url())
    page.get_by_role("link", name="Assignments and progress").click()
    page.wait_for_url(live_server.url + reverse("coding:assignments", args=[project.slug]))
    page.wait_for_load_state()  # htmx listens to the filter from then on
    story = project.stories.get(name__startswith="Gerasimov")
    page.get_by_label("Story").select_option(str(story.pk))  # the list swaps in place
    expect(page.locator(".assignment-list tbody tr")).to_have_count(2)
    page.get_by_label("Every article listed (2").check()
    page.get_by_role("checkbox", name="Owner Demo").check()
    page.get_by_role("checkbox", name="Maya Okafor").check()
    page.get_by_label("to two of them at random, balanced").check()
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Assign").click()
    # One had its two coders; the other one, and one more among the two chosen.
    expect(page.locator("#work-body .notice")).to_have_text("1 new assignment.")
    page.get_by_role("button", name="Switch blind coding on").click()
    expect(page.locator("#blind-coding h2")).to_have_text("Blind coding is on")
    expect(page.locator("#blind-coding")).to_contain_text("Switched on by Owner Demo")
    assert Project.objects.get(pk=project.pk).blind_coding
    page.goto(live_server.url + reverse("coding:assignments", args=[project.slug]))
    _shot(page, "assignments")

    page.context.clear_cookies()  # signed out
    log_in(page, live_server, "analyst2", "demo")
    article = Assignment.objects.filter(coder__username="analyst2", done_at=None).first().article
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".blind-notice")).to_contain_text("you see only your own annotations")
    expect(page.locator("#annotation-list")).not_to_contain_text("Analyst Demo")
    _shot(page, "reader-queue", full_page=False)


def test_a_write_refused_after_done_says_why_where_the_analyst_acted(page, live_server, settings):
    """A page loaded before "done" (another tab marked it): the refused edit's reason
    appears under the passage (a 403 htmx swaps because it names its target), not as
    the page's generic error."""
    from apps.coding.assigning import mark_done, set_blind_coding
    from apps.projects.visibility import FINISHED_BLIND
    from tests import factories

    project = demo_signed_in(page, live_server, settings, "analyst2")
    assignment = Assignment.objects.filter(coder__username="analyst2", done_at=None).first()
    article, coder = assignment.article, assignment.coder
    set_blind_coding(project=project, on=True, by=project.memberships.get(role="owner").user)
    mine = factories.make_annotation(article, coder, article.text.split()[1], note="mine")
    page.goto(live_server.url + article.get_absolute_url())
    item = page.locator(f"#a{mine.pk}")
    expect(item.get_by_role("link", name="Edit")).to_be_visible()
    mark_done(article=article, coder=coder)
    page.expected_errors.append("status of 403")  # the browser logs the refusal
    item.get_by_role("link", name="Edit").click()
    expect(item.locator(".error")).to_have_text(FINISHED_BLIND)
    expect(page.locator("#request-error")).to_be_hidden()
