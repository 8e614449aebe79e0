"""The demo's adjudication: the owner settled the BBC article the two analysts
double-coded, taking some units from each coder's version and merging one, and marked
it adjudicated; so "Whose passages: Adjudicated" in the filter bar shows something real.
The RT article, double-coded too, is left for the visitor to adjudicate.
"""

from __future__ import annotations

from apps.accounts.models import User
from apps.annotations.models import Annotation, Layer, Position, Tag, Voice
from apps.coding import adjudicating
from apps.coding.models import Adjudication
from apps.coding.units import Unit
from apps.corpus.models import Article

ARTICLE = "bbc-2016-09-29"
ADJUDICATOR = "owner"
# Each unit, named by one coder's passage in it (username, start), and whose version
# the owner took; the one merge follows.
TAKEN = [
    (("analyst2", 106), "analyst2"),  # only Maya marked Peskov's statement
    (("analyst", 237), "analyst"),  # "blame on US" as well
    (("analyst", 352), "analyst2"),  # the span without the stray character
    (("analyst", 2526), "analyst2"),  # trapped civilians: civilian harm too
    (("analyst", 2744), "analyst"),  # O'Brien's warning from his own words
    (("analyst", 2953), "analyst"),  # the accusation with its denial
]
MERGED = ("analyst", 926)  # Maya's two tags, the analyst's reading of the stance


def load_adjudication(articles: dict[str, Article], users: dict[str, User]) -> None:
    """Idempotent: an article adjudicated already is left as it is."""
    article = articles[ARTICLE]
    if Adjudication.objects.filter(article=article).exists():
        return
    owner = users[ADJUDICATOR]
    for (coder, start), taken in TAKEN:
        unit = _unit(article, users[coder], start)
        source = next(v.pk for v in unit.versions if v.coder_id == users[taken].pk)
        adjudicating.take_version(article=article, key=unit.key, source=source, adjudicator=owner)
    unit = _unit(article, users[MERGED[0]], MERGED[1])
    # The coders agree on the passage, its claim and its actors: it is from the first.
    passage = Annotation.objects.select_related("claim", "speaker", "target").get(
        pk=unit.versions[0].pk
    )
    coding = adjudicating.Coding(
        passage.start,
        passage.end,
        list(Tag.objects.filter(pk__in=set().union(*(v.tag_ids for v in unit.versions)))),
        passage.claim,
        passage.speaker,
        passage.target,
        Voice.REPORTED,
        Position.SUPPORTS,
        "Maya's tags (the complaint blames the US); Russia's complaint reported as it "
        "stands, as the analyst read it.",
    )
    adjudicating.decide(article=article, key=unit.key, coding=coding, adjudicator=owner, merge=True)
    adjudicating.finish(article=article, adjudicator=owner)
    assert article.annotations.filter(layer=Layer.GOLD).count() == len(TAKEN) + 1


def _unit(article: Article, coder: User, start: int) -> Unit:
    found = adjudicating.article_units(article)
    return next(
        unit
        for unit in found.units
        if any(v.coder_id == coder.pk and v.start == start for v in unit.versions)
    )
