"""The one filter of annotations: the reader, the comparisons, the claim and actor pages
and every export select through ``AnnotationFilter``.

The same query-string parameters mean the same thing everywhere, so a URL of a screen can
be turned into the URL of its export by changing the path only. A tag or a claim stands
for its whole subtree (``trees.py``).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict

from apps.annotations import trees
from apps.annotations.models import Annotation, AnnotationQuerySet, AnnotationTag, Claim, Tag
from apps.corpus.models import Article, Source
from apps.projects.models import Project

MAX_ID = 2**63 - 1


class IdListWidget(forms.CheckboxSelectMultiple):
    """Ids given as repeated parameters (?source=1&source=2, from checkboxes) or
    comma-separated (?source=1,2, handy in a shared URL or on the command line)."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else [data.get(name, "")]
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


class AnnotationFilter(forms.Form):
    article = forms.Field(
        required=False, widget=IdListWidget, help_text="Article ids (repeat, or comma-separated)."
    )
    story = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    source = forms.Field(
        required=False, widget=IdListWidget, help_text="Outlet ids (repeat, or comma-separated)."
    )
    tag = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    claim = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    actor = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="As speaker or target."
    )
    annotator = forms.CharField(required=False, max_length=150)
    since = forms.DateField(required=False, help_text="Published on or after.")
    until = forms.DateField(required=False, help_text="Published on or before.")

    KEYS: tuple[str, ...] = (
        "article",
        "story",
        "source",
        "tag",
        "claim",
        "actor",
        "annotator",
        "since",
        "until",
    )

    @staticmethod
    def choices_for(project: Project) -> dict:
        """What the selection's lists offer (every screen's filter bar)."""
        return {
            "stories": project.stories.all(),
            "sources": Source.objects.in_project(project).values_list("pk", "name"),
            "tags": project.tags.all(),
            "annotators": project.memberships.filter(role__in=["owner", "analyst"])
            .select_related("user")
            .order_by("user__username"),
        }

    @staticmethod
    def _ids(parts, what: str) -> list[int]:
        parts = parts or []
        # isdigit() alone accepts "²"; ids beyond 64 bits overflow the database.
        if not all(str(p).isascii() and str(p).isdigit() and len(str(p)) < 19 for p in parts):
            raise forms.ValidationError(f"Give {what} ids, as numbers.")
        return [int(p) for p in parts]

    def clean_source(self) -> list[int]:
        return self._ids(self.cleaned_data["source"], "outlet")

    def clean_article(self) -> list[int]:
        return self._ids(self.cleaned_data["article"], "article")

    def articles(self, project: Project) -> QuerySet[Article]:
        """The articles of the selection (story, outlets, dates): the comparison's columns
        come from these, so an outlet whose articles carry no annotation still shows."""
        articles = Article.objects.filter(project=project)
        if not self.is_valid():
            return articles.none()  # a broken filter must not widen to everything
        data = self.cleaned_data
        if data["article"]:
            articles = articles.filter(pk__in=data["article"])
        if data["story"]:
            articles = articles.filter(stories=data["story"])
        if data["source"]:
            articles = articles.filter(source_id__in=data["source"])
        if data["since"]:
            articles = articles.filter(published__gte=data["since"])
        if data["until"]:
            articles = articles.filter(published__lte=data["until"])
        return articles

    def condition(self, project: Project, user, prefix: str = "") -> Q:
        """The filter as a condition on annotations, or on tag links with ``prefix``
        ``"annotation__"``, so aggregates can join instead of nesting. Both models have
        ``article``, so conditions on the article need no prefix (and no extra join).

        Each annotation matches at most once (the tag filter is a subquery, not a join),
        so counts over the condition need no DISTINCT."""
        p = prefix
        condition = Q(article__project=project)
        if not self.is_valid():
            return condition & Q(pk__in=[])  # a broken filter must not widen to everything
        data = self.cleaned_data
        if data["article"]:
            condition &= Q(article_id__in=data["article"])
        if data["story"]:
            condition &= Q(**{"article__stories": data["story"]})
        if data["source"]:
            condition &= Q(**{"article__source_id__in": data["source"]})
        if data["tag"]:
            tags = self._subtree(Tag, project, data["tag"])
            tagged = AnnotationTag.objects.filter(tag_id__in=tags).values("annotation_id")
            condition &= Q(**{f"{p}pk__in": tagged})
        if data["claim"]:
            claims = self._subtree(Claim, project, data["claim"])
            condition &= Q(**{f"{p}claim_id__in": claims})
        if data["actor"]:
            condition &= Q(**{f"{p}speaker_id": data["actor"]}) | Q(
                **{f"{p}target_id": data["actor"]}
            )
        if data["annotator"] == "me":
            condition &= Q(**{f"{p}annotator_id": getattr(user, "pk", None)})
        elif data["annotator"]:
            condition &= Q(**{f"{p}annotator__username": data["annotator"]})
        if data["since"]:
            condition &= Q(**{"article__published__gte": data["since"]})
        if data["until"]:
            condition &= Q(**{"article__published__lte": data["until"]})
        return condition

    def _subtree(self, model: type[Tag] | type[Claim], project: Project, root: int) -> list[int]:
        # A screen asks for the condition several times (counts, passages): one query.
        cache = self.__dict__.setdefault("_subtrees", {})
        key = (model, project.pk, root)
        if key not in cache:
            cache[key] = trees.subtree_ids(model.objects.filter(project=project), root)
        return cache[key]

    def annotations(self, project: Project, user) -> AnnotationQuerySet:
        """The project's annotations matching the filter (none if it is invalid)."""
        return Annotation.objects.filter(self.condition(project, user))

    @property
    def active(self) -> bool:
        """Whether the filter narrows anything (some parameter is given)."""
        return any(self.data.get(key) for key in self.KEYS)

    def query_string(self) -> str:
        """The filter's own parameters, to carry from a screen to its export."""
        kept = QueryDict(mutable=True)
        for key in self.KEYS:
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else []
            values = [v for v in values if v] or ([self.data[key]] if self.data.get(key) else [])
            if values:
                kept.setlist(key, values)
        return kept.urlencode()
