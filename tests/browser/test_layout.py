"""Every screen fits a 390-px phone and a 1,920-px screen (no sideways scroll of the page:
wide tables scroll in their own box), passes axe-core's serious and critical rules, and
the filter bar and the cell panel work as a user would use them."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import demo_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(page, live_server, settings):
    return demo_signed_in(page, live_server, settings, "owner")


def _screens(project) -> list[str]:
    """Every screen of a project, as an owner sees it."""
    slug = project.slug
    article = project.articles.order_by("pk").first()
    claim = project.claims.order_by("pk").first()
    actor = project.actors.order_by("pk").first()
    story = project.stories.order_by("pk").first()
    pair = "&".join(f"a={a.pk}" for a in project.articles.order_by("pk")[:2])
    return [
        reverse("projects:list"),
        project.get_absolute_url(),
        article.get_absolute_url(),
        reverse("analysis:compare", args=[slug]),
        reverse("analysis:matrix", args=[slug]),
        reverse("analysis:charts", args=[slug]),
        reverse("analysis:agreement", args=[slug]),
        reverse("analysis:side-by-side", args=[slug]) + "?" + pair,
        reverse("analysis:claim", args=[slug, claim.pk]),
        reverse("analysis:actor", args=[slug, actor.pk]),
        reverse("analysis:search", args=[slug]) + "?q=Kerry",
        reverse("annotations:codebook", args=[slug]),
        reverse("annotations:claims", args=[slug]),
        reverse("annotations:actors", args=[slug]),
        reverse("annotations:activity", args=[slug]),
        reverse("corpus:story", args=[slug, story.pk]),
        reverse("corpus:import", args=[slug]),
        reverse("projects:members", args=[slug]),
        reverse("coding:assignments", args=[slug]),
        reverse("coding:queue", args=[slug]),
        reverse("coding:adjudication", args=[slug]),
        reverse("coding:adjudicate", args=[slug, article.pk]),
        reverse("coding:adjudicated", args=[slug, article.pk]),
        reverse("analysis:compare", args=[slug]) + "?layer=gold",
    ]


@pytest.mark.parametrize("width", [390, 1920])
def test_no_screen_scrolls_sideways(page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    too_wide = {}
    for path in _screens(demo):
        page.goto(live_server.url + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            too_wide[path] = scroll
    assert not too_wide


def test_an_import_preview_on_a_phone_scrolls_its_table_not_the_page(page, live_server, settings):
    from apps.corpus.importing import prepare
    from apps.corpus.jobs import add_items
    from apps.corpus.models import ImportBatch
    from apps.corpus.reading import read_files

    project = demo_signed_in(page, live_server, settings, "owner")
    link = "https://example.org/" + "-".join(["a-long-article-address"] * 8)
    rows = f"title,source,url,text\nA long link,Example Wire,{link},Kerry spoke to Lavrov.\n"
    batch = ImportBatch.objects.create(project=project)
    add_items(batch, prepare(project=project, items=read_files([("wire.csv", rows.encode())])))
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + reverse("corpus:import-batch", args=[project.slug, batch.pk]))
    expect(page.locator("table.import-preview")).to_contain_text("wire.csv, row 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [390, 1920])
def test_the_reader_with_the_analyst_s_queue_fits(page, live_server, settings, width):
    """An article in the middle of the analyst's queue: the queue's line (previous, next,
    Mark done) and the story's wrap on a phone rather than widen the page."""
    from apps.annotations.my_queue import queue_order

    project = demo_signed_in(page, live_server, settings, "analyst")
    queue = project.articles.filter(assignments__coder__username="analyst")
    article = queue.order_by(*queue_order())[1]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("link", name="Next in my queue →")).to_be_visible()
    expect(page.get_by_role("link", name="← Previous in my queue")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_filter_bar_takes_several_tags_all_of_them(page, live_server, demo):
    page.goto(live_server.url + reverse("analysis:compare", args=[demo.slug]))
    before = page.locator("#compare-results strong").first.inner_text()
    page.get_by_text("Passages:").click()
    page.get_by_text("Tags:").click()
    page.get_by_label("accusation", exact=True).check()
    expect(page.locator("#compare-results strong").first).not_to_have_text(before)
    narrowed = page.locator("#compare-results strong").first.inner_text()
    page.get_by_label("all of them").check()
    page.get_by_label("diplomacy", exact=True).check()
    page.wait_for_url("**tag_mode=all**")
    expect(page.locator("#compare-results strong").first).not_to_have_text(narrowed)
    assert int(page.locator("#compare-results strong").first.inner_text()) < int(narrowed)
    # The state is in the address: reloading shows the same selection.
    page.reload()
    expect(page.get_by_label("all of them")).to_be_checked()
    expect(page.get_by_text("Tags: 2 chosen")).to_be_visible()


def test_every_screen_passes_axe_serious_and_critical_rules(page, live_server, demo):
    axe = Axe()
    found = {}
    slug = demo.slug
    extra = [
        reverse("analysis:cell", args=[slug])
        + f"?row={demo.tags.get(name='blame on US').pk}&column={demo.articles.first().source_id}",
        reverse("analysis:compare", args=[slug]) + "?rows=positions&group=month&count=distinct",
        reverse("setup:project-new"),
    ]
    for path in _screens(demo) + extra:
        page.goto(live_server.url + path)
        violations = axe.run(page).response["violations"]
        bad = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            found[path] = bad
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("accounts:login"))
    violations = axe.run(page).response["violations"]
    found["login"] = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not any(found.values()), found


def test_a_cell_opens_its_passages_in_a_panel_beside_the_table(page, live_server, demo):
    page.goto(live_server.url + reverse("analysis:compare", args=[demo.slug]))
    row = page.locator("table.compare tbody tr", has_text="blame on US").first
    row.locator("a.count").first.click()
    panel = page.locator("#cell-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", level=2)).to_contain_text("blame on US")
    expect(panel.locator("ol.passages > li").first).to_be_visible()
    assert "/compare/passages/" not in page.url  # the comparison stays where it was
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    row.locator("a.count").first.click()
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()
    # The same link still opens the passages as a page of their own.
    href = row.locator("a.count").first.get_attribute("href")
    page.goto(live_server.url + href)
    expect(page.get_by_role("heading", level=1)).to_contain_text("blame on US")
