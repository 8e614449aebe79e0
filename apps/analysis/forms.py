"""The selection of every analysis screen and export (the annotation filter and words),
and the search form built on it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from apps.accounts.models import User
from apps.analysis import search
from apps.analysis.qdpx_archive import UnreadableProject, open_archive
from apps.analysis.search import Query, QueryError, matching, parse
from apps.annotations.filters import AnnotationFilter, ListWidget, id_list
from apps.annotations.models import Annotation, Claim, Tag
from apps.corpus.models import Article
from apps.projects import visibility
from apps.projects.models import Project, Role


class Selection(AnnotationFilter):
    """``AnnotationFilter`` and words (``q``): passages whose quote or note holds them,
    by the search's rules (``search.py``)."""

    q = forms.CharField(required=False, strip=True, label="Words")

    KEYS = (*AnnotationFilter.KEYS, "q")
    ON_PASSAGES = (*AnnotationFilter.ON_PASSAGES, "q")

    def clean_q(self) -> Query | None:
        text = self.cleaned_data["q"]
        if not text:
            return None
        try:
            return parse(text)
        except QueryError as error:
            raise forms.ValidationError(str(error)) from None

    def condition(self, project: Project, user, prefix: str = "") -> Q:
        condition = super().condition(project, user, prefix)
        query = self.cleaned_data.get("q") if self.is_valid() else None
        if query:
            using = router.db_for_read(Annotation)
            condition &= search.condition(query, Annotation, using, prefix)
        return condition

    def articles_and_passages(
        self, project: Project, user
    ) -> tuple[QuerySet[Article], QuerySet[Annotation]]:
        """The selection as a whole project file holds it: its articles (with a filter on
        passages, only those that have such a passage) and its passages."""
        annotations = self.annotations(project, user)
        articles = self.articles(project)
        if self.is_valid() and self.active_on_passages:
            articles = articles.filter(pk__in=annotations.values("article_id"))
        return articles, annotations


class SearchForm(Selection):
    """The search: ``q`` finds articles (title, text) as well as passages, so on this
    form it is not a condition on passages (``passages`` applies it to them)."""

    coded = forms.ChoiceField(
        required=False,
        choices=[("", "Coded or not"), ("coded", "Coded"), ("uncoded", "Not coded yet")],
        label="Articles",
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    KEYS = (*Selection.KEYS, "coded")
    # Filters on passages: with one of them, an article is found only if it has such a
    # passage ("articles mentioning the convoy with a passage coded as blame").
    ON_PASSAGES = AnnotationFilter.ON_PASSAGES

    def condition(self, project: Project, user, prefix: str = "") -> Q:
        return AnnotationFilter.condition(self, project, user, prefix)

    def paging_query(self) -> str:
        """The query string of this search without its page, for the page links."""
        kept = QueryDict(mutable=True)
        for key, values in getattr(self.data, "lists", lambda: [])():
            if key != "page":
                kept.setlist(key, values)
        return kept.urlencode()

    def clean(self):
        data = super().clean() or {}
        on_passages = [key for key in self.ON_PASSAGES if data.get(key)]
        if data.get("coded") == "uncoded" and on_passages:
            raise forms.ValidationError(
                f"Articles not coded yet have no passages: leave out {', '.join(on_passages)}, "
                "or look in every article."
            )
        return data

    def selection(self, project: Project, user) -> tuple[QuerySet[Article], QuerySet[Annotation]]:
        """The articles and the passages to search in (none if the form is invalid)."""
        articles = self.articles(project)
        annotations = Annotation.objects.filter(self.condition(project, user))
        if not self.is_valid():
            return articles.none(), annotations.none()
        data = self.cleaned_data
        # Coded or not in the layer asked for: the coders' unless it is the adjudicated;
        # by what the user may see (blind coding: others' work is not "coded" yet).
        seen = visibility.visible(user, project)
        any_passage = Exists(
            Annotation.objects.filter(seen, article=OuterRef("pk"), layer=self.selected_layer)
        )
        if data["coded"] == "uncoded":
            return articles.filter(~any_passage), annotations.none()
        if data["coded"] == "coded" or any(data[key] for key in self.ON_PASSAGES):
            articles = articles.filter(pk__in=annotations.values("article_id"))
        return articles, annotations

    def passages(self, project: Project, user) -> QuerySet[Annotation]:
        """The passages of the selection that the query finds (all of them without one):
        what the search page counts, and what its export writes (the same as
        ``Selection.annotations`` of the same parameters)."""
        _, annotations = self.selection(project, user)
        query = self.cleaned_data.get("q") if self.is_valid() else None
        return matching(query, annotations) if query else annotations


class ProjectFileForm(forms.Form):
    """A REFI-QDA project file to import: refused here if its zip's directory already
    says it cannot be one (the rest is checked in the background)."""

    file = forms.FileField(
        label="REFI-QDA project (.qdpx)",
        help_text="Exported from MAXQDA, ATLAS.ti, NVivo, QualCoder or this app.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.QDPX_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is over {settings.QDPX_MAX_BYTES // (1024 * 1024)} MB."
            )
        data = upload.read()
        try:
            open_archive(data)
        except UnreadableProject as error:
            raise forms.ValidationError(str(error)) from None
        self.cleaned_data["data"] = data
        return upload


class FileImportChoicesForm(forms.Form):
    """What the owner decides for a whole project file."""

    annotator = forms.ModelChoiceField(
        User.objects.none(),
        required=False,
        empty_label="Each passage by its coder in the file",
        label="Passages by",
        help_text=(
            "A coder of the file who is an owner or analyst of this project (by login or "
            "name) keeps their passages; the others' go to you."
        ),
    )
    outlet = forms.CharField(
        max_length=120,
        label="Outlet of texts that name none",
        help_text="An outlet by this name is made if there is none.",
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        coders = project.memberships.filter(role__in=[Role.OWNER, Role.ANALYST])
        self.fields["annotator"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=coders.values("user_id")
        ).order_by("username")


class RejectCandidateForm(forms.Form):
    """A candidate passage an analyst says does not carry the claim (or tag)."""

    claim = forms.ModelChoiceField(Claim.objects.none(), required=False)
    tag = forms.ModelChoiceField(Tag.objects.none(), required=False)
    article = forms.ModelChoiceField(Article.objects.none())
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = project.claims.all()  # type: ignore[attr-defined]
        self.fields["tag"].queryset = project.tags.all()  # type: ignore[attr-defined]
        self.fields["article"].queryset = project.articles.only("pk", "text", "content_hash")  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        if bool(data.get("claim")) == bool(data.get("tag")):
            raise forms.ValidationError("Name a claim or a tag.")
        article, start, end = data.get("article"), data.get("start"), data.get("end")
        if (
            article
            and start is not None
            and end is not None
            and not (start < end <= len(article.text))
        ):
            raise forms.ValidationError("The passage is not in the article's text.")
        return data


class BlindSpotsForm(forms.Form):
    """The outlets a comparison row's note asks about (those of its empty columns)."""

    outlet = forms.Field(widget=ListWidget)

    def clean_outlet(self) -> list[int]:
        return id_list(self.cleaned_data["outlet"], "outlet")
