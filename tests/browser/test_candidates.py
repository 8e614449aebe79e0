"""From a claim's candidates to a coded passage: "Code it" opens the reader with the
passage selected and the form filled with the claim."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.annotations.models import Annotation, Claim
from tests.browser.conftest import demo_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_code_it_opens_the_form_on_the_candidate_with_its_claim(page, live_server, settings):
    project = demo_signed_in(page, live_server, settings, "analyst")
    claim = Claim.objects.get(project=project, text__startswith="Russia is bombing civilians")
    page.goto(live_server.url + reverse("analysis:claim-candidates", args=[project.slug, claim.pk]))
    first = page.locator(".candidates li").first
    words = first.locator("blockquote").inner_text()
    first.get_by_role("link", name="Code it").click()
    form = page.locator("#annotation-form")
    expect(form).to_be_visible()
    expect(form.locator('input[name="claim"]')).to_have_value(claim.text)
    expect(page.locator("#popover-quote")).to_contain_text(" ".join(words.split()[:3]))
    before = Annotation.objects.filter(claim=claim).count()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#annotation-form")).to_be_hidden()
    assert Annotation.objects.filter(claim=claim).count() == before + 1
    page.go_back()
    page.reload()
    assert words not in " ".join(page.locator(".candidates blockquote").all_inner_texts())


def test_a_comparison_rows_blind_spots_say_outlet_by_outlet_what_is_there(
    page, live_server, settings
):
    project = demo_signed_in(page, live_server, settings, "analyst")
    page.goto(live_server.url + reverse("analysis:compare", args=[project.slug]) + "?rows=claims")
    note = page.locator("th.row-head .gap-note").first
    note.scroll_into_view_if_needed()  # loaded as the row comes into view
    expect(note.locator(".spot-group").first).to_be_visible()
    text = note.inner_text()
    assert "Candidates, not coded:" in text or "No candidate above 30:" in text
    assert "uncoded or absent?" not in text
    link = note.locator(".spot-group a").first
    if shots := os.environ.get("SCREENSHOTS_DIR"):
        head = page.locator("thead").first.bounding_box()
        row = page.locator("tbody tr").first.bounding_box()
        assert head and row
        box = {"x": head["x"], "y": head["y"], "width": head["width"]}
        box["height"] = row["y"] + row["height"] - head["y"]
        page.screenshot(path=str(Path(shots) / "blind-spots.png"), clip=box)
    outlet = link.inner_text().rsplit(" (", 1)[0]
    link.click()  # to those candidates, on the candidates screen
    expect(page.locator("h1")).to_contain_text("Find elsewhere")
    assert f"#outlet-{project.articles.filter(source__name=outlet).first().source_id}" in page.url
