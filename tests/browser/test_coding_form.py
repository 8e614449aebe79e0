"""The coding form without dead ends: the tag filter picks (never saves), the whole
codebook grouped by parent, one form for creating and editing, keyboard jumps, caret
mode, coding stripes, the "already coded" notice, Esc that asks, and whole words."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.annotations.models import Annotation
from apps.projects.models import Membership, Role
from tests import factories
from tests.browser.conftest import htmx_settled, log_in
from tests.browser.test_reader import _select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "The convoy was hit near Aleppo on Monday. Kerry said patience is not infinite. "
    "Lavrov answered him at once.\n\n"
    "Moscow blamed Washington for the strike. The talks in Geneva stalled."
)


@pytest.fixture
def setup(settings, live_server):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    analyst = factories.make_user("anna")
    other = factories.make_user("otto")
    project = factories.make_project("Convoy coverage", analyst=analyst)
    Membership.objects.create(project=project, user=other, role=Role.ANALYST)
    article = factories.make_article(project, text=TEXT, title="The convoy")
    blame = factories.make_tag(project, "blame", shortcut="1", position=1)
    tags = {"blame": blame}
    for position, name in enumerate(["blame on US", "blame on Russia", "blame on rebels"], 1):
        tags[name] = factories.make_tag(project, name, parent=blame, position=position)
    threat = factories.make_tag(project, "threat", shortcut="2", position=2)
    tags["threat"] = threat
    for position, name in enumerate(["military threat", "economic threat"], 1):
        tags[name] = factories.make_tag(project, name, parent=threat, position=position)
    for position, name in enumerate(
        ["civilian harm", "diplomacy", "ceasefire", "aid", "refugees", "sanctions",
         "propaganda", "legality"], start=3,
    ):  # fmt: skip
        tags[name] = factories.make_tag(project, name, position=position)
    factories.make_actor(project, "John Kerry", aliases="Kerry")
    url = live_server.url + reverse("annotations:reader", args=[project.slug, article.pk])
    return {"analyst": analyst, "other": other, "project": project, "article": article,
            "tags": tags, "url": url}  # fmt: skip


def _open(page, live_server, setup, user="anna"):
    log_in(page, live_server, user, factories.PASSWORD)
    page.goto(setup["url"])


def test_enter_in_the_tag_filter_picks_the_highlighted_tag_and_never_saves(
    page, live_server, setup
):
    _open(page, live_server, setup)
    _select(page, "Moscow blamed Washington", text=TEXT)
    form = page.locator("#annotation-form")
    tag_filter = form.locator(".tag-filter")
    expect(tag_filter).to_be_focused()
    tag_filter.press("Enter")  # nothing highlighted: nothing happens, nothing is saved
    tag_filter.type("blame on")  # three matches: the first is highlighted
    expect(form.locator(".tag-option.active")).to_have_attribute("data-name", "blame on US")
    tag_filter.press("ArrowDown")
    expect(form.locator(".tag-option.active")).to_have_attribute("data-name", "blame on Russia")
    tag_filter.press("Enter")
    expect(form.get_by_label("blame on Russia")).to_be_checked()
    expect(tag_filter).to_have_value("")
    expect(form).to_be_visible()
    htmx_settled(page)  # no save on its way either
    assert not Annotation.objects.exists()
    tag_filter.type("harm")
    tag_filter.press("Enter")
    page.keyboard.press("Control+Enter")  # saving is Ctrl+Enter
    expect(page.locator("#annotation-list .annotation-item")).to_have_count(1)
    annotation = Annotation.objects.get()
    assert sorted(t.name for t in annotation.tags.all()) == ["blame on Russia", "civilian harm"]


def test_the_whole_codebook_shows_grouped_by_parent_and_folds(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "Kerry said", text=TEXT)
    options = page.locator("#annotation-form .tag-options")
    expect(options.locator(".tag-option")).to_have_count(len(setup["tags"]))
    assert options.evaluate("el => el.scrollHeight <= el.clientHeight")  # no scroll box
    for name in setup["tags"]:
        expect(options.locator(f'.tag-option[data-name="{name}"]')).to_be_visible()
    options.get_by_title("Fold or unfold the tags under “blame”").click()
    expect(options.locator('.tag-option[data-name="blame on US"]')).to_be_hidden()
    expect(options.locator('.tag-option[data-name="threat"]')).to_be_visible()
    page.locator("#annotation-form .tag-filter").type("rebels")  # the filter finds folded tags
    expect(options.locator('.tag-option[data-name="blame on rebels"]')).to_be_visible()
    expect(options.locator(".tag-option:visible")).to_have_count(1)


def test_tab_goes_from_the_filter_to_the_speaker_and_alt_keys_jump(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "Kerry said", text=TEXT)
    form = page.locator("#annotation-form")
    page.keyboard.press("Tab")
    expect(form.locator('input[name="speaker"]')).to_be_focused()
    page.keyboard.press("Alt+N")
    expect(form.locator('textarea[name="note"]')).to_be_focused()
    page.keyboard.press("Alt+C")
    expect(form.locator('input[name="claim"]')).to_be_focused()
    page.keyboard.press("Alt+T")
    expect(form.locator('input[name="target"]')).to_be_focused()
    page.keyboard.press("Alt+G")
    expect(form.locator(".tag-filter")).to_be_focused()


def test_editing_is_the_same_form_as_creating(page, live_server, setup):
    annotation = factories.make_annotation(setup["article"], setup["analyst"], "Lavrov answered")
    _open(page, live_server, setup)
    page.locator(f"#a{annotation.pk} .edit-link").click()
    form = page.locator(".edit-form")
    tag_filter = form.locator(".tag-filter")
    tag_filter.focus()
    page.keyboard.press("2")  # keys 1–9 toggle, as when creating
    expect(form.locator('.tag-option[data-name="threat"] input')).to_be_checked()
    tag_filter.type("sanct")
    tag_filter.press("Enter")
    expect(form.get_by_label("sanctions")).to_be_checked()
    form.locator('input[name="speaker"]').fill("Kerry")
    form.locator('input[name="speaker"]').press("Enter")  # Enter saves, as when creating
    expect(page.locator(".edit-form")).to_have_count(0)
    annotation.refresh_from_db()
    assert sorted(t.name for t in annotation.tags.all()) == ["sanctions", "threat"]
    assert annotation.speaker.name == "John Kerry"


def test_escape_asks_before_discarding_a_filled_form(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "Kerry said", text=TEXT)
    page.keyboard.press("1")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("Escape")
    expect(page.locator("#annotation-form")).to_be_visible()  # kept: the analyst said no
    assert asked == ["Discard this annotation?"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Escape")
    expect(page.locator("#annotation-form")).to_be_hidden()
    _select(page, "Lavrov answered", text=TEXT)  # an empty form closes without asking
    page.keyboard.press("Escape")
    expect(page.locator("#annotation-form")).to_be_hidden()
    htmx_settled(page)  # no save on its way either
    assert not Annotation.objects.exists()


def test_the_quote_stays_in_the_form_after_an_error(page, live_server, setup):
    _open(page, live_server, setup)
    page.expected_errors = ["422"]
    _select(page, "Lavrov answered him", text=TEXT)
    form = page.locator("#annotation-form")
    form.locator('input[name="speaker"]').fill("Nobody Known")
    form.locator('input[name="speaker"]').press("Enter")
    expect(form.locator(".unknown-name")).to_be_visible()
    expect(page.locator("#popover-quote")).to_have_text("“Lavrov answered him”")
    expect(form.locator(".tag-option")).to_have_count(len(setup["tags"]))  # the codebook too


def test_a_passage_already_coded_with_the_tag_is_noticed_before_saving(page, live_server, setup):
    tags = setup["tags"]
    factories.make_annotation(
        setup["article"], setup["other"], "Kerry said patience", tags=[tags["blame"]]
    )
    _open(page, live_server, setup)
    _select(page, "patience is not infinite", text=TEXT)
    notice = page.locator("#duplicate-notice")
    expect(notice).to_be_hidden()  # overlapping, but no tag in common yet
    page.keyboard.press("1")
    expect(notice).to_have_text("Already coded here by otto as “blame”. Save anyway, or Esc.")
    page.keyboard.press("1")
    expect(notice).to_be_hidden()


def test_a_mouse_selection_snaps_to_whole_words_unless_switched_off(page, live_server, setup):
    _open(page, live_server, setup)
    _select(page, "atience is not infin", text=TEXT)
    expect(page.locator("#popover-quote")).to_have_text("“patience is not infinite”")
    page.locator("#snap-words").uncheck()  # remembered in this browser
    page.keyboard.press("Control+Enter")
    expect(page.locator("#annotation-list .annotation-item")).to_have_count(1)
    assert Annotation.objects.get().quote == "patience is not infinite"
    page.reload()
    _select(page, " Lavrov answ", text=TEXT)
    expect(page.locator("#snap-words")).not_to_be_checked()
    expect(page.locator("#popover-quote")).to_have_text("“Lavrov answ”")


def test_caret_mode_annotates_with_the_keyboard_alone(page, live_server, setup):
    _open(page, live_server, setup)
    page.locator("body").press("c")  # a caret at the start of the first paragraph
    expect(page.locator("#reader-caret")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # moves the caret: "The| convoy"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")  # selects a word
    expect(page.locator("#annotation-form")).to_be_visible()
    page.keyboard.press("s")  # …to the end of the sentence
    page.keyboard.press("Enter")  # into the form
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#annotation-list .annotation-item")).to_have_count(1)
    assert Annotation.objects.get().quote.startswith("convoy was hit near Aleppo on Monday.")


def test_overlapping_codings_get_one_stripe_each(page, live_server, setup):
    tags = setup["tags"]
    article, anna = setup["article"], setup["analyst"]
    first = factories.make_annotation(article, anna, "Kerry said patience", tags=[tags["blame"]])
    second = factories.make_annotation(
        article, anna, "patience is not infinite", tags=[tags["blame"]]
    )
    _open(page, live_server, setup)
    stripes = page.locator("#coding-stripes .stripe")
    expect(stripes).to_have_count(2)
    boxes = [stripes.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] != boxes[1]["x"]  # side by side, not one block
    page.locator(f'#coding-stripes .stripe[data-stripe="{second.pk}"]').hover()
    expect(page.locator(f"#a{second.pk}")).to_have_class(re.compile("hover"))
    expect(page.locator(f"#a{first.pk}")).not_to_have_class(re.compile("hover"))


def test_enter_opens_the_current_annotation(page, live_server, setup):
    mine = factories.make_annotation(setup["article"], setup["analyst"], "Kerry said")
    theirs = factories.make_annotation(setup["article"], setup["other"], "Lavrov answered")
    _open(page, live_server, setup)
    page.keyboard.press("j")
    page.keyboard.press("Enter")  # mine: the edit form
    expect(page.locator(f"#a{mine.pk} .edit-form")).to_be_visible()
    page.locator(f"#a{mine.pk} .edit-form").get_by_role("link", name="Cancel").click()
    expect(page.locator(".edit-form")).to_have_count(0)
    theirs_item = page.locator(f"#a{theirs.pk}")
    for _ in range(3):  # j until theirs is current (the list was just swapped back in)
        if "current" in (theirs_item.get_attribute("class") or ""):
            break
        page.locator("body").press("j")
    expect(theirs_item).to_have_class(re.compile("current"))
    page.keyboard.press("Enter")  # someone else's: its history
    expect(page.locator(f"#hist{theirs.pk} .history-inline")).to_be_visible()


def test_a_write_swaps_only_what_it_changed(page, live_server, setup):
    tags, article, anna = setup["tags"], setup["article"], setup["analyst"]
    first = factories.make_annotation(article, anna, "The convoy was hit", tags=[tags["aid"]])
    last = factories.make_annotation(article, anna, "The talks in Geneva", tags=[tags["aid"]])
    _open(page, live_server, setup)
    page.evaluate("document.getElementById('reader-body').keep = 'same element'")
    _select(page, "Lavrov answered him", text=TEXT)
    page.keyboard.press("2")
    page.keyboard.press("Control+Enter")
    items = page.locator("#annotation-list .annotation-item")
    expect(items).to_have_count(3)
    new = Annotation.objects.exclude(pk__in=[first.pk, last.pk]).get()
    # In text order, between the other two; its highlight is in the text; the count says 3.
    expect(items.nth(1)).to_have_id(f"a{new.pk}")
    expect(page.locator(f"mark#h{new.pk}")).to_have_text("Lavrov answered him")
    expect(page.locator("#annotation-count")).to_have_text("(3)")
    expect(page.locator("#coding-stripes .stripe")).to_have_count(3)
    assert page.evaluate("document.getElementById('reader-body').keep") == "same element"
    # The form was renewed (a new token): the next passage saves as a new annotation.
    _select(page, "Moscow blamed", text=TEXT)
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    expect(items).to_have_count(4)
    Annotation.objects.filter(quote="Moscow blamed").delete()
    page.reload()
    expect(items).to_have_count(3)
    page.evaluate("document.getElementById('reader-body').keep = 'same element'")
    # Edited in place: its tag, and its highlight's colour.
    page.locator(f"#a{new.pk} .edit-link").click()
    form = page.locator(".edit-form")
    form.locator(".tag-filter").type("sanctions")
    form.locator(".tag-filter").press("Enter")
    form.locator('input[name="note"], textarea[name="note"]').fill("edited")
    page.keyboard.press("Control+Enter")
    expect(page.locator(f"#a{new.pk} .tags")).to_contain_text("sanctions")
    expect(page.locator(f"#a{new.pk}")).to_contain_text("edited")
    expect(items.nth(1)).to_have_id(f"a{new.pk}")
    # Deleted: the item and its highlight go, the others stay.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#a{new.pk} .delete-button").click()
    expect(items).to_have_count(2)
    expect(page.locator(f"mark#h{new.pk}")).to_have_count(0)
    expect(page.locator("#annotation-count")).to_have_text("(2)")
    assert page.evaluate("document.getElementById('reader-body').keep") == "same element"


def test_the_notice_and_stripes_follow_every_save_and_another_coders_work(page, live_server, setup):
    tags, article = setup["tags"], setup["article"]
    factories.make_annotation(article, setup["analyst"], "The convoy was hit", tags=[tags["aid"]])
    factories.make_annotation(article, setup["analyst"], "The talks in Geneva", tags=[tags["aid"]])
    _open(page, live_server, setup)
    _select(page, "Kerry said patience", text=TEXT)
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    items = page.locator("#annotation-list .annotation-item")
    expect(items).to_have_count(3)
    # The page's data knows the new annotation: coding it again is noticed, its stripe
    # has its tag's colour.
    _select(page, "patience is not", text=TEXT)
    page.keyboard.press("1")
    expect(page.locator("#duplicate-notice")).to_contain_text("Already coded here by anna")
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Escape")
    new = Annotation.objects.get(quote="Kerry said patience")
    expect(page.locator(f'#coding-stripes .stripe[data-stripe="{new.pk}"]')).to_have_class(
        re.compile(f"tag-{tags['blame'].pk}")
    )
    # Another coder annotates meanwhile: the next save brings the whole list up to date.
    factories.make_annotation(article, setup["other"], "Moscow blamed", tags=[tags["aid"]])
    _select(page, "Lavrov answered him", text=TEXT)
    page.keyboard.press("2")
    page.keyboard.press("Control+Enter")
    expect(items).to_have_count(5)
    expect(page.locator("#annotation-count")).to_have_text("(5)")
    # After a change of the list's filter, the notice still knows every coded passage.
    # (The save answered with the whole reader: its form must be htmx's before changing.)
    htmx_settled(page)
    page.locator('select[name="tag"]').select_option(str(tags["aid"].pk))
    expect(items).to_have_count(3)
    _select(page, "Kerry said", text=TEXT)
    page.keyboard.press("1")
    expect(page.locator("#duplicate-notice")).to_contain_text("Already coded here by anna")
