"""The one filter of annotations: the reader, the comparisons, the claim and actor pages,
the search and every export select through ``AnnotationFilter`` (the analysis screens
through its extension with a text query, ``analysis/forms.py``).

The same query-string parameters mean the same thing everywhere, so a URL of a screen can
be turned into the URL of its export by changing the path only. A tag or a claim stands
for its whole subtree (``trees.py``).

Two kinds of condition: on the *articles* (story, outlets, kind of outlet, country,
dates: what a comparison's columns are made of) and on the *passages* (tags, claim,
speaker, target, the two parts of the stance, annotator, anchor status). And the
*layer*: the coders' passages unless ``layer=gold`` asks for the adjudicated ones, so an
adjudicated passage is never counted as a coder's work by default.
"""

from __future__ import annotations

import re

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from apps.annotations import trees
from apps.annotations.models import (
    AnchorStatus,
    Annotation,
    AnnotationQuerySet,
    AnnotationTag,
    Claim,
    Layer,
    Position,
    Stance,
    Tag,
    Voice,
)
from apps.corpus.models import Article, Source, SourceKind
from apps.projects import visibility
from apps.projects.models import Project

MAX_ID = 2**63 - 1
MAX_VALUES = 100  # ids or codes in one list parameter
NONE = "none"  # a stance part filtered for being left out
_COUNTRY = re.compile(r"[A-Z]{2}")


def listed(data, name: str) -> list[str]:
    """The values of ``name`` given as repeated parameters (?source=1&source=2, from
    checkboxes) or comma-separated (?source=1,2, handy in a shared URL or on the command
    line)."""
    getlist = getattr(data, "getlist", None)
    values = getlist(name) if getlist else [data.get(name, "")]
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


class ListWidget(forms.CheckboxSelectMultiple):
    """A list parameter (``listed``)."""

    def value_from_datadict(self, data, files, name):
        return listed(data, name)


def id_list(parts, what: str) -> list[int]:
    """Ids given in a list parameter (``ListWidget``), or ValidationError."""
    parts = parts or []
    # isdigit() alone accepts "²"; ids beyond 64 bits overflow the database.
    if not all(str(p).isascii() and str(p).isdigit() and len(str(p)) < 19 for p in parts):
        raise forms.ValidationError(f"Give {what} ids, as numbers.")
    if len(parts) > MAX_VALUES:
        raise forms.ValidationError(f"Give at most {MAX_VALUES} {what}s.")
    return sorted({int(p) for p in parts})


def _id_field(help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


class AnnotationFilter(forms.Form):
    # On the articles.
    article = forms.Field(
        required=False, widget=ListWidget, help_text="Article ids (repeat, or comma-separated)."
    )
    story = _id_field()
    source = forms.Field(
        required=False, widget=ListWidget, help_text="Outlet ids (repeat, or comma-separated)."
    )
    kind = forms.Field(required=False, widget=ListWidget, help_text="Kinds of outlet.")
    country = forms.Field(
        required=False, widget=ListWidget, help_text="Outlets' countries (ISO codes, e.g. GB)."
    )
    since = forms.DateField(required=False, help_text="Published on or after.")
    until = forms.DateField(required=False, help_text="Published on or before.")
    # On the passages.
    tag = forms.Field(
        required=False, widget=ListWidget, help_text="Tag ids; each stands for its subtree."
    )
    tag_mode = forms.ChoiceField(
        required=False,
        choices=[("any", "any of them"), ("all", "all of them")],
        help_text="With several tags: passages with any of them (default), or with all.",
    )
    claim = _id_field("With the claims under it.")
    speaker = _id_field()
    target = _id_field("The actor blamed or addressed.")
    actor = _id_field("As speaker or target.")
    voice = forms.ChoiceField(
        required=False, choices=[("", "Any"), *Voice.choices, (NONE, "Not given")]
    )
    position = forms.ChoiceField(
        required=False, choices=[("", "Any"), *Position.choices, (NONE, "Not given")]
    )
    # A stance of one part, as URLs saved before stances had two (``Stance.FORMER``).
    stance = forms.ChoiceField(
        required=False, choices=[("", "Any"), *((v, v) for v in Stance.FORMER), (NONE, "None")]
    )
    annotator = forms.CharField(required=False, max_length=150)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any"), *AnchorStatus.choices], label="Anchoring"
    )
    # Whose passages: the coders' (the default, so adjudicated passages never count as a
    # coder's work unless asked for) or the adjudicated ones (``Layer``).
    layer = forms.ChoiceField(
        required=False,
        choices=[("", "All coders"), *Layer.choices],
        label="Whose passages",
        help_text="coder (the default) or gold: the adjudicated passages.",
    )

    ON_ARTICLES: tuple[str, ...] = (
        "article",
        "story",
        "source",
        "kind",
        "country",
        "since",
        "until",
    )
    ON_PASSAGES: tuple[str, ...] = (
        "tag",
        "claim",
        "speaker",
        "target",
        "actor",
        "voice",
        "position",
        "stance",
        "annotator",
        "status",
    )
    KEYS: tuple[str, ...] = (*ON_ARTICLES, *ON_PASSAGES, "tag_mode", "layer")

    @staticmethod
    def choices_for(project: Project) -> dict:
        """What the filter bar's lists offer (every screen's). The outlets are read once:
        their kinds and countries come from the same rows."""
        outlets = list(
            Source.objects.in_project(project)
            .order_by("name")
            .values_list("pk", "name", "kind", "country")
        )
        kinds = sorted({kind for _, _, kind, _ in outlets})
        return {
            "stories": project.stories.all(),
            "sources": [(pk, name) for pk, name, _, _ in outlets],
            "kinds": [(kind, SourceKind(kind).label) for kind in kinds],
            "countries": sorted({country.upper() for _, _, _, country in outlets if country}),
            "tags": project.tags.all(),
            "claims": project.claims.order_by("text"),
            "actors": project.actors.order_by("name"),
            "annotators": project.memberships.filter(role__in=["owner", "analyst"])
            .select_related("user")
            .order_by("user__username"),
        }

    def clean_source(self) -> list[int]:
        return id_list(self.cleaned_data["source"], "outlet")

    def clean_article(self) -> list[int]:
        return id_list(self.cleaned_data["article"], "article")

    def clean_tag(self) -> list[int]:
        return id_list(self.cleaned_data["tag"], "tag")

    def clean_kind(self) -> list[str]:
        kinds = self.cleaned_data["kind"] or []
        unknown = [k for k in kinds if k not in SourceKind.values]
        if unknown:
            raise forms.ValidationError(f"Unknown kind of outlet: {', '.join(unknown)}.")
        return sorted(set(kinds))

    def clean_country(self) -> list[str]:
        countries = [str(c).upper() for c in self.cleaned_data["country"] or []]
        if not all(_COUNTRY.fullmatch(c) for c in countries) or len(countries) > MAX_VALUES:
            raise forms.ValidationError("Give countries as two-letter codes, such as GB.")
        return sorted(set(countries))

    def articles(self, project: Project) -> QuerySet[Article]:
        """The articles of the selection (story, outlets, kinds, countries, dates): the
        comparison's columns come from these, so an outlet whose articles carry no
        annotation still shows."""
        articles = Article.objects.filter(project=project)
        if not self.is_valid():
            return articles.none()  # a broken filter must not widen to everything
        return articles.filter(self._on_articles(""))

    def outlets_with_articles(self, project: Project) -> QuerySet[Source]:
        """The outlets with an article in the selection: those judged on it."""
        covered = self.articles(project).filter(source=OuterRef("pk"))
        return Source.objects.filter(Exists(covered)).order_by("name")

    def outlets_without_articles(self, project: Project) -> QuerySet[Source]:
        """The project's outlets that the selection keeps (its outlets, kinds, countries)
        but that have no article in it (its story, dates): "no coverage", which is not a
        blind spot, since there was nothing to leave out."""
        outlets = Source.objects.in_project(project)
        if not self.is_valid():
            return outlets.none()
        data = self.cleaned_data
        if data["source"]:
            outlets = outlets.filter(pk__in=data["source"])
        if data["kind"]:
            outlets = outlets.filter(kind__in=data["kind"])
        if data["country"]:
            outlets = outlets.filter(self._either("country__iexact", data["country"]))
        covered = self.articles(project).filter(source=OuterRef("pk"))
        return outlets.filter(~Exists(covered)).order_by("name")

    @staticmethod
    def _either(lookup: str, values: list[str]) -> Q:
        condition = Q()
        for value in values:
            condition |= Q(**{lookup: value})
        return condition

    def _on_articles(self, to_article: str) -> Q:
        data, a = self.cleaned_data, to_article
        condition = Q()
        if data["article"]:
            condition &= Q(**{f"{a}pk__in": data["article"]})
        if data["story"]:
            condition &= Q(**{f"{a}stories": data["story"]})
        if data["source"]:
            condition &= Q(**{f"{a}source_id__in": data["source"]})
        if data["kind"]:
            condition &= Q(**{f"{a}source__kind__in": data["kind"]})
        if data["country"]:  # stored countries may be in either case
            condition &= self._either(f"{a}source__country__iexact", data["country"])
        if data["since"]:
            condition &= Q(**{f"{a}published__gte": data["since"]})
        if data["until"]:
            condition &= Q(**{f"{a}published__lte": data["until"]})
        return condition

    def condition(self, project: Project, user, prefix: str = "") -> Q:
        """The filter as a condition on annotations, or on tag links with ``prefix``
        ``"annotation__"``, so aggregates can join instead of nesting. Both models have
        ``article``, so conditions on the article need no prefix (and no extra join).

        Each annotation matches at most once (the tag filter is a subquery, not a join),
        so counts over the condition need no DISTINCT. ``user`` is who is looking: their
        ``annotator=me``, and what blind coding lets them see (``projects.visibility``;
        ``None``, a command, sees everything)."""
        p = prefix
        condition = Q(article__project=project)
        if not self.is_valid():
            return condition & Q(pk__in=[])  # a broken filter must not widen to everything
        data = self.cleaned_data
        condition &= self._on_articles("article__")
        condition &= self._layer(p)
        # Blind coding: an analyst's selection holds only what they may see yet.
        condition &= visibility.visible(user, project, p)
        if data["tag"]:
            subtrees = [self._subtree(Tag, project, tag) for tag in data["tag"]]
            if data["tag_mode"] != "all":
                subtrees = [sorted({pk for subtree in subtrees for pk in subtree})]
            # Asked per annotation, through the (annotation, tag) index: an IN over every
            # annotation of a tag read all of them first (120 ms per query at 200,000).
            annotation = OuterRef(f"{p}pk" if p else "pk")
            for subtree in subtrees:
                tagged = AnnotationTag.objects.filter(annotation_id=annotation, tag_id__in=subtree)
                condition &= Q(Exists(tagged))
        if data["claim"]:
            claims = self._subtree(Claim, project, data["claim"])
            condition &= Q(**{f"{p}claim_id__in": claims})
        for field in ("speaker", "target"):
            if data[field]:
                condition &= Q(**{f"{p}{field}_id": data[field]})
        if data["actor"]:
            condition &= Q(**{f"{p}speaker_id": data["actor"]}) | Q(
                **{f"{p}target_id": data["actor"]}
            )
        for part in ("voice", "position"):
            if data[part]:
                condition &= Q(**{f"{p}{part}": "" if data[part] == NONE else data[part]})
        if data["stance"]:
            condition &= self._former_stance(data["stance"], p)
        if data["annotator"] == "me":
            condition &= Q(**{f"{p}annotator_id": getattr(user, "pk", None)})
        elif data["annotator"]:
            condition &= Q(**{f"{p}annotator__username": data["annotator"]})
        if data["status"]:
            condition &= Q(**{f"{p}anchor_status": data["status"]})
        return condition

    @staticmethod
    def _former_stance(value: str, p: str) -> Q:
        """A one-part stance (``Stance.FORMER``) as its two parts."""
        if value == NONE:
            return Q(**{f"{p}voice": "", f"{p}position": ""})
        if value == "disputes":
            return Q(**{f"{p}position": Position.DISPUTES})
        voice, position = Stance.from_former(value, has_speaker=False)
        return Q(**{f"{p}voice": voice, f"{p}position": position})

    def _subtree(self, model: type[Tag] | type[Claim], project: Project, root: int) -> list[int]:
        """``root`` and everything under it. The codebook (or the claims) is read once per
        filter, however many tags are chosen and however often the condition is asked."""
        cache = self.__dict__.setdefault("_trees", {})
        key = (model, project.pk)
        if key not in cache:
            parents = dict(model.objects.filter(project=project).values_list("pk", "parent_id"))
            cache[key] = trees.subtrees(parents)
        return sorted(cache[key].get(root, {root}))

    def _layer(self, prefix: str) -> Q:
        """The selected layer as a condition. On tag links the coders' layer is asked as
        "no adjudicated passage of that id": those are few (a partial index holds them),
        so the links need no join with the annotation table, whose rows are wide. A
        matrix of 40,000 annotations' tags on PostgreSQL: that query 80 ms with the
        join, 35 with the anti-join. (Only for the one-valued ``annotation__``: through
        a many-valued prefix "no adjudicated one" would mean something else.)"""
        layer = self.selected_layer
        if prefix == "annotation__" and layer == Layer.CODER:
            adjudicated = Annotation.objects.filter(pk=OuterRef("annotation_id"), layer=Layer.GOLD)
            return ~Q(Exists(adjudicated))
        return Q(**{f"{prefix}layer": layer})

    @property
    def selected_layer(self) -> str:
        """The layer the selection counts: the coders' unless the adjudicated one is
        asked for."""
        valid = self.is_valid()
        return (self.cleaned_data["layer"] if valid else "") or Layer.CODER

    def coders_only(self) -> AnnotationFilter:
        """The same selection on the coders' layer (the agreement between coders
        compares their own passages, whatever the screen's layer)."""
        if not self.data.get("layer"):
            return self
        data = self.data.copy() if hasattr(self.data, "copy") else dict(self.data)
        data.pop("layer", None)
        return type(self)(data)

    def annotations(self, project: Project, user) -> AnnotationQuerySet:
        """The project's annotations matching the filter (none if it is invalid)."""
        return Annotation.objects.filter(self.condition(project, user))

    def given(self, key: str) -> list[str]:
        """The values given for ``key``, as written (repeated or comma-separated)."""
        return listed(self.data, key)  # a widget per call was most of ``active``

    def _given(self, keys: tuple[str, ...]) -> list[str]:
        return [key for key in keys if self.given(key)]

    @property
    def active(self) -> bool:
        """Whether the filter narrows anything (some parameter is given; how several tags
        combine narrows nothing by itself)."""
        return bool(self._given(tuple(k for k in self.KEYS if k != "tag_mode")))

    @property
    def active_on_passages(self) -> list[str]:
        """The filters on passages that are given (they hide the passages of others)."""
        return self._given(self.ON_PASSAGES)

    def query_string(self, without: tuple[str, ...] = ()) -> str:
        """The filter's own parameters (but ``without``), to carry from a screen to its
        export."""
        kept = QueryDict(mutable=True)
        for key in self.KEYS:
            if key in without or (key == "tag_mode" and not self._given(("tag",))):
                continue  # how tags combine, without tags, says nothing
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else []
            values = [v for v in values if v] or ([self.data[key]] if self.data.get(key) else [])
            if values:
                kept.setlist(key, values)
        return kept.urlencode()
