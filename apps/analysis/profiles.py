"""How the outlets treat one claim, or one actor: the data of the claim and actor pages.

Counts follow the comparison's rule (DESIGN §6, ``compare.py``): one annotation, one
passage. The numbers are aggregated by the database in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from apps.analysis.filters import AnnotationFilter
from apps.annotations.models import Actor, Annotation, Claim, Stance
from apps.corpus.models import Source
from apps.projects.models import Project

# The claim page shows the first passages in time; the export has them all.
TIMELINE_LENGTH = 50


@dataclass
class OutletStance:
    source: Source
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def verdict(self) -> str:
        """How the outlet carries the claim, in one phrase."""
        if not self.total:
            return "never mentions it"
        if self.counts.get("asserts"):
            return "asserts it in its own voice"
        if self.counts.get("disputes") and not self.counts.get("reports"):
            return "only disputes it"
        if self.counts.get("reports"):
            return "reports others asserting it"
        return "mentions it"


def _project_sources(project: Project) -> list[Source]:
    return list(Source.objects.filter(articles__project=project).distinct().order_by("name"))


def claim_profile(*, project: Project, claim: Claim, user) -> dict:
    annotations = AnnotationFilter({"claim": claim.pk}).annotations(project, user)
    timeline = list(
        annotations.with_related()
        .select_related("article__project")
        .order_by("article__published", "article__source__name", "start")[:TIMELINE_LENGTH]
    )
    outlets = {s.pk: OutletStance(source=s) for s in _project_sources(project)}
    for source_id, stance, n in (
        annotations.values("article__source_id", "stance")
        .annotate(n=Count("pk"))
        .values_list("article__source_id", "stance", "n")
    ):
        outlets[source_id].counts[stance] = n
    ordered = sorted(outlets.values(), key=lambda o: (-o.total, o.source.name))
    total = sum(o.total for o in ordered)
    return {
        "passages": annotations,
        "totals": {o.source.pk: o.total for o in ordered},
        "timeline": timeline,
        "timeline_more": max(0, total - len(timeline)),
        "outlets": ordered,
        "stances": [(value, value) for value in Stance.values] + [("", "no stance")],
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


def actor_profile(*, project: Project, actor: Actor) -> dict:
    in_project = Annotation.objects.filter(article__project=project)
    spoken = in_project.filter(speaker=actor)
    outlets = {s.pk: OutletVoice(source=s) for s in _project_sources(project)}
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
        outlet.top.append((speaker_id, n))
    names = dict(project.actors.values_list("pk", "name"))
    for outlet in outlets.values():
        outlet.top = [
            (names[pk], n) for pk, n in sorted(outlet.top, key=lambda x: (-x[1], names[x[0]]))[:3]
        ]
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
        "spoken_count": sum(o.quoted for o in ordered),
    }
