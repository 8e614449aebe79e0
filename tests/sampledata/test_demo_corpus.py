"""The demo corpus is what a newcomer sees first and what later tests lean on."""

import itertools
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.annotations.models import Actor, Annotation, Claim, Tag
from apps.corpus.models import Article, Source, Story
from apps.corpus.text import canonicalize
from apps.sampledata.demo import DEMO_DIR, article_text, load_demo, read_corpus

SEEDS_METADATA = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "METADATA.md"
DATA = read_corpus()


@pytest.fixture
def demo(db):
    return load_demo(with_users=True)


@pytest.mark.parametrize("row", DATA["articles"], ids=lambda row: row["key"])
def test_every_demo_text_is_already_canonical(row):
    text = article_text(DEMO_DIR, row["key"])
    assert text == canonicalize(text)


@pytest.mark.parametrize(
    "row", DATA["annotations"], ids=lambda row: f"{row['article']}@{row['start']}"
)
def test_every_annotation_quote_equals_the_text_at_its_offsets(row):
    text = article_text(DEMO_DIR, row["article"])
    assert 0 <= row["start"] < row["end"] <= len(text)
    assert text[row["start"] : row["end"]] == row["quote"]


@pytest.mark.parametrize(
    "chrome",
    [
        "Accessibility links",
        "Quantcast",
        "Post a Comment",
        "<script",
        "XS\n",
        "$ 0 0",
        "READ MORE",
        "](#)",
    ],
)
def test_site_chrome_is_gone_from_the_clean_texts(chrome):
    for row in DATA["articles"]:
        assert chrome not in article_text(DEMO_DIR, row["key"]), row["key"]


def test_the_clean_texts_keep_the_articles_own_words():
    # The BBC copy's typo is the outlet's, not ours to fix.
    assert "talkson" in article_text(DEMO_DIR, "bbc-2016-09-29")
    rt = article_text(DEMO_DIR, "rt-2016-06-21")
    assert "Russia needs to understand that our patience is not infinite" in rt


def test_the_raw_originals_are_kept_byte_for_byte():
    seeds = SEEDS_METADATA.parent
    if not seeds.exists():
        pytest.skip("the shared seeds are not beside this checkout")
    for row in DATA["articles"]:
        assert (DEMO_DIR / "raw" / row["raw"]).read_bytes() == (seeds / row["raw"]).read_bytes()


def test_titles_and_dates_are_those_of_the_seed_metadata():
    if not SEEDS_METADATA.exists():
        pytest.skip("the shared seeds are not beside this checkout")
    table = {}
    for line in SEEDS_METADATA.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 4 and cells[0].endswith(".txt"):
            table[cells[0]] = (cells[2], cells[3])
    for row in DATA["articles"]:
        title, published = table[row["raw"]]
        assert row["published"] == published
        # The BBC file has no headline; its metadata adds a note in brackets.
        assert row["title"] == re.sub(r"\s*\(.*\)$", "", title)


def test_loading_the_demo_builds_the_whole_project(demo):
    project = demo.project
    assert project.name == "Syria: Russia–US diplomacy 2014–2016"
    sources = set(Source.objects.values_list("name", flat=True))
    assert sources == {"RT", "BBC News", "RFE/RL", "Business Insider", "Bloomberg"}
    assert Article.objects.filter(project=project).count() == 5
    assert Story.objects.filter(project=project).count() >= 2
    assert Tag.objects.filter(project=project).count() >= 10
    assert Tag.objects.filter(project=project, parent__isnull=False).exists()
    assert Actor.objects.filter(project=project).exclude(aliases="").count() >= 15
    assert Claim.objects.filter(project=project).count() >= 6
    annotations = Annotation.objects.filter(article__project=project)
    assert annotations.count() >= 25
    per_article = {a.pk: 0 for a in project.articles.all()}
    for annotation in annotations:
        per_article[annotation.article_id] += 1
        assert annotation.quote == annotation.article.text[annotation.start : annotation.end]
    assert min(per_article.values()) >= 1


def test_the_demo_has_overlapping_annotations(demo):
    spans = sorted(
        Annotation.objects.values_list("article_id", "start", "end"),
    )
    overlaps = sum(
        1 for (a1, s1, e1), (a2, s2, e2) in itertools.pairwise(spans) if a1 == a2 and s2 < e1
    )
    assert overlaps >= 2


def test_loading_the_demo_twice_duplicates_nothing(demo):
    counts = (Article.objects.count(), Annotation.objects.count(), Tag.objects.count())
    again = load_demo(with_users=True)
    assert (again.created_articles, again.created_annotations) == (0, 0)
    assert (Article.objects.count(), Annotation.objects.count(), Tag.objects.count()) == counts


def test_demo_users_have_one_role_each(demo):
    roles = dict(demo.project.memberships.values_list("user__username", "role"))
    assert roles == {
        "owner": "owner",
        "analyst": "analyst",
        "analyst2": "analyst",
        "viewer": "viewer",
    }


def test_the_demo_owner_runs_the_project_without_staff_status(demo, client):
    from django.urls import reverse

    from apps.accounts.models import User

    owner, operator = User.objects.get(username="owner"), User.objects.get(username="admin")
    assert not owner.is_staff and not owner.is_superuser
    assert operator.is_superuser and not operator.memberships.exists()
    client.force_login(owner)
    assert 'href="/admin/"' not in client.get(demo.project.get_absolute_url()).text
    codebook = client.get(reverse("annotations:codebook", args=[demo.project.slug])).text
    assert "Add a tag" in codebook  # the owner's tools are in the app


def test_the_demo_command_refuses_to_create_users_outside_demo_mode(db, settings):
    from django.core.management import CommandError, call_command

    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo")
    call_command("load_demo", "--no-users")
    assert Article.objects.count() == 5
    assert not Annotation.objects.exists()


def test_the_corpus_file_is_valid_json_with_unique_names():
    data = json.loads((DEMO_DIR / "corpus.json").read_text(encoding="utf-8"))
    for key, field in [("tags", "name"), ("actors", "name"), ("claims", "text")]:
        names = [row[field] for row in data[key]]
        assert len(names) == len(set(names)), key
