"""The Assignments page's forms: which articles its list shows, and what to assign."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict

from apps.accounts.models import User
from apps.annotations.filters import ListWidget
from apps.coding.assigning import CODER_ROLES
from apps.coding.models import Assignment
from apps.corpus.models import Article, Source, Story
from apps.projects.models import Project

MAX_TICKED = 1000  # ticked articles in one request (a page lists 50)


class ArticleListForm(forms.Form):
    """The articles the page lists (and "every article listed" assigns): a story, an
    outlet, those nobody has yet."""

    story = forms.ModelChoiceField(
        queryset=Story.objects.none(), required=False, empty_label="Every story"
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.none(), required=False, empty_label="Every outlet"
    )
    show = forms.ChoiceField(
        required=False,
        choices=[("", "Assigned or not"), ("unassigned", "Nobody's yet")],
        label="Articles",
    )

    KEYS = ("story", "source", "show")

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["story"].queryset = project.stories.order_by("name")  # type: ignore[attr-defined]
        self.fields["source"].queryset = Source.objects.in_project(project).order_by("name")  # type: ignore[attr-defined]

    def articles(self) -> QuerySet[Article]:
        """The listed articles, in reading order (none if the filter has a mistake)."""
        articles = self.project.articles.listing()
        if not self.is_valid():
            return articles.none()
        data = self.cleaned_data
        if data["story"]:
            articles = articles.filter(stories=data["story"])
        if data["source"]:
            articles = articles.filter(source=data["source"])
        if data["show"] == "unassigned":
            articles = articles.filter(~Exists(Assignment.objects.filter(article=OuterRef("pk"))))
        return articles

    def query(self) -> str:
        """The list's parameters, for the links and forms that come back to it."""
        kept = QueryDict(mutable=True)
        for key in self.KEYS:
            if value := self.data.get(key):
                kept[key] = value
        return kept.urlencode()


class AssignForm(forms.Form):
    """Ticked articles, or every article the list shows, to the chosen coders: each of
    them, or two of them at random, balanced."""

    coders = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who codes them."},
    )
    scope = forms.ChoiceField(
        choices=[("ticked", "The ticked articles"), ("listed", "Every article listed")],
        initial="ticked",
        widget=forms.RadioSelect,
    )
    article = forms.Field(required=False, widget=ListWidget)
    how = forms.ChoiceField(
        choices=[
            ("each", "to each coder chosen"),
            ("pairs", "to two of them at random, balanced"),
        ],
        initial="each",
        widget=forms.RadioSelect,
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The same number draws the same pairs (leave empty for a new draw).",
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        coding = project.memberships.filter(role__in=CODER_ROLES).values("user_id")
        self.fields["coders"].queryset = User.objects.filter(pk__in=coding).order_by("username")  # type: ignore[attr-defined]
        self.fields["coders"].label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]

    def clean_article(self) -> list[int]:
        values = self.cleaned_data["article"] or []
        if not all(str(v).isascii() and str(v).isdigit() and len(str(v)) < 19 for v in values):
            raise forms.ValidationError("Tick articles of the list.")
        if len(values) > MAX_TICKED:
            raise forms.ValidationError(f"Tick at most {MAX_TICKED} articles at once.")
        return sorted({int(v) for v in values})

    def clean(self):
        data = super().clean() or {}
        if data.get("scope") == "ticked" and "article" in data and not data["article"]:
            raise forms.ValidationError(
                "Tick the articles to assign, or choose “Every article listed”."
            )
        return data

    def article_ids(self, listed: ArticleListForm) -> list[int]:
        if self.cleaned_data["scope"] == "ticked":
            return self.cleaned_data["article"]
        return list(listed.articles().values_list("pk", flat=True))
