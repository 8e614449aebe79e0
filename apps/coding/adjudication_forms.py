"""The forms of adjudication's decisions. Each names its unit by ``key`` (``Unit.key``);
what the unit allows is checked by the domain functions (``adjudicating.py``)."""

from __future__ import annotations

import re

from django import forms

from apps.annotations.models import Actor, Claim, Position, Tag, Voice
from apps.coding.adjudicating import Coding
from apps.projects.models import Project

# Anchored: a form field's regex is searched, not matched whole.
_KEY = re.compile(r"^\d{1,18}\.\d{1,9}(?:-\d{1,18}\.\d{1,9})*$")
_SPAN = re.compile(r"^(\d{1,9})-(\d{1,9})$")


class UnitForm(forms.Form):
    """A decision on one unit: its key, and the text the page showed (a text revised
    since is refused)."""

    key = forms.RegexField(regex=_KEY, max_length=2000)
    text_hash = forms.CharField(max_length=64, required=False)


class TakeForm(UnitForm):
    source = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class DecisionForm(UnitForm):
    """A merge (``kind=merge``: the versions' values) or a passage written from the
    codebook (``kind=write``), on one of the unit's spans."""

    kind = forms.ChoiceField(choices=[("merge", "Merge"), ("write", "Write")])
    span = forms.RegexField(regex=_SPAN, error_messages={"required": "Choose the passage's span."})
    tags = forms.ModelMultipleChoiceField(queryset=Tag.objects.none(), required=False)
    claim = forms.ModelChoiceField(queryset=Claim.objects.none(), required=False)
    speaker = forms.ModelChoiceField(queryset=Actor.objects.none(), required=False)
    target = forms.ModelChoiceField(queryset=Actor.objects.none(), required=False)
    voice = forms.ChoiceField(choices=[("", "not given"), *Voice.choices], required=False)
    position = forms.ChoiceField(choices=[("", "not given"), *Position.choices], required=False)
    note = forms.CharField(max_length=5000, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        # The project's own: a tag, claim or actor of another project is not a choice.
        self.fields["tags"].queryset = project.tags.all()  # type: ignore[attr-defined]
        self.fields["claim"].queryset = project.claims.all()  # type: ignore[attr-defined]
        for name in ("speaker", "target"):
            self.fields[name].queryset = project.actors.all()  # type: ignore[attr-defined]

    def coding(self) -> Coding:
        data = self.cleaned_data
        match = _SPAN.fullmatch(data["span"])
        assert match is not None  # the field's regex said so
        return Coding(
            int(match[1]),
            int(match[2]),
            list(data["tags"]),
            data["claim"],
            data["speaker"],
            data["target"],
            data["voice"],
            data["position"],
            data["note"],
        )


class UndoForm(forms.Form):
    """Undo a decision: its gold passage, or the drop of a unit (by its key)."""

    gold = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    key = forms.RegexField(regex=_KEY, max_length=2000, required=False)

    def clean(self):
        data = super().clean() or {}
        if not data.get("gold") and not data.get("key"):
            raise forms.ValidationError("Name the decision to undo.")
        return data


class AcceptForm(forms.Form):
    """The agreed units to put into the gold layer at once."""

    text_hash = forms.CharField(max_length=64, required=False)

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.keys = data.getlist("key") if hasattr(data, "getlist") else []

    def clean(self):
        data = super().clean() or {}
        if not self.keys or len(self.keys) > 5000:
            raise forms.ValidationError("No agreed unit was named.")
        if not all(_KEY.fullmatch(key) for key in self.keys):
            raise forms.ValidationError("A unit is named wrongly: reload the page.")
        return data
