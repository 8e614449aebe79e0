"""One filter for every view of annotations: exports now, comparisons later.

The same query-string parameters mean the same thing everywhere, so a URL of a screen can
be turned into the URL of its export by changing the path only.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q

from apps.annotations.models import Annotation
from apps.projects.models import Project


class AnnotationFilter(forms.Form):
    article = forms.IntegerField(required=False, min_value=1)
    story = forms.IntegerField(required=False, min_value=1)
    source = forms.CharField(required=False, help_text="Outlet ids, comma-separated.")
    tag = forms.IntegerField(required=False, min_value=1)
    claim = forms.IntegerField(required=False, min_value=1)
    actor = forms.IntegerField(required=False, min_value=1, help_text="As speaker or target.")
    annotator = forms.CharField(required=False, max_length=150)
    since = forms.DateField(required=False, help_text="Published on or after.")
    until = forms.DateField(required=False, help_text="Published on or before.")

    KEYS = ("article", "story", "source", "tag", "claim", "actor", "annotator", "since", "until")

    def clean_source(self) -> list[int]:
        raw = self.cleaned_data["source"]
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError("Give outlet ids separated by commas.")
        return [int(p) for p in parts]

    def annotations(self, project: Project, user) -> Annotation.objects.__class__:
        """The project's annotations matching the filter (all of them if it is invalid)."""
        annotations = Annotation.objects.filter(article__project=project)
        if not self.is_valid():
            return annotations
        data = self.cleaned_data
        if data["article"]:
            annotations = annotations.filter(article_id=data["article"])
        if data["story"]:
            annotations = annotations.filter(article__stories=data["story"])
        if data["source"]:
            annotations = annotations.filter(article__source_id__in=data["source"])
        if data["tag"]:
            annotations = annotations.filter(
                Q(tags=data["tag"]) | Q(tags__parent=data["tag"])
            ).distinct()
        if data["claim"]:
            annotations = annotations.filter(
                Q(claim_id=data["claim"]) | Q(claim__parent_id=data["claim"])
            )
        if data["actor"]:
            annotations = annotations.filter(
                Q(speaker_id=data["actor"]) | Q(target_id=data["actor"])
            )
        if data["annotator"] == "me":
            annotations = annotations.filter(annotator=user)
        elif data["annotator"]:
            annotations = annotations.filter(annotator__username=data["annotator"])
        if data["since"]:
            annotations = annotations.filter(article__published__gte=data["since"])
        if data["until"]:
            annotations = annotations.filter(article__published__lte=data["until"])
        return annotations

    def query_string(self) -> str:
        """The filter's own parameters, to carry from a screen to its export."""
        from django.http import QueryDict

        kept = QueryDict(mutable=True)
        for key in self.KEYS:
            value = self.data.get(key)
            if value:
                kept[key] = value
        return kept.urlencode()
