"""What only a browser can show: selecting text, keyboard use, htmx swaps, escaping."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.annotations.models import Annotation
from tests import factories
from tests.browser.conftest import htmx_settled, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "The family 👨\u200d👩\u200d👧 waited at the border for three days.\n\n"
    "Kerry said patience is not infinite, and Lavrov answered him.\n\n"
    "قال المتحدث إن الهدنة انتهت"
)


@pytest.fixture
def setup(settings, live_server):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    analyst = factories.make_user("anna")
    project = factories.make_project("Border coverage", analyst=analyst)
    article = factories.make_article(project, text=TEXT, title="At the border")
    factories.make_tag(project, "civilian harm", shortcut="1", color="#ffc9c9")
    factories.make_tag(project, "diplomatic threat", shortcut="2", color="#c9e4ff")
    factories.make_actor(project, "John Kerry", aliases="Kerry")
    url = live_server.url + reverse("annotations:reader", args=[project.slug, article.pk])
    return {"analyst": analyst, "project": project, "article": article, "url": url}


def _select(page, quote: str, text: str = TEXT) -> None:
    """Select ``quote`` in the article with a DOM Range, as a mouse drag would.

    The test maps code points to DOM positions itself (through the segments' data-o),
    independently of the page's script, so a wrong count there shows up here.
    """
    start = text.index(quote)
    page.evaluate(
        """([start, end]) => {
            const point = (offset) => {
                for (const seg of document.querySelectorAll('#article-text [data-o]')) {
                    const node = seg.firstChild;
                    const chars = Array.from(node.data);
                    const o = Number(seg.dataset.o);
                    if (offset >= o && offset <= o + chars.length) {
                        return [node, chars.slice(0, offset - o).join('').length];
                    }
                }
                throw new Error('no segment holds offset ' + offset);
            };
            const range = document.createRange();
            range.setStart(...point(start));
            range.setEnd(...point(end));
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            document.getElementById('article-text')
                .dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }""",
        [start, start + len(quote)],
    )


def _open(page, live_server, setup):
    log_in(page, live_server, "anna", factories.PASSWORD)
    page.goto(setup["url"])


def _save_and_wait(page, count: int) -> None:
    page.keyboard.press("Control+Enter")  # Enter in the tag filter picks a tag
    expect(page.locator("#annotation-list .annotation-item")).to_have_count(count)


def test_a_passage_after_an_emoji_is_saved_with_code_point_offsets(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "waited")
    assert page.locator("#annotation-form").is_visible()
    page.keyboard.press("1")  # toggles the tag with shortcut 1
    _save_and_wait(page, 1)
    annotation = Annotation.objects.get()
    start = TEXT.index("waited")
    assert (annotation.start, annotation.end) == (start, start + len("waited"))
    assert annotation.quote == "waited"
    assert [t.name for t in annotation.tags.all()] == ["civilian harm"]
    expect(page.locator(f"mark#h{annotation.pk}")).to_have_text("waited")
    expect(page.locator("#annotation-form")).to_be_hidden()


def test_right_to_left_and_cross_paragraph_selections_are_exact(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "الهدنة")
    _save_and_wait(page, 1)
    first = Annotation.objects.get()
    assert first.quote == "الهدنة"
    assert TEXT[first.start : first.end] == "الهدنة"
    _select(page, "three days.\n\nKerry said")
    _save_and_wait(page, 2)
    second = Annotation.objects.exclude(pk=first.pk).get()
    assert second.quote == "three days.\n\nKerry said"


def test_overlapping_highlights_are_both_shown(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "Kerry said patience")
    _save_and_wait(page, 1)
    _select(page, "patience is not infinite")
    page.keyboard.press("2")
    _save_and_wait(page, 2)
    outer, inner = Annotation.objects.order_by("start")
    overlap = page.locator(f'mark[data-a="{outer.pk} {inner.pk}"]')
    assert overlap.inner_text() == "patience"
    assert "d2" in overlap.get_attribute("class")


def test_a_keyboard_selection_can_be_annotated(page, live_server, setup):
    _open(page, live_server, setup)
    page.evaluate(
        """() => {
            const node = document.querySelector('#article-text p:nth-child(2) .seg').firstChild;
            const range = document.createRange();
            range.setStart(node, 0);
            range.collapse(true);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }"""
    )
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#annotation-form")).to_be_visible()
    page.keyboard.press("Enter")  # into the form
    page.keyboard.press("2")
    _save_and_wait(page, 1)
    annotation = Annotation.objects.get()
    assert annotation.quote == "Kerry"
    assert [t.name for t in annotation.tags.all()] == ["diplomatic threat"]


def test_escape_cancels_without_saving(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "border")
    page.keyboard.press("Escape")
    expect(page.locator("#annotation-form")).to_be_hidden()
    htmx_settled(page)  # no save on its way either
    assert not Annotation.objects.exists()


def test_hostile_notes_render_as_text(page, live_server, setup):
    _open(page, live_server, setup)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _select(page, "three days")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(2)>'
    page.fill("#annotation-form textarea[name=note]", hostile)
    page.locator("#annotation-form button[type=submit]").click()
    page.wait_for_selector("#annotation-list .note")
    assert page.locator("#annotation-list .note").inner_text() == hostile
    assert page.locator("#annotation-list img").count() == 0
    page.reload()
    assert page.locator("#annotation-list .note").inner_text() == hostile
    assert dialogs == []


def test_an_annotation_is_edited_and_deleted_in_place(page, live_server, setup):
    annotation = factories.make_annotation(setup["article"], setup["analyst"], "Lavrov", note="old")
    _open(page, live_server, setup)
    page.keyboard.press("j")
    assert "current" in page.locator(f"#a{annotation.pk}").get_attribute("class")
    page.keyboard.press("e")
    page.wait_for_selector(".edit-form")
    page.fill(".edit-form textarea[name=note]", "answers Kerry")
    page.fill(".edit-form input[name=speaker]", "Kerry")
    page.locator(".edit-form button[type=submit]").click()
    page.wait_for_selector(".edit-form", state="detached")
    assert "answers Kerry" in page.locator(f"#a{annotation.pk}").inner_text()
    annotation.refresh_from_db()
    assert (annotation.note, annotation.speaker.name, annotation.version) == (
        "answers Kerry",
        "John Kerry",
        2,
    )
    # Its history opens under it, and hides again.
    htmx_settled(page)  # the save swapped the reader in: its link is htmx's once settled
    page.locator(f"#a{annotation.pk} .history-link").click()
    history = page.locator(f"#hist{annotation.pk} .history-inline")
    expect(history).to_contain_text("answers Kerry")
    expect(history.locator("del", has_text="old")).to_have_count(1)  # the note before
    history.get_by_role("button", name="hide").click()
    expect(page.locator(f"#hist{annotation.pk} .history-inline")).to_have_count(0)
    page.once("dialog", lambda d: d.accept())
    page.locator(f"#a{annotation.pk} .delete-button").click()
    page.wait_for_selector(f"#a{annotation.pk}", state="detached")
    assert not Annotation.objects.exists()
    assert page.locator(f"mark#h{annotation.pk}").count() == 0


def test_shortcut_help_opens_with_question_mark(page, live_server, setup):
    _open(page, live_server, setup)
    page.keyboard.press("?")
    assert page.locator("#shortcuts-help").is_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()


def test_demo_pages_load_without_console_errors(page, live_server, settings):
    """Every screen of the demo, as an analyst sees it; the page fixture fails on errors."""
    from apps.sampledata.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    project = load_demo(with_users=True).project
    log_in(page, live_server, "analyst", "demo")
    article = project.articles.get(source__name="RT")
    claim = project.claims.get(text__startswith="The US refuses")
    actor = project.actors.get(name="Valery Gerasimov")
    pages = {
        "project": project.get_absolute_url(),
        "reader": article.get_absolute_url(),
        "claim": reverse("analysis:claim", args=[project.slug, claim.pk]),
        "actor": reverse("analysis:actor", args=[project.slug, actor.pk]),
        "codebook": reverse("annotations:codebook", args=[project.slug]),
        "compare": reverse("analysis:compare", args=[project.slug]),
        "matrix": reverse("analysis:matrix", args=[project.slug]),
        "side-by-side": reverse("analysis:side-by-side", args=[project.slug])
        + "?a={}&a={}".format(article.pk, project.articles.get(source__name="BBC News").pk),
        "actors": reverse("annotations:actors", args=[project.slug]),
        "claims": reverse("annotations:claims", args=[project.slug]),
        "search": reverse("analysis:search", args=[project.slug]) + "?q=patience",
        "agreement": reverse("analysis:agreement", args=[project.slug]),
        "candidates": reverse(
            "analysis:claim-candidates",
            args=[project.slug, project.claims.get(text__startswith="Russia is bombing").pk],
        ),
    }
    # The user guide's question: who blames the US in the ceasefire dispute, in whose voice.
    story = project.stories.get(name__startswith="Ceasefire")
    us = project.actors.get(name="United States government")
    question = f"?story={story.pk}&target={us.pk}"
    compare = reverse("analysis:compare", args=[project.slug])
    pages["question-voices"] = f"{compare}{question}&rows=voices"
    pages["question-speakers"] = f"{compare}{question}&rows=actors"
    pages["charts"] = reverse("analysis:charts", args=[project.slug]) + question
    shots = os.environ.get("SCREENSHOTS_DIR")
    for name, path in pages.items():
        page.goto(live_server.url + path)
        assert page.locator("h1").first.is_visible()
        if shots:
            if name == "reader":
                page.locator("#article-text p").nth(4).scroll_into_view_if_needed()
                page.keyboard.press("j")
                page.keyboard.press("j")
                page.wait_for_timeout(300)
            if name.startswith("question"):  # the answer, below the filter bar
                page.locator("#compare-results").screenshot(path=str(Path(shots) / f"{name}.png"))
            elif name == "charts":
                page.locator("#chart-results").screenshot(path=str(Path(shots) / f"{name}.png"))
            else:
                page.screenshot(path=str(Path(shots) / f"{name}.png"))
            if name == "reader":  # the coding form on a selection
                page.evaluate(
                    """() => {
                        const p = document.querySelectorAll('#article-text p')[2];
                        const node = p.querySelector('[data-o]').firstChild;
                        const r = document.createRange();
                        r.setStart(node, 2);
                        r.setEnd(node, 60);
                        getSelection().removeAllRanges();
                        getSelection().addRange(r);
                        document.getElementById('article-text')
                            .dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                    }"""
                )
                page.keyboard.type("blame")
                page.locator("#annotation-form").screenshot(
                    path=str(Path(shots) / "reader-form.png")
                )
                page.keyboard.press("Control+a")
                page.keyboard.press("Backspace")


def test_an_orphan_is_reattached_by_selecting_its_new_passage(page, live_server, setup):
    from apps.annotations.anchoring import revise_article

    article = setup["article"]
    lost = factories.make_annotation(article, setup["analyst"], "Lavrov answered him")
    revise_article(
        article=article, new_text=TEXT.replace("Lavrov answered him", "no reply"), author=None
    )
    _open(page, live_server, setup)
    item = page.locator(f"#a{lost.pk}")
    expect(item).to_contain_text("Orphaned")
    item.get_by_role("link", name="Re-attach").click()
    expect(page.get_by_text("belongs to now")).to_be_visible()
    _select(page, "no reply", text=TEXT.replace("Lavrov answered him", "no reply"))
    page.keyboard.press("Enter")
    expect(page.locator(f"mark#h{lost.pk}")).to_have_text("no reply")
    lost.refresh_from_db()
    assert (lost.anchor_status, lost.quote) == ("anchored", "no reply")


def test_the_standalone_edit_page_saves_with_javascript_on(page, live_server, setup):
    annotation = factories.make_annotation(setup["article"], setup["analyst"], "Lavrov")
    _open(page, live_server, setup)
    edit = reverse("annotations:edit", args=[setup["project"].slug, annotation.pk])
    page.goto(live_server.url + edit)
    page.fill("textarea[name=note]", "saved from the edit page")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#a{annotation.pk} .note")).to_have_text("saved from the edit page")


def test_going_back_after_filtering_reloads_cleanly(page, live_server, setup):
    factories.make_annotation(setup["article"], setup["analyst"], "Lavrov")
    _open(page, live_server, setup)
    page.select_option("select[name=annotator]", "me")
    expect(page.locator("#annotation-list .annotation-item")).to_have_count(1)
    page.wait_for_url("**annotator=me**")
    page.evaluate("window.beforeBack = true")
    page.go_back()  # htmx keeps no history cache: it reloads the page
    page.wait_for_function("() => window.beforeBack === undefined")  # the reload happened
    page.wait_for_load_state()
    expect(page.locator("#article-text")).to_be_visible()  # the page fixture checks the console


def test_after_saving_the_new_annotation_is_current(page, live_server, setup):
    factories.make_annotation(setup["article"], setup["analyst"], "The family")
    _open(page, live_server, setup)
    _select(page, "Lavrov")
    _save_and_wait(page, 2)
    saved = Annotation.objects.get(quote="Lavrov")
    expect(page.locator(f"#a{saved.pk}")).to_have_class(re.compile("current"))
    assert page.locator("#popover-quote").inner_text() in ("", "“Lavrov”")


def test_an_unknown_speaker_is_suggested_or_added_from_the_form(page, live_server, setup):
    _open(page, live_server, setup)
    page.expected_errors = ["422"]  # the form sent back with its reason
    _select(page, "Lavrov answered him")
    form = page.locator("#annotation-form")
    form.locator('input[name="speaker"]').fill("Kerr")
    page.keyboard.press("Enter")
    expect(form.locator(".unknown-name")).to_contain_text("Did you mean John Kerry?")
    form.get_by_role("button", name="John Kerry").click()  # the suggestion fills the field
    assert form.locator('input[name="speaker"]').input_value() == "John Kerry"
    form.locator('input[name="target"]').fill("Sergey Lavrov")
    page.keyboard.press("Enter")
    expect(form.locator(".unknown-name")).to_contain_text("No actor called “Sergey Lavrov”")
    form.get_by_label("Add “Sergey Lavrov” as a new actor").check()
    form.locator('input[name="target"]').press("Enter")
    expect(page.locator("#annotation-list .annotation-item")).to_have_count(1)
    annotation = Annotation.objects.get()
    assert (annotation.speaker.name, annotation.target.name) == ("John Kerry", "Sergey Lavrov")
    assert annotation.target.project == setup["project"]
