"""Blind coding never leaks: in a blind project, every screen, fragment, write's answer
and export an analyst can reach, asked as that analyst before they mark the article done,
holds none of the other coder's (or the adjudication's) words, and its counts leave them
out; after "done", the article's others' work shows (and the other article's still not);
owners and viewers see everything throughout.

The matrix is built from the URL resolver: every URL name of a project is either asked
here (``ASKED``) or said to show no annotation (``NO_ANNOTATIONS``), so a new view fails
this test until someone decides which. The API has its own, ``test_blind_api.py``.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLResolver, get_resolver, reverse

from apps.coding.adjudication_pages import listing
from apps.coding.assigning import mark_done
from apps.coding.models import Adjudication, Assignment
from apps.projects.visibility import FINISHED_BLIND
from tests.coding import blind_world
from tests.coding.blind_world import World, text_of


@dataclass
class Ask:
    """One request of the matrix. ``text``: the answer shows an article's text, where a
    quote's words are the text's, not a leak (notes are looked for everywhere)."""

    path: str
    method: str = "get"
    data: dict | None = None
    htmx: bool = False
    text: bool = False


def _u(w: World, name: str, *args, **params) -> str:
    path = reverse(name, args=[w.project.slug, *args])
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{path}?{query}" if query else path


def _create(w: World) -> dict:
    start = w.x.text.index("Kremlin")
    return {
        "start": start,
        "end": start + 7,
        "quote": "Kremlin",
        "text_hash": w.x.content_hash,
        "client_token": str(uuid.uuid4()),
        "note": "a second passage of mine",
        "listed": str(w.mine.pk),
    }


def _outlet(w: World) -> int:
    return w.x.source_id


ASKED: dict[str, Callable[[World], list[Ask]]] = {
    "corpus:home": lambda w: [Ask(_u(w, "corpus:home"))],
    "corpus:story": lambda w: [Ask(_u(w, "corpus:story", w.story.pk))],
    "corpus:import": lambda w: [Ask(_u(w, "corpus:import"))],
    "corpus:story-delete": lambda w: [Ask(_u(w, "corpus:story-delete", w.story.pk), "post")],
    "corpus:article-details": lambda w: [Ask(_u(w, "corpus:article-details", w.x.pk))],
    "annotations:reader": lambda w: [
        Ask(_u(w, "annotations:reader", w.x.pk), text=True),
        Ask(_u(w, "annotations:reader", w.x.pk), htmx=True, text=True),
        Ask(_u(w, "annotations:reader", w.y.pk), text=True),
        Ask(_u(w, "annotations:reader", w.x.pk, annotator="bella"), text=True),
        Ask(_u(w, "annotations:reader", w.x.pk, tag=w.tag_b.pk), text=True),
    ],
    "annotations:create": lambda w: [
        Ask(_u(w, "annotations:create", w.x.pk), "post", _create(w), htmx=True, text=True),
        Ask(_u(w, "annotations:create", w.x.pk), "post", {"start": "x"}, text=True),
    ],
    "annotations:edit": lambda w: [
        Ask(_u(w, "annotations:edit", w.mine.pk), htmx=True),
        Ask(_u(w, "annotations:edit", w.theirs.pk)),
        Ask(_u(w, "annotations:edit", w.mine.pk), "post", {"version": 1, "note": "n"}, True, True),
        Ask(_u(w, "annotations:edit", w.gold.pk), "post", {"version": 1}),
    ],
    "annotations:delete": lambda w: [
        Ask(_u(w, "annotations:delete", w.theirs.pk)),
        Ask(_u(w, "annotations:delete", w.theirs.pk), "post"),
        Ask(_u(w, "annotations:delete", w.mine.pk)),
    ],
    "annotations:reattach": lambda w: [Ask(_u(w, "annotations:reattach", w.theirs.pk), "post")],
    "annotations:confirm": lambda w: [Ask(_u(w, "annotations:confirm", w.theirs.pk), "post")],
    "annotations:history": lambda w: [
        Ask(_u(w, "annotations:history", w.theirs.pk)),
        Ask(_u(w, "annotations:history", w.theirs_y.pk)),
        Ask(_u(w, "annotations:history", w.gold.pk)),
        Ask(_u(w, "annotations:history", w.mine.pk), htmx=True),
    ],
    "annotations:activity": lambda w: [
        Ask(_u(w, "annotations:activity")),
        Ask(_u(w, "annotations:activity", what="annotation"), htmx=True),
    ],
    "annotations:codebook": lambda w: [Ask(_u(w, "annotations:codebook"))],
    "annotations:actors": lambda w: [Ask(_u(w, "annotations:actors"))],
    "annotations:claims": lambda w: [Ask(_u(w, "annotations:claims"))],
    "analysis:compare": lambda w: [
        Ask(_u(w, "analysis:compare")),
        Ask(_u(w, "analysis:compare", layer="gold")),
        Ask(_u(w, "analysis:compare", rows="claims", count="distinct"), htmx=True),
        Ask(_u(w, "analysis:compare", rows="speakers", group="month")),
    ],
    "analysis:matrix": lambda w: [
        Ask(_u(w, "analysis:matrix")),
        Ask(_u(w, "analysis:matrix", layer="gold", rows="positions")),
    ],
    "analysis:cell": lambda w: [
        Ask(_u(w, "analysis:cell", row=w.tag_b.pk, column=_outlet(w))),
        Ask(_u(w, "analysis:cell", row=w.tag_b.pk, column=_outlet(w), layer="gold")),
        Ask(_u(w, "analysis:cell", rows="claims", row=w.claim_b.pk, column=_outlet(w)), htmx=True),
    ],
    "analysis:side-by-side": lambda w: [
        Ask(_u(w, "analysis:side-by-side", a=w.x.pk) + f"&a={w.y.pk}", text=True),
        Ask(_u(w, "analysis:side-by-side", a=w.x.pk, focus=f"tag-{w.tag_b.pk}"), text=True),
    ],
    "analysis:comparison-csv": lambda w: [
        Ask(_u(w, "analysis:comparison-csv")),
        Ask(_u(w, "analysis:comparison-csv", layer="gold", rows="claims")),
    ],
    "analysis:charts": lambda w: [
        Ask(_u(w, "analysis:charts")),
        Ask(_u(w, "analysis:charts", layer="gold")),
    ],
    "analysis:chart-file": lambda w: [
        Ask(_u(w, "analysis:chart-file", name, ext))
        for name in ("timeline", "voices", "positions", "heatmap")
        for ext in ("csv", "svg")
    ],
    "analysis:agreement": lambda w: [
        Ask(_u(w, "analysis:agreement")),
        Ask(_u(w, "analysis:agreement", tag=w.tag_b.pk)),
    ],
    "analysis:agreement-csv": lambda w: [Ask(_u(w, "analysis:agreement-csv"))],
    "analysis:agreement-tag": lambda w: [Ask(_u(w, "analysis:agreement-tag", w.tag_b.pk))],
    "analysis:claim": lambda w: [
        Ask(_u(w, "analysis:claim", w.claim_b.pk)),
        Ask(_u(w, "analysis:claim", w.claim_b.pk, layer="gold")),
    ],
    "analysis:actor": lambda w: [Ask(_u(w, "analysis:actor", w.actor_b.pk))],
    "analysis:claim-candidates": lambda w: [
        Ask(_u(w, "analysis:claim-candidates", w.claim_b.pk), text=True)
    ],
    "analysis:tag-candidates": lambda w: [
        Ask(_u(w, "analysis:tag-candidates", w.tag_b.pk), text=True)
    ],
    "analysis:claim-blind-spots": lambda w: [
        Ask(_u(w, "analysis:claim-blind-spots", w.claim_b.pk, outlet=_outlet(w)), htmx=True),
    ],
    "analysis:tag-blind-spots": lambda w: [
        Ask(_u(w, "analysis:tag-blind-spots", w.tag_b.pk, outlet=_outlet(w)), htmx=True),
    ],
    "analysis:search": lambda w: [
        Ask(_u(w, "analysis:search", q="marmalade")),
        Ask(_u(w, "analysis:search", q="lantern")),
        Ask(_u(w, "analysis:search", q="verdict", layer="gold")),
        Ask(_u(w, "analysis:search", q="gathered", coded="coded"), text=True),
        Ask(_u(w, "analysis:search", q="report", tag=w.tag_b.pk)),
    ],
    "analysis:annotations-csv": lambda w: [
        Ask(_u(w, "analysis:annotations-csv")),
        Ask(_u(w, "analysis:annotations-csv", format="long")),
        Ask(_u(w, "analysis:annotations-csv", layer="gold")),
        Ask(_u(w, "analysis:annotations-csv", article=w.x.pk, annotator="bella")),
    ],
    "analysis:annotations-jsonld": lambda w: [
        Ask(_u(w, "analysis:annotations-jsonld")),
        Ask(_u(w, "analysis:annotations-jsonld", layer="gold")),
    ],
    "analysis:codebook-csv": lambda w: [Ask(_u(w, "analysis:codebook-csv"))],
    "analysis:codebook-qdc": lambda w: [Ask(_u(w, "analysis:codebook-qdc"))],
    # The project file holds the articles' texts.
    "analysis:project-qdpx": lambda w: [
        Ask(_u(w, "analysis:project-qdpx"), text=True),
        Ask(_u(w, "analysis:project-qdpx", layer="gold"), text=True),
    ],
    "analysis:articles-csv": lambda w: [Ask(_u(w, "analysis:articles-csv"))],
    "analysis:qdpx-upload": lambda w: [Ask(_u(w, "analysis:qdpx-upload"))],
    "coding:assignments": lambda w: [Ask(_u(w, "coding:assignments"))],
    "coding:assign": lambda w: [Ask(_u(w, "coding:assign"), "post", {"scope": "listed"})],
    "coding:unassign": lambda w: [Ask(_u(w, "coding:unassign", w.extra["b_on_x"]), "post")],
    "coding:reopen": lambda w: [Ask(_u(w, "coding:reopen", w.extra["b_on_x"]), "post")],
    "coding:blind-coding": lambda w: [Ask(_u(w, "coding:blind-coding"), "post", {"on": "0"})],
    "coding:queue": lambda w: [
        Ask(_u(w, "coding:queue")),
        Ask(_u(w, "coding:queue", status="todo"), htmx=True),
    ],
    "coding:adjudication": lambda w: [Ask(_u(w, "coding:adjudication"))],
    "coding:adjudicate": lambda w: [Ask(_u(w, "coding:adjudicate", w.x.pk), text=True)],
    "coding:adjudicated": lambda w: [Ask(_u(w, "coding:adjudicated", w.x.pk), text=True)],
    "projects:members": lambda w: [Ask(_u(w, "projects:members"))],
    "projects:member-change": lambda w: [
        Ask(_u(w, "projects:member-change", w.extra["bella_member"]), "post", {"role": "viewer"})
    ],
    "projects:member-adjudicator": lambda w: [
        Ask(_u(w, "projects:member-adjudicator", w.extra["bella_member"]), "post")
    ],
    "projects:member-remove": lambda w: [
        Ask(_u(w, "projects:member-remove", w.extra["bella_member"]), "post")
    ],
    "projects:member-add": lambda w: [Ask(_u(w, "projects:member-add"), "post", {"who": "x"})],
}
# The adjudication's writes: an analyst who is no adjudicator is refused (403) before
# anything is read.
for _action in ("take", "decide", "drop", "undo", "accept", "finish"):
    ASKED[f"coding:adjudicate-{_action}"] = lambda w, a=_action: [
        Ask(_u(w, f"coding:adjudicate-{a}", w.x.pk), "post", {})
    ]

NO_ANNOTATIONS = {
    "corpus:story-create": "makes a story of ticked articles; answers with a redirect",
    "corpus:story-edit": "renames a story; answers with a redirect",
    "corpus:story-articles": "adds or removes articles of a story; a redirect",
    "corpus:import-batch": "an import's items (owners only), before any annotation",
    "analysis:save-view": "saves a screen's query string under a name",
    "analysis:delete-view": "deletes a saved view",
    "analysis:reject-candidate": "the analyst's own rejection; answers empty or a redirect",
    "analysis:qdpx-import": "a project file being imported (owners only)",
    "coding:done": "the analyst's own done: the switch of this matrix (tested below)",
}


def _project_url_names() -> set[str]:
    """Every URL name under /p/<slug>/, with its namespace."""
    names = set()

    def walk(patterns, route="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(pattern.url_patterns, route + str(pattern.pattern), joined)
            elif (route + str(pattern.pattern)).startswith("p/<slug:project_slug>/"):
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_project_url_is_in_the_matrix():
    names = _project_url_names()
    assert len(names) > 60
    assert sorted(names - set(ASKED) - set(NO_ANNOTATIONS)) == [], "new views: add them here"
    assert sorted((set(ASKED) | set(NO_ANNOTATIONS)) - names) == [], "views gone"


@pytest.fixture
def world(cast) -> World:
    w = blind_world.build(cast)
    w.extra["b_on_x"] = Assignment.objects.get(article=w.x, coder=w.b).pk
    w.extra["bella_member"] = w.project.memberships.get(user=w.b).pk
    # The owner's adjudication of X (its gold passage) is under way.
    Adjudication.objects.create(article=w.x, adjudicator=w.owner)
    return w


def _make_adjudicator(w: World) -> None:
    w.project.memberships.filter(user=w.a).update(adjudicator=True)


def _marks(pk: int) -> re.Pattern:
    """Where an annotation's id shows: its highlight, sidebar item and anchors, the ids
    a highlight lists, its URLs, the exports' ids."""
    return re.compile(
        rf'id="[ah]{pk}"|#h{pk}\b|data-a="(?:[^"]* )?{pk}(?: [^"]*)?"|/annotations/{pk}/'
        rf'|"id": ?{pk}\b|annotation-{pk}\b'
    )


def _leaks(
    client, w: World, notes: tuple[str, ...], quotes: tuple[str, ...], hidden: tuple = ()
) -> list[str]:
    """Every request of the matrix as the logged-in user: what it showed that it must not
    (the words of ``notes`` anywhere, of ``quotes`` where no article text is shown, the
    ids of the ``hidden`` annotations)."""
    found = []
    ids = [(annotation.pk, _marks(annotation.pk)) for annotation in hidden]
    for name, asks in ASKED.items():
        for ask in asks(w):
            extra = {"HTTP_HX_REQUEST": "true"} if ask.htmx else {}
            response = getattr(client, ask.method)(ask.path, ask.data or {}, **extra)
            where = f"{name} {ask.method.upper()} {ask.path}"
            if response.status_code >= 500:
                found.append(f"{where}: {response.status_code}")
                continue
            body = text_of(response)
            for word in notes + (() if ask.text else quotes):
                if word in body:
                    found.append(f"{where} ({response.status_code}) shows {word}")
            for pk, pattern in ids:
                if ask.method == "get" and (seen := pattern.search(body)):
                    found.append(f"{where} ({response.status_code}) shows #{pk}: {seen[0]}")
    return found


@pytest.mark.parametrize("adjudicator", [False, True])
def test_before_done_nothing_of_the_other_coder_reaches_the_analyst(client, world, adjudicator):
    if adjudicator:  # reads the adjudication pages, but codes X blind
        _make_adjudicator(world)
    client.force_login(world.a)
    hidden = (world.theirs, world.theirs_y, world.gold)
    notes, quotes = blind_world.HIDDEN_NOTES, blind_world.HIDDEN_QUOTES
    assert _leaks(client, world, notes, quotes, hidden) == []


@pytest.mark.parametrize("adjudicator", [False, True])
def test_after_done_the_articles_work_shows_and_the_others_stays_hidden(client, world, adjudicator):
    if adjudicator:
        _make_adjudicator(world)
    client.force_login(world.a)
    response = client.post(reverse("coding:done", args=[world.project.slug, world.x.pk]))
    assert response.status_code == 302
    reader = client.get(world.x.get_absolute_url()).text
    assert blind_world.B_NOTE in reader
    notes, quotes = blind_world.HIDDEN_NOTES_AFTER, blind_world.HIDDEN_QUOTES_AFTER
    assert _leaks(client, world, notes, quotes, (world.theirs_y,)) == []


def _csv_rows(client, w: World, **params) -> list[dict]:
    url = reverse("analysis:annotations-csv", args=[w.project.slug])
    response = client.get(url, {"bom": "0", **params})
    return list(csv.DictReader(io.StringIO(text_of(response))))


def _counts(client, w: World) -> dict:
    """The numbers each place shows, for the one who is logged in."""
    slug = w.project.slug
    home = client.get(w.project.get_absolute_url()).text
    codebook = {
        r["tag"]: int(r["annotations"])
        for r in csv.DictReader(
            io.StringIO(
                text_of(client.get(reverse("analysis:codebook-csv", args=[slug]), {"bom": "0"}))
            )
        )
    }
    articles = {
        r["title"]: int(r["annotations"])
        for r in csv.DictReader(
            io.StringIO(
                text_of(client.get(reverse("analysis:articles-csv", args=[slug]), {"bom": "0"}))
            )
        )
    }
    compare = client.get(reverse("analysis:compare", args=[slug])).text
    claims = client.get(reverse("annotations:claims", args=[slug])).text
    agreement = list(
        csv.DictReader(
            io.StringIO(
                text_of(client.get(reverse("analysis:agreement-csv", args=[slug]), {"bom": "0"}))
            )
        )
    )
    story = client.get(reverse("corpus:story", args=[slug, w.story.pk])).text
    actors = client.get(reverse("annotations:actors", args=[slug])).text
    table = csv.DictReader(
        io.StringIO(
            text_of(client.get(reverse("analysis:comparison-csv", args=[slug]), {"bom": "0"}))
        )
    )
    candidates = client.get(reverse("analysis:claim-candidates", args=[slug, w.claim_b.pk])).text
    # A comparison row's blind spot under "by anton": coded there by someone else?
    spots = client.get(
        reverse("analysis:claim-blind-spots", args=[slug, w.claim_b.pk]),
        {"outlet": _outlet(w), "annotator": w.a.pk},
        headers={"HX-Request": "true"},
    ).text
    return {
        "home": int(re.search(r"<strong>(\d+)</strong> annotations", home).group(1)),
        "csv": len(_csv_rows(client, w)),
        "gold": len(_csv_rows(client, w, layer="gold")),
        "fauna": codebook["fauna"],
        "per article": articles,
        "compare": int(re.search(r"<strong>(\d+)</strong> annotations?", compare).group(1)),
        "claim": int(
            re.search(r"Animals protest the war.*?<td class=\"num\">(\d+)", claims, re.S).group(1)
        ),
        "coders": sorted(
            {r["coder_a"] for r in agreement if r["coder_a"]}
            | {r["coder_b"] for r in agreement if r["coder_b"]}
        ),
        "story": [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', story)],
        "speaks": int(
            re.search(r"<strong>Peskov</strong>.*?<td class=\"num\">(\d+)", actors, re.S).group(1)
        ),
        "table": sum(int(r["count"]) for r in table if r["row"] == "fauna"),
        "candidates coded": len(re.findall(r"<strong>coded</strong>", candidates)),
        "blind spot coded": spots.count("Coded, but not by these filters"),
    }


def test_counts_leave_out_the_other_coder_until_done(client, world):
    client.force_login(world.a)
    before = _counts(client, world)
    assert before == {
        "home": 1,
        "csv": 1,
        "gold": 0,
        "fauna": 0,
        "per article": {"Aleppo report": 1, "Desert report": 0},
        "compare": 1,
        "claim": 0,
        "coders": [],
        "story": [1, 0],
        "speaks": 0,
        "table": 0,
        "candidates coded": 0,
        "blind spot coded": 0,
    }
    mark_done(article=world.x, coder=world.a)
    after = _counts(client, world)
    assert after == {
        "home": 2,
        "csv": 2,
        "gold": 1,
        "fauna": 1,
        "per article": {"Aleppo report": 2, "Desert report": 0},
        "compare": 2,
        "claim": 1,
        "coders": ["anton", "bella"],
        "story": [2, 0],
        "speaks": 1,
        "table": 1,
        "candidates coded": 1,
        "blind spot coded": 1,
    }


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_owners_and_viewers_see_everything_throughout(client, world, role):
    client.force_login(getattr(world, role))
    everything = {
        "home": 3,
        "csv": 3,
        "gold": 1,
        "fauna": 2,
        "per article": {"Aleppo report": 2, "Desert report": 1},
        "compare": 3,
        "claim": 1,
        "coders": ["anton", "bella"],
        "story": [2, 1],
        "speaks": 1,
        "table": 2,
        "candidates coded": 1,
        "blind spot coded": 1,
    }
    assert _counts(client, world) == everything
    for note in (blind_world.B_NOTE, blind_world.Y_NOTE):
        assert note in text_of(
            client.get(reverse("analysis:annotations-csv", args=[world.project.slug]))
        )
    assert blind_world.B_NOTE in client.get(world.x.get_absolute_url()).text
    mark_done(article=world.x, coder=world.a)
    assert _counts(client, world) == everything


def test_the_other_coder_is_blind_too(client, world):
    client.force_login(world.b)
    page = client.get(world.x.get_absolute_url()).text
    assert blind_world.B_NOTE in page and blind_world.A_NOTE not in page
    assert blind_world.A_NOTE not in text_of(
        client.get(reverse("analysis:annotations-csv", args=[world.project.slug]))
    )


def test_without_blind_coding_analysts_see_everything(client, world):
    world.project.blind_coding = False
    world.project.save()
    client.force_login(world.a)
    assert blind_world.B_NOTE in client.get(world.x.get_absolute_url()).text
    assert len(_csv_rows(client, world)) == 3


def test_the_matrix_sees_a_leak_where_there_is_one(client, world):
    """Without blind coding the same requests show the other coder's work: the matrix
    asks where it would be, and would notice."""
    world.project.blind_coding = False
    world.project.save()
    client.force_login(world.a)
    hidden = (world.theirs, world.theirs_y, world.gold)
    notes, quotes = blind_world.HIDDEN_NOTES, blind_world.HIDDEN_QUOTES
    leaked = {line.split(" ")[0] for line in _leaks(client, world, notes, quotes, hidden)}
    assert leaked >= {
        "annotations:reader",
        "annotations:create",
        "annotations:edit",
        "annotations:history",
        "annotations:activity",
        "analysis:compare",
        "analysis:cell",
        "analysis:side-by-side",
        "analysis:claim",
        "analysis:actor",
        "analysis:agreement-tag",
        "analysis:search",
        "analysis:annotations-csv",
        "analysis:annotations-jsonld",
        "analysis:project-qdpx",
    }


def test_an_adjudicator_still_coding_blind_does_not_see_the_others_versions(client, world):
    membership = world.project.memberships.get(user=world.a)
    membership.adjudicator = True
    membership.save()
    client.force_login(world.a)
    response = client.get(reverse("coding:adjudicate", args=[world.project.slug, world.x.pk]))
    assert blind_world.B_NOTE not in response.text
    # Refused, with the reason (the adjudication page's own check).
    assert response.status_code == 403 and "mark it done" in response.text


def test_after_done_the_analysts_writes_on_the_article_are_refused(client, world):
    """Having seen the other's work on X, A's passages there are final (until an owner
    reopens X): every write of the matrix on X's passages is refused, with the reason."""
    mark_done(article=world.x, coder=world.a)
    client.force_login(world.a)
    writes = ("annotations:create", "annotations:edit", "annotations:delete")
    mine = [_u(world, "annotations:create", world.x.pk)] + [
        _u(world, name, world.mine.pk)
        for name in ("annotations:edit", "annotations:delete", "annotations:confirm")
    ]
    asked = [ask for name in writes for ask in ASKED[name](world) if ask.path in mine]
    asked.append(Ask(_u(world, "annotations:reattach", world.mine.pk), "post", {}, htmx=True))
    asked.append(Ask(_u(world, "annotations:confirm", world.mine.pk), "post", {}))
    assert len(asked) >= 7
    for ask in asked:
        extra = {"HTTP_HX_REQUEST": "true"} if ask.htmx else {}
        response = getattr(client, ask.method)(ask.path, ask.data or {}, **extra)
        assert response.status_code == 403, ask
        assert FINISHED_BLIND.replace("'", "&#x27;") in response.text, ask
    world.mine.refresh_from_db()
    assert world.mine.version == 1


SIGNS = ("reader's link", "adjudicated page's status", "filter bar's count")


def _adjudication_signs(client, w: World) -> dict[str, bool]:
    """Where a blind analyst could learn that X is being adjudicated."""
    slug = w.project.slug
    reader = client.get(w.x.get_absolute_url()).text
    gold = client.get(reverse("coding:adjudicated", args=[slug, w.x.pk])).text
    compare = client.get(reverse("analysis:compare", args=[slug]), {"layer": "gold"}).text
    return {
        "reader's link": "adjudicated version</a>" in reader,
        "adjudicated page's status": "adjudication in progress" in gold,
        "filter bar's count": "1 in progress" in compare,
    }


@pytest.mark.parametrize("adjudicator", [False, True])
def test_an_article_coded_blind_is_not_said_to_be_adjudicated_until_done(
    client, world, adjudicator
):
    if adjudicator:
        _make_adjudicator(world)
    client.force_login(world.a)
    assert _adjudication_signs(client, world) == dict.fromkeys(SIGNS, False)
    mark_done(article=world.x, coder=world.a)
    assert _adjudication_signs(client, world) == dict.fromkeys(SIGNS, True)
    client.force_login(world.b)  # who has not marked X done
    assert _adjudication_signs(client, world) == dict.fromkeys(SIGNS, False)
    client.force_login(world.viewer)
    assert _adjudication_signs(client, world) == dict.fromkeys(SIGNS, True)


def test_the_adjudication_list_leaves_out_what_an_adjudicator_codes_blind(client, world):
    _make_adjudicator(world)
    membership = world.project.memberships.select_related("project", "user").get(user=world.a)
    url = reverse("coding:adjudication", args=[world.project.slug])
    client.force_login(world.a)
    page = client.get(url)
    assert page.status_code == 200
    assert world.x.title not in page.text and "Bella" not in page.text
    # Left out by the query (the page's count), not after it.
    shown, rows = listing(world.project, story=None, status="", page=None, seen_by=membership)
    assert shown.paginator.count == 0 and rows == []
    mark_done(article=world.x, coder=world.a)
    page = client.get(url).text
    assert world.x.title in page and "Bella" in page
    shown, _ = listing(world.project, story=None, status="", page=None, seen_by=membership)
    assert shown.paginator.count == 1
