"""The units of adjudication: where an article's coders agree or differ, passage by
passage.

An article's coders' passages (their layer; an orphaned passage has no place in the
text and forms no unit) are grouped into **units** by the agreement's own pairing
(``analysis.agreement_pairs.pair_passages``): for each two coders, their passages paired
one to one, most shared characters first. The pairs of all coders are then joined,
strongest first, into groups holding at most one passage of each coder, so that with two
coders a unit is exactly a pair of the agreement (or a passage no other coder's
overlaps), and with more it is the pairs that agree with each other.

A unit **differs** where its coders' versions are not the same: a coder of the article
has no passage in it (one marked it, another did not), or the spans, the tags, the
claim, the speaker, the target, the voice or the position differ (the note is shown,
not compared). A unit is **settled** once a gold passage is linked to one of its
passages (``GoldSource``) or its passages were dropped ("no passage here").

A unit is named by its passages and their versions (``key``): a decision posted for a
unit whose passages a coder changed since the page was read names no unit any more,
and is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from apps.analysis.agreement_pairs import (
    CodedPassage,
    assigned_coders,
    of_record,
    pair_passages,
)
from apps.annotations.models import (
    AnchorStatus,
    Annotation,
    AnnotationTag,
    Layer,
    Position,
    Stance,
    Voice,
)
from apps.coding.models import DroppedPassage, GoldSource

# What the versions of a unit are compared on, and how the page names each difference.
COMPARED = {
    "span": "span",
    "tags": "tags",
    "claim_id": "claim",
    "speaker_id": "speaker",
    "target_id": "target",
    "voice": "voice",
    "position": "position",
}
CONTEXT = 80  # code points of text shown on each side of a quote


@dataclass
class Version:
    """One coder's passage in a unit, with everything a version is compared on."""

    pk: int
    version: int
    coder_id: int
    coder: str  # the coder's name as pages show it
    start: int
    end: int
    quote: str
    claim_id: int | None
    claim: str | None
    speaker_id: int | None
    speaker: str | None
    target_id: int | None
    target: str | None
    voice: str
    position: str
    note: str
    anchor_status: str
    tags: list[tuple[int, str]] = field(default_factory=list)  # (id, name), codebook order
    before: str = ""  # the text around the quote, for the page
    after: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def tag_ids(self) -> frozenset[int]:
        return frozenset(pk for pk, _ in self.tags)

    def value(self, name: str) -> object:
        return self.tag_ids if name == "tags" else getattr(self, name)

    @property
    def stance(self) -> str:
        return Stance.words(self.voice, self.position)

    @property
    def voice_words(self) -> str:
        return Stance.voice_of(self.speaker, self.voice) if self.speaker or self.voice else ""


@dataclass
class Unit:
    """Paired passages of an article's coders (one each at most), and what became of
    them in adjudication."""

    versions: list[Version]  # in the order of the article's coders
    coders: list[str]  # every coder of the article, by name, in that order
    golds: list[int] = field(default_factory=list)  # gold passages linked to it
    dropped: bool = False
    number: int = 0  # in the article's reading order, for the page
    decided: list[Any] = field(default_factory=list)  # the page's view of ``golds``
    span_options: list[tuple[str, str, str]] = field(default_factory=list)  # value, label, text

    @property
    def key(self) -> str:
        return "-".join(f"{v.pk}.{v.version}" for v in sorted(self.versions, key=_pk))

    @property
    def anchor(self) -> str:
        """The unit's element id on the page."""
        return f"u{min(v.pk for v in self.versions)}"

    @property
    def start(self) -> int:
        return min(v.start for v in self.versions)

    @property
    def end(self) -> int:
        return max(v.end for v in self.versions)

    @property
    def missing(self) -> list[str]:
        """The article's coders with no passage in this unit."""
        present = {v.coder for v in self.versions}
        return [name for name in self.coders if name not in present]

    @property
    def differences(self) -> list[str]:
        """What the versions differ on, in words ("passage" where a coder has none)."""
        found = ["passage"] if self.missing else []
        for name, label in COMPARED.items():
            if len({v.value(name) for v in self.versions}) > 1:
                found.append(label)
        return found

    @property
    def agreed(self) -> bool:
        return not self.differences

    @property
    def settled(self) -> bool:
        return bool(self.golds) or self.dropped

    @property
    def intersection(self) -> tuple[int, int] | None:
        start, end = max(v.start for v in self.versions), min(v.end for v in self.versions)
        return (start, end) if start < end else None

    def spans(self) -> list[tuple[str, tuple[int, int]]]:
        """The spans a merge may take, each once, named: each coder's, the union, the
        intersection."""
        named: dict[tuple[int, int], list[str]] = {}
        for v in self.versions:
            named.setdefault(v.span, []).append(f"{v.coder}'s")
        if len(named) > 1:
            named.setdefault((self.start, self.end), []).append("the union")
            if (both := self.intersection) is not None:
                named.setdefault(both, []).append("the intersection")
        return [(" = ".join(names), span) for span, names in named.items()]

    def values(self, name: str) -> list[object]:
        """The distinct values of the versions for ``name``, in coder order."""
        return list(dict.fromkeys(v.value(name) for v in self.versions))

    # What a merge offers, as (form value, label) pairs: the versions' own values.
    @property
    def tag_choices(self) -> list[tuple[int, str, bool]]:
        """Every tag a coder gave, and whether all of them gave it (ticked at first)."""
        shared = frozenset.intersection(*(v.tag_ids for v in self.versions))
        named = {pk: name for v in self.versions for pk, name in v.tags}
        return [(pk, name, pk in shared) for pk, name in named.items()]

    @property
    def claim_choices(self) -> list[tuple[str, str]]:
        return self._choices("claim_id", "claim", "no claim")

    @property
    def speaker_choices(self) -> list[tuple[str, str]]:
        return self._choices("speaker_id", "speaker", "no speaker")

    @property
    def target_choices(self) -> list[tuple[str, str]]:
        return self._choices("target_id", "target", "no target")

    @property
    def voice_choices(self) -> list[tuple[str, str]]:
        labels = dict(Voice.choices)
        return list({v.voice: labels.get(v.voice, "not given") for v in self.versions}.items())

    @property
    def position_choices(self) -> list[tuple[str, str]]:
        labels = dict(Position.choices)
        return list(
            {v.position: labels.get(v.position, "not given") for v in self.versions}.items()
        )

    @property
    def merge_fields(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """What a merge chooses besides span and tags: (field, legend, choices)."""
        return [
            ("claim", "Claim", self.claim_choices),
            ("speaker", "Speaker", self.speaker_choices),
            ("target", "Target", self.target_choices),
            ("voice", "Voice", self.voice_choices),
            ("position", "Position", self.position_choices),
        ]

    def _choices(self, field_name: str, label: str, none: str) -> list[tuple[str, str]]:
        found: dict[str, str] = {}
        for v in self.versions:
            value = getattr(v, field_name)
            found.setdefault("" if value is None else str(value), getattr(v, label) or none)
        return list(found.items())


def _pk(version: Version) -> int:
    return version.pk


@dataclass
class ArticleUnits:
    """An article's units, in reading order, and what the units leave out."""

    article_id: int
    coders: list[str]
    units: list[Unit]
    orphaned: int = 0  # coders' passages without a place in the text: no unit

    @property
    def disagreeing(self) -> list[Unit]:
        return [u for u in self.units if not u.agreed]

    @property
    def agreeing(self) -> list[Unit]:
        return [u for u in self.units if u.agreed]

    @property
    def settled(self) -> int:
        return sum(1 for u in self.units if u.settled)

    @property
    def open_disagreements(self) -> int:
        return sum(1 for u in self.disagreeing if not u.settled)

    def find(self, key: str) -> Unit | None:
        return next((u for u in self.units if u.key == key), None)


_FIELDS = (
    "pk",
    "version",
    "annotator_id",
    "annotator__username",
    "annotator__first_name",
    "annotator__last_name",
    "start",
    "end",
    "quote",
    "claim_id",
    "claim__text",
    "speaker_id",
    "speaker__name",
    "target_id",
    "target__name",
    "voice",
    "position",
    "note",
    "anchor_status",
    "article_id",
)


def read_units(article_ids: Iterable[int]) -> dict[int, ArticleUnits]:
    """The units of each article, in four queries whatever their number: the coders'
    passages, their tags, and the gold links and drops that settle units."""
    ids = list(article_ids)
    passages = (
        Annotation.objects.filter(article_id__in=ids, layer=Layer.CODER)
        .order_by("article_id", "start", "end", "pk")
        .values_list(*_FIELDS)
    )
    by_article: defaultdict[int, list[Version]] = defaultdict(list)
    orphaned: defaultdict[int, int] = defaultdict(int)
    coders: defaultdict[int, dict[int, str]] = defaultdict(dict)
    assigned = assigned_coders(ids)
    for row in passages:
        version = _version(row)
        article_id = row[-1]
        if not of_record(article_id, version.coder_id, assigned):
            continue  # not one of the article's assigned coders: not double coding
        coders[article_id][version.coder_id] = version.coder
        if version.anchor_status == AnchorStatus.ORPHANED:
            orphaned[article_id] += 1
            continue
        by_article[article_id].append(version)
    _read_tags(by_article)
    gold_of, dropped = _settling(ids)
    found = {}
    for article_id in ids:
        names = dict(
            sorted(coders[article_id].items(), key=lambda item: (item[1].casefold(), item[0]))
        )
        units = group(by_article[article_id], list(names))
        for unit in units:
            unit.coders = list(names.values())
            unit.golds = sorted({gold_of[v.pk] for v in unit.versions if v.pk in gold_of})
            unit.dropped = any(v.pk in dropped for v in unit.versions)
        found[article_id] = ArticleUnits(
            article_id, list(names.values()), units, orphaned[article_id]
        )
    return found


def read_golds(article_id: int) -> dict[int, Version]:
    """The article's adjudicated passages, by id, as versions (their "coder" the
    adjudicator who decided them), in two queries."""
    rows = (
        Annotation.objects.filter(article_id=article_id, layer=Layer.GOLD)
        .order_by("start", "end", "pk")
        .values_list(*_FIELDS)
    )
    golds = {row[0]: _version(row) for row in rows}
    _read_tags({article_id: list(golds.values())})
    return golds


def _version(row: tuple) -> Version:
    """A passage read as ``_FIELDS`` name them."""
    (pk, version, coder_id, username, first, last, start, end, quote) = row[:9]
    (claim_id, claim, speaker_id, speaker, target_id, target) = row[9:15]
    (voice, position, note, status) = row[15:19]
    name = f"{first} {last}".strip() or username
    return Version(
        pk=pk,
        version=version,
        coder_id=coder_id,
        coder=name,
        start=start,
        end=end,
        quote=quote,
        claim_id=claim_id,
        claim=claim,
        speaker_id=speaker_id,
        speaker=speaker,
        target_id=target_id,
        target=target,
        voice=voice,
        position=position,
        note=note,
        anchor_status=status,
    )


def _read_tags(by_article: dict[int, list[Version]]) -> None:
    versions = {v.pk: v for found in by_article.values() for v in found}
    links = (
        AnnotationTag.objects.filter(annotation_id__in=list(versions))
        .order_by("tag__position", "tag__name")
        .values_list("annotation_id", "tag_id", "tag__name")
    )
    for annotation_id, tag_id, name in links:
        versions[annotation_id].tags.append((tag_id, name))


def _settling(article_ids: list[int]) -> tuple[dict[int, int], set[int]]:
    """The gold passage each coder's passage is linked to, and the dropped passages."""
    links = GoldSource.objects.filter(gold__article_id__in=article_ids, source__isnull=False)
    gold_of = {source: gold for source, gold in links.values_list("source_id", "gold_id")}
    drops = DroppedPassage.objects.filter(article_id__in=article_ids)
    return gold_of, set(drops.values_list("source_id", flat=True))


def group(versions: list[Version], coder_order: list[int]) -> list[Unit]:
    """An article's passages as units: each two coders' passages paired as the
    agreement pairs them, the pairs then joined strongest first (most shared
    characters) while a unit keeps one passage per coder; in reading order."""
    by_coder: defaultdict[int, list[Version]] = defaultdict(list)
    for v in versions:
        by_coder[v.coder_id].append(v)
    as_coded = {v.pk: _coded(v) for v in versions}
    links = []
    for first, second in combinations(sorted(by_coder), 2):
        pairs = pair_passages(
            [as_coded[v.pk] for v in by_coder[first]], [as_coded[v.pk] for v in by_coder[second]]
        )
        for one, other in pairs:
            shared = min(one.end, other.end) - max(one.start, other.start)
            links.append(((-shared, one.start, other.start, one.pk, other.pk), one.pk, other.pk))
    root = {v.pk: v.pk for v in versions}
    members = {v.pk: {v.coder_id} for v in versions}

    def find(pk: int) -> int:
        while root[pk] != pk:
            root[pk] = root[root[pk]]
            pk = root[pk]
        return pk

    for _, a, b in sorted(links):
        ra, rb = find(a), find(b)
        if ra != rb and members[ra].isdisjoint(members[rb]):
            root[rb] = ra
            members[ra] |= members.pop(rb)
    groups: defaultdict[int, list[Version]] = defaultdict(list)
    for v in versions:
        groups[find(v.pk)].append(v)
    place = {coder: i for i, coder in enumerate(coder_order)}
    units = [Unit(sorted(g, key=lambda v: place.get(v.coder_id, 0)), []) for g in groups.values()]
    return sorted(units, key=lambda u: (u.start, u.end, min(v.pk for v in u.versions)))


def _coded(v: Version) -> CodedPassage:
    return CodedPassage(
        v.pk, 0, v.coder_id, v.start, v.end, v.claim_id, v.speaker_id, v.voice, v.position
    )


def with_context(versions: Iterable[Version], text: str) -> None:
    """Give each version the words around its quote, for the page."""
    for v in versions:
        before, after = text[max(0, v.start - CONTEXT) : v.start], text[v.end : v.end + CONTEXT]
        # Where the context is cut: at a word's edge, with an ellipsis.
        if v.start > CONTEXT:
            before = "…" + (before.split(" ", 1)[-1] if " " in before else before)
        if v.end + CONTEXT < len(text):
            after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
        v.before, v.after = before, after
