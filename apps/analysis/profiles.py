"""How the outlets treat one claim, or one actor: the data of the claim and actor pages.

Counts follow the comparison's rule (``compare.py``): one annotation, one passage, and a
claim stands for the claims under it. The numbers are aggregated by the database in a
fixed number of queries. Passage lists are bounded: a claim at scale can have thousands
of passages, so a page shows the first ``PER_SOURCE`` of each outlet (by publication
date) and links to the export for the rest; the ranking reads narrow rows (ids and
dates), and only the passages kept are then read in full.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from apps.annotations.filters import AnnotationFilter
from apps.annotations.models import Actor, Annotation, Position, Stance, Voice
from apps.corpus.models import Source
from apps.projects.models import Project

# The claim page shows the first passages in time; the export has them all.
TIMELINE_LENGTH = 50


# The claim page's columns: each voice with each position; then passages whose stance
# leaves a part out, in one column.
STANCE_COLUMNS: list[tuple[str, str]] = [(v, p) for v in Voice.values for p in Position.values]


@dataclass
class OutletStance:
    source: Source
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (voice, position)
    filtered: bool = False  # only the passages that match filters on passages

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        """Passages per ``STANCE_COLUMNS``, then those with a part of the stance left out."""
        shown = [self.counts.get(column, 0) for column in STANCE_COLUMNS]
        return [*shown, self.total - sum(shown)]

    @property
    def verdict(self) -> str:
        """How the outlet carries the claim, in one phrase. With filters on the passages
        an outlet without any is not said to never mention the claim: it may, otherwise."""
        if self.filtered and not self.total:
            return "no passage that matches the filters"
        return Stance.verdict(self.counts)


def claim_profile(*, project: Project, filters: AnnotationFilter, user) -> dict:
    """How the outlets of a selection carry a claim (``filters`` names the claim).

    An outlet is judged only on the selection's articles: one with none of them (say,
    nothing published in the period) has "no coverage", and is not said to leave the
    claim out."""
    annotations = filters.annotations(project, user)
    timeline = list(
        annotations.with_related()
        .select_related("article__project")
        .order_by("article__published", "article__source__name", "start")[:TIMELINE_LENGTH]
    )
    covered = filters.outlets_with_articles(project)
    filtered = any(key != "claim" for key in filters.active_on_passages)
    outlets = {s.pk: OutletStance(source=s, filtered=filtered) for s in covered}
    for source_id, voice, position, n in (
        annotations.values("article__source_id", "voice", "position")
        .annotate(n=Count("pk"))
        .values_list("article__source_id", "voice", "position", "n")
    ):
        outlets[source_id].counts[(voice, position)] = n
    ordered = sorted(outlets.values(), key=lambda o: (-o.total, o.source.name))
    total = sum(o.total for o in ordered)
    return {
        "passages": annotations,
        "totals": {o.source.pk: o.total for o in ordered},
        "timeline": timeline,
        "timeline_more": max(0, total - len(timeline)),
        "outlets": ordered,
        "voices": Voice.choices,
        "positions": Position.choices,
        "silent": [o.source for o in ordered if not o.total],
        "total": total,
    }


@dataclass
class OutletVoice:
    source: Source
    quoted: int = 0
    with_speaker: int = 0
    top: list[tuple[str, int]] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return round(100 * self.quoted / self.with_speaker, 1) if self.with_speaker else None


def actor_profile(*, project: Project, actor: Actor, filters: AnnotationFilter, user) -> dict:
    """Who quotes an actor and whom the actor blames, within the selection of
    ``filters`` (its outlets: those with an article in it)."""
    in_project = filters.annotations(project, user)
    spoken = in_project.filter(speaker=actor)
    covered = filters.outlets_with_articles(project)
    outlets = {s.pk: OutletVoice(source=s) for s in covered}
    speakers: dict[int, list[tuple[int, int]]] = defaultdict(list)  # source -> (actor, n)
    # Voice share: of the passages with a speaker in an outlet, how many are this actor's.
    for source_id, speaker_id, n in (
        in_project.exclude(speaker=None)
        .values("article__source_id", "speaker_id")
        .annotate(n=Count("pk"))
        .values_list("article__source_id", "speaker_id", "n")
    ):
        outlet = outlets[source_id]
        outlet.with_speaker += n
        if speaker_id == actor.pk:
            outlet.quoted = n
        speakers[source_id].append((speaker_id, n))
    names = dict(project.actors.values_list("pk", "name"))
    for source_id, found in speakers.items():
        ranked = sorted(found, key=lambda x: (-x[1], names[x[0]]))[:3]
        outlets[source_id].top = [(names[pk], n) for pk, n in ranked]
    claims: dict[str, dict[str, int]] = defaultdict(dict)
    for text, source, n in (
        spoken.exclude(claim=None)
        .values("claim__text", "article__source__name")
        .annotate(n=Count("pk"))
        .values_list("claim__text", "article__source__name", "n")
    ):
        claims[text][source] = n
    blames = list(
        spoken.exclude(target=None)
        .values("target__name")
        .annotate(n=Count("pk"), outlets=Count("article__source", distinct=True))
        .order_by("-n", "target__name")
        .values_list("target__name", "n", "outlets")
    )
    ordered = sorted(outlets.values(), key=lambda o: (-o.quoted, o.source.name))
    return {
        "voices": ordered,
        "claims": sorted(claims.items(), key=lambda item: -sum(item[1].values())),
        "blames": blames,
        "quoting": [o for o in ordered if o.quoted],
        "never": [o.source for o in ordered if not o.quoted],
        "targeted_count": in_project.filter(target=actor).count(),
        "spoken_passages": spoken,
        "targeted_passages": in_project.filter(target=actor),
        "spoken_count": sum(o.quoted for o in ordered),
    }


PER_SOURCE = 5


@dataclass
class SourceGroup:
    source: Source
    passages: list[Annotation]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.passages)


def by_source(
    annotations: QuerySet[Annotation],
    per_source: int = PER_SOURCE,
    totals: dict[int, int] | None = None,
) -> list[SourceGroup]:
    """``totals`` (passages per source id) may be passed when the caller has them."""
    if totals is None:
        totals = dict(
            annotations.values("article__source_id")
            .annotate(n=Count("pk"))
            .values_list("article__source_id", "n")
        )
    kept = annotations.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("article__source_id")],
            order_by=[
                F("article__published").asc(nulls_last=True),
                F("start").asc(),
                F("pk").asc(),
            ],
        )
    ).filter(rank__lte=per_source)
    first = (
        Annotation.objects.filter(pk__in=list(kept.values_list("pk", flat=True)))
        .order_by()  # sorted below; the default ordering would join and sort in SQL
        .with_related()
        .select_related("article__project")
    )
    groups: dict[int, SourceGroup] = {}
    for annotation in first:
        source = annotation.article.source
        group = groups.setdefault(source.pk, SourceGroup(source, [], totals.get(source.pk, 0)))
        group.passages.append(annotation)
    for group in groups.values():
        group.passages.sort(
            key=lambda a: (a.article.published is None, a.article.published, a.start, a.pk)
        )
    return sorted(groups.values(), key=lambda g: g.source.name.casefold())
