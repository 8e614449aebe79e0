"""Adjudicating an article in the browser: take a coder's version of a disagreement (the
unit is swapped in place, marked settled), settle the rest, mark the article adjudicated,
and find it on the comparison's adjudicated layer."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.annotations.models import Annotation, Layer
from apps.coding.models import Adjudication
from apps.corpus.models import Article
from tests.browser.conftest import demo_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    """With ``SCREENSHOTS_DIR`` set (``make screenshots``), the guide's pictures."""
    if shots := os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def test_an_owner_adjudicates_an_article_and_compares_on_the_adjudicated_layer(
    page, live_server, settings
):
    project = demo_signed_in(page, live_server, settings, "owner")
    rt = Article.objects.get(project=project, source__name="RT")
    page.goto(live_server.url + reverse("coding:adjudication", args=[project.slug]))
    row = page.locator("tr", has_text=rt.title)
    expect(row).to_contain_text("Not started")
    _shot(page, "adjudication-list")
    row.get_by_role("link", name=rt.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(rt.title)
    _shot(page, "adjudication-article")

    first = page.locator("section.unit").first
    expect(first).not_to_have_class("unit settled")
    versions = first.locator("article.version")
    coder = versions.first.locator("h4").inner_text()
    first.get_by_role("button", name=f"Take {coder}'s version").click()
    settled = page.locator("section.unit.settled").first
    expect(settled).to_contain_text("✔ settled")
    expect(settled).to_contain_text(f"as {coder}'s version")
    expect(page.locator("#adjudication-progress")).to_contain_text("1 of 7 units settled")
    assert Annotation.objects.filter(article=rt, layer=Layer.GOLD).count() == 1

    # The other disagreements, each with its first coder's version (each click swaps one
    # unit); then the one unit the two coders agree on, accepted as it is.
    for settled in range(2, 7):
        unit = page.locator("section.unit:not(.settled):not(.agreed)").first
        unit.locator("button", has_text="Take ").first.click()
        expect(page.locator("section.unit.settled")).to_have_count(settled)
        expect(page.locator("#adjudication-progress")).to_contain_text(f"{settled} of 7")
    page.get_by_role("button", name="Accept the 1 agreed unit").click()
    expect(page.locator("#adjudication-progress")).to_contain_text("7 of 7")
    page.get_by_role("button", name="Mark the article adjudicated").click()
    expect(page.locator("#adjudication-progress")).to_contain_text("Adjudicated")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    assert Adjudication.objects.get(article=rt).finished_at is not None

    page.goto(live_server.url + reverse("analysis:compare", args=[project.slug]))
    page.locator('select[name="layer"]').select_option("gold")
    results = page.locator("#compare-results")
    expect(results).to_contain_text("2 of the 5 articles of this selection are adjudicated")
    expect(results).to_contain_text("in the adjudicated layer")
    expect(page.locator("table.compare thead")).to_contain_text("RT")
    expect(page).to_have_url(re.compile(r"[?&]layer=gold(&|$)"))  # to share or save
    _shot(page, "compare-adjudicated")
