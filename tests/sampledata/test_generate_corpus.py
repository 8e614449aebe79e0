from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.annotations.models import Annotation, Claim, Tag
from apps.corpus.models import Article
from apps.sampledata.synthetic import generate_corpus


def _fingerprint(slug):
    articles = list(
        Article.objects.filter(project__slug=slug)
        .order_by("pk")
        .values_list("text", "source__name")
    )
    spans = list(
        Annotation.objects.filter(article__project__slug=slug)
        .order_by("pk")
        .values_list("start", "end", "quote", "voice", "position")
    )
    return articles, spans


def test_the_same_seed_gives_the_same_corpus(db):
    generate_corpus(project_slug="one", articles=8, sources=3, annotations=60, seed=4)
    generate_corpus(project_slug="two", articles=8, sources=3, annotations=60, seed=4)
    one, two = _fingerprint("one"), _fingerprint("two")
    assert one == two  # texts, outlets, spans, quotes and stances


def test_the_corpus_is_shaped_like_real_work(db):
    corpus = generate_corpus(project_slug="shape", articles=20, sources=4, annotations=400, seed=2)
    annotations = Annotation.objects.filter(article__project=corpus.project)
    assert annotations.count() == 400 and corpus.articles == 20
    assert Tag.objects.filter(project=corpus.project, parent__isnull=False).exists()
    assert Claim.objects.filter(project=corpus.project, parent__isnull=False).exists()
    assert annotations.values("annotator").distinct().count() == 3
    assert annotations.exclude(speaker=None).exists() and annotations.exclude(claim=None).exists()
    for a in annotations.select_related("article"):
        assert a.article.text[a.start : a.end] == a.quote
    texts = "".join(Article.objects.filter(project=corpus.project).values_list("text", flat=True))
    assert any(ch in texts for ch in "👍🇸🇾") or any("\u0590" <= ch <= "\u06ff" for ch in texts)


def test_the_command_refuses_to_overwrite_a_project(db, capsys):
    call_command("generate_corpus", "--project", "gen", "--articles", "5", "--annotations", "20")
    assert "5 articles, 20 annotations" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already has articles"):
        call_command("generate_corpus", "--project", "gen", "--articles", "5")


@pytest.mark.django_db
def test_the_candidates_speed_benchmark_times_a_claim_and_a_tag_of_a_generated_corpus():
    generate_corpus(project_slug="speed", articles=30, sources=4, annotations=300, seed=5)
    out = StringIO()
    call_command("evaluate_candidates", "--speed", "speed", "--runs", "2", stdout=out)
    rows = [row for row in out.getvalue().splitlines()[3:] if row.startswith("| ")]
    assert [row.split(":")[0] for row in rows] == [
        "| the claim coded most",
        "| the claim coded least",
        "| the tag with the most tags right under it",
        "| a comparison row's note on 5 outlets, the claim coded most",
    ]
    with pytest.raises(CommandError, match="generate_corpus first"):
        call_command("evaluate_candidates", "--speed", "nowhere")
