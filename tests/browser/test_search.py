"""Search in a browser: "/" from any project page, filters swap the results, and a hit
opens the reader with the passage lit up."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import demo_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(page, live_server, settings):
    return demo_signed_in(page, live_server, settings, "analyst")


def test_slash_searches_from_any_project_page_and_a_hit_opens_lit_up(page, live_server, demo):
    page.goto(live_server.url + reverse("analysis:compare", args=[demo.slug]))
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("patience")
    page.keyboard.press("Enter")
    expect(page.locator(".search-summary")).to_contain_text("match")
    first = page.locator(".search-hit").first
    expect(first.locator(".snippet mark").first).to_have_text("patience", ignore_case=True)
    first.get_by_role("link", name="open here").first.click()
    page.wait_for_url("**/articles/**?hit=*")
    lit = page.evaluate(
        "() => { const h = CSS.highlights.get('search-hit');"
        " return h ? Array.from(h)[0].toString() : null; }"
    )
    assert lit is not None and lit.lower() == "patience"


def test_a_filter_swaps_only_the_results(page, live_server, demo):
    url = reverse("analysis:search", args=[demo.slug])
    page.goto(f"{live_server.url}{url}?q=Kerry")
    before = page.locator(".search-hit").count()
    assert before > 1
    page.get_by_text("Outlets:").click()  # the list of outlets is folded
    page.locator("input[name=source]").first.check()
    expect(page.locator(".search-summary")).to_be_visible()
    page.wait_for_function("n => document.querySelectorAll('.search-hit').length < n", arg=before)
    page.wait_for_url("**source=**")  # the state is in the address
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()


def test_slash_in_a_field_is_typed_not_taken(page, live_server, demo):
    url = reverse("analysis:search", args=[demo.slug])
    page.goto(live_server.url + url)
    box = page.get_by_label('Words, "a phrase" or a beginning*')
    box.click()
    page.keyboard.type("a/b")
    expect(box).to_have_value("a/b")
    page.locator("h1").click()  # out of the field: "/" goes to the page's own box
    page.keyboard.press("/")
    expect(box).to_be_focused()
