"""The comparison screens in a browser: filters swap the results, cells open."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import demo_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(page, live_server, settings):
    return demo_signed_in(page, live_server, settings, "viewer")


def test_switching_rows_and_filters_updates_only_the_results(page, live_server, demo):
    page.goto(live_server.url + reverse("analysis:compare", args=[demo.slug]))
    expect(page.locator("table.compare thead th").first).to_have_text("Tags")
    page.get_by_label("Claims").check()
    expect(page.locator("table.compare thead th").first).to_have_text("Claims")
    page.wait_for_url("**rows=claims**")  # the state is in the address, for a bookmark
    page.get_by_text("Outlets:").click()  # the list of outlets is folded
    page.get_by_role("checkbox", name="RT").check()
    expect(page.locator("table.compare thead th")).to_have_count(2)
    expect(page.get_by_text("Outlets: 1 chosen")).to_be_visible()
    assert page.get_by_role("heading", name="Compare outlets").is_visible()  # page kept


def test_a_request_that_fails_is_reported_not_silent(page, live_server, demo):
    page.goto(live_server.url + reverse("analysis:compare", args=[demo.slug]))
    page.expected_errors += ["status of 500", "Error Code 500"]  # the browser and htmx log it
    page.route("**/compare/?*", lambda route: route.fulfill(status=500, body="Server error"))
    page.get_by_label("Claims").check()
    expect(page.locator("#request-error")).to_have_text(
        "The server could not do this (error 500); nothing was loaded."
    )
    expect(page.locator("table.compare thead th").first).to_have_text("Tags")  # page kept


def test_a_matrix_cell_opens_its_passages(page, live_server, demo):
    page.goto(live_server.url + reverse("analysis:matrix", args=[demo.slug]))
    row = page.locator("table.matrix tbody tr", has_text="blame on US")
    headers = page.locator("table.matrix thead th").all_inner_texts()
    rt = next(i for i, h in enumerate(headers) if h.strip().startswith("RT"))
    row.locator("td").nth(rt - 1).locator("a").click()  # the first header is the rows'
    panel = page.locator("#cell-panel")  # beside the matrix
    expect(panel.get_by_role("heading", level=2)).to_contain_text("blame on US")
    expect(panel.locator("ol.passages > li")).to_have_count(9)  # two coders of RT


def test_side_by_side_focus_dims_the_other_passages(page, live_server, demo):
    rt = demo.articles.get(source__name="RT")
    bbc = demo.articles.get(source__name="BBC News")
    url = reverse("analysis:side-by-side", args=[demo.slug])
    page.goto(f"{live_server.url}{url}?a={rt.pk}&a={bbc.pk}")
    page.locator(".overlap a.chip", has_text="blame on US").first.click()
    expect(page.locator("mark.hl.dim").first).to_be_attached()
    expect(page.locator("mark.hl:not(.dim)").first).to_be_attached()
