"""The demo's adjudication: the owner settled the BBC article (units taken from each
coder, one merged) and finished it; the RT article is left to adjudicate; loading again
changes nothing."""

from collections import Counter

from apps.annotations.models import Annotation, Layer
from apps.coding.adjudicating import article_units
from apps.coding.adjudication_pages import same
from apps.coding.models import Adjudication, GoldSource
from apps.coding.units import read_golds
from apps.sampledata.demo import load_demo


def test_the_owner_adjudicated_the_bbc_article(db, demo_project):
    adjudication = Adjudication.objects.get()
    bbc = adjudication.article
    assert bbc.source.name == "BBC News"
    assert adjudication.adjudicator.username == "owner" and adjudication.finished_at
    found = article_units(bbc)
    assert all(unit.settled for unit in found.units)
    # Its coders of record, the two assigned (the owner's passage there is not compared).
    assert set(found.coders) == {"Analyst Demo", "Maya Okafor"}
    golds = read_golds(bbc.pk)
    assert len(golds) == len(found.units) == 7
    taken_from: Counter = Counter()
    merged = 0
    for unit in found.units:
        (gold,) = (golds[pk] for pk in unit.golds)
        whose = [v.coder for v in unit.versions if same(gold, v)]
        taken_from.update(whose[:1])
        merged += not whose
        assert gold.quote == bbc.text[gold.start : gold.end]
    assert taken_from["Analyst Demo"] >= 2 and taken_from["Maya Okafor"] >= 2
    assert merged == 1
    # Each gold passage names every coder's passage of its unit.
    coders = Annotation.objects.filter(
        article=bbc, layer=Layer.CODER, annotator__username__in=["analyst", "analyst2"]
    )
    assert GoldSource.objects.filter(gold__article=bbc).count() == coders.count()


def test_the_rt_article_is_left_to_adjudicate(db, demo_project):
    rt = demo_project.articles.get(source__name="RT")
    assert not Adjudication.objects.filter(article=rt).exists()
    assert not Annotation.objects.filter(article=rt, layer=Layer.GOLD).exists()
    assert len(article_units(rt).disagreeing) >= 5


def test_loading_the_demo_again_adjudicates_nothing_twice(db, demo_project):
    before = sorted(Annotation.objects.values_list("pk", "layer", "version"))
    again = load_demo(with_users=True)
    assert again.created_annotations == 0
    assert sorted(Annotation.objects.values_list("pk", "layer", "version")) == before
    assert Adjudication.objects.count() == 1
