"""Forms of the reader: create and edit an annotation, filter the list.

Speaker, target and claim are typed (with a datalist to pick from), so the forms
resolve names and aliases to the project's actors and claims here, with an error the
analyst can act on when nothing or several things match.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings

from apps.accounts.models import User
from apps.annotations.models import Actor, Position, Tag, Voice
from apps.annotations.naming import similar
from apps.annotations.setup import PARTS
from apps.projects.models import Project

NOTE_MAX = 5000
TAGS_MAX = 200


class TagsField(forms.ModelMultipleChoiceField):
    """An annotation's tags; a form with more than any coding needs (a crafted one) is
    refused with a field error before each value is looked up. Given the codebook the
    page already read (``known``), the values are looked up in it, not in the database."""

    known: dict[str, Tag] | None = None

    def clean(self, value):
        if value and len(value) > TAGS_MAX:
            raise forms.ValidationError(
                f"An annotation takes at most {TAGS_MAX} tags; this form sent {len(value):,}.",
                code="too_many",
            )
        if self.known is not None and not value and not self.required:
            # No tags: an empty list, as the chosen ones are a list (Django's empty
            # QuerySet would be compiled to find out that it is empty: 0.7 ms a save).
            return []
        return super().clean(value)

    def _check_values(self, value):
        """The chosen tags, in codebook order: Django's check, value by value and with
        its errors, against ``known`` instead of a query."""
        if self.known is None:  # (a method of Django's field its type stubs leave out)
            return super()._check_values(value)  # type: ignore[misc]
        try:
            values = frozenset(value)
        except TypeError:
            raise forms.ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for pk in values:
            self.validate_no_null_characters(pk)
            try:
                int(pk)  # what the primary key's lookup would make of it
            except (ValueError, TypeError):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                ) from None
        wanted = {str(pk) for pk in values}
        for pk in values:
            if str(pk) not in self.known:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return [tag for key, tag in self.known.items() if key in wanted]


class AnnotationCodingForm(forms.Form):
    tags: forms.ModelMultipleChoiceField[Tag] = TagsField(
        queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Each "add as new" box comes first: fields are cleaned in this order, and the name's
    # cleaning reads it.
    create_speaker = forms.BooleanField(required=False, label="Add as a new actor")
    speaker = forms.CharField(required=False, max_length=200)
    create_target = forms.BooleanField(required=False, label="Add as a new actor")
    target = forms.CharField(required=False, max_length=200)
    claim = forms.CharField(required=False, max_length=500)
    create_claim = forms.BooleanField(required=False, label="Create this claim")
    voice = forms.ChoiceField(choices=[("", "—"), *Voice.choices], required=False)
    position = forms.ChoiceField(choices=[("", "—"), *Position.choices], required=False)
    note = forms.CharField(required=False, max_length=NOTE_MAX, widget=forms.Textarea)

    def __init__(self, *args, project: Project, tags=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        # Names typed for actors not in the project, to create on save (when ticked),
        # and what each unknown name may have meant.
        self.new_actors: dict[str, str] = {}
        self.suggestions: dict[str, list[str]] = {}
        # The reader already holds the codebook: reuse it rather than query again (the
        # field's QuerySet, left empty then, is not read).
        field = self.fields["tags"]
        assert isinstance(field, TagsField)
        if tags is None:
            field.queryset = project.tags.all()
        else:
            field.choices = [(tag.pk, tag.name) for tag in tags]
            field.known = {str(tag.pk): tag for tag in tags}

    def clean_tags(self):
        """An archived tag stays on the annotations that have it, but is not given anew."""
        tags = self.cleaned_data["tags"]
        had = {str(pk) for pk in self.initial.get("tags", [])}
        archived = [tag.name for tag in tags if tag.archived and str(tag.pk) not in had]
        if archived:
            raise forms.ValidationError(_archived(f"“{'”, “'.join(archived)}”"), code="archived")
        return tags

    def actor_fields(self) -> list[dict]:
        """Speaker and target as the form shows an unknown name: the field, its "add as a
        new actor" box, and the names it may have meant."""
        return [
            {
                "field": self[name],
                "box": self[f"create_{name}"],
                "suggestions": self.suggestions.get(name, []),
            }
            for name in ("speaker", "target")
        ]

    def clean_speaker(self) -> Actor | None:
        return self._actor("speaker")

    def clean_target(self) -> Actor | None:
        return self._actor("target")

    def _actor(self, field: str) -> Actor | None:
        name = " ".join(self.cleaned_data[field].split())
        if not name:
            return None
        actor = self._known_actor(field, name)
        if actor is not None and actor.archived and actor.name != self.initial.get(field):
            raise forms.ValidationError(_archived(f"“{actor.name}”"), code="archived")
        return actor

    def _known_actor(self, field: str, name: str) -> Actor | None:
        """The actor a name or alias means, None for a new one (when ticked), or why not."""
        exact = list(self.project.actors.filter(name__iexact=name))
        if len(exact) == 1:
            return exact[0]
        lowered = name.casefold()
        by_alias = [
            actor
            for actor in self.project.actors.filter(aliases__icontains=name)
            if lowered in (alias.casefold() for alias in actor.alias_list)
        ]
        if len(by_alias) > 1:  # an archived duplicate does not make the alias ambiguous
            by_alias = [actor for actor in by_alias if not actor.archived] or by_alias
        if len(by_alias) == 1:
            return by_alias[0]
        if by_alias:
            names = ", ".join(a.name for a in by_alias)
            raise forms.ValidationError(f"“{name}” may be any of {names}: type the full name.")
        if self.cleaned_data.get(f"create_{field}"):
            self.new_actors[field] = name
            return None
        known = {}
        for actor in self.project.actors.for_coding().only("name", "aliases"):
            known[actor.name] = actor.name
            known.update((alias, actor.name) for alias in actor.alias_list)
        self.suggestions[field] = similar(name, known)
        hint = (
            f" Did you mean {' or '.join(self.suggestions[field])}?"
            if self.suggestions[field]
            else ""
        )
        raise forms.ValidationError(
            f"No actor called “{name}” in this project.{hint} Pick one, or tick “Add as a "
            "new actor”.",
            code="unknown_actor",
        )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        text = " ".join((cleaned.get("claim") or "").split())
        cleaned["claim"], cleaned["new_claim"] = None, ""
        if text:
            claim = self.project.claims.filter(text__iexact=text).first()
            if claim is not None and claim.archived and claim.text != self.initial.get("claim"):
                self.add_error("claim", _archived("this claim"))
            elif claim is not None:
                cleaned["claim"] = claim
            elif cleaned.get("create_claim"):
                cleaned["new_claim"] = text
            else:
                claims = self.project.claims.for_coding().only("text")
                texts = {claim.text: claim.text for claim in claims}
                self.suggestions["claim"] = similar(text, texts)
                hint = (
                    f" Did you mean “{'” or “'.join(self.suggestions['claim'])}”?"
                    if self.suggestions["claim"]
                    else ""
                )
                self.add_error(
                    "claim",
                    f"No claim “{text}” yet.{hint} Pick one from the list, or tick “Create "
                    "this claim” to add it.",
                )
        for part in ("voice", "position"):
            if cleaned.get(part) and not text:
                self.add_error(part, "A stance is taken towards a claim: name the claim.")
        return cleaned

    def coding(self) -> dict:
        """The cleaned values as keyword arguments of the domain functions."""
        data = self.cleaned_data
        return {
            "tags": data["tags"],
            "speaker": data["speaker"],
            "target": data["target"],
            "claim": data["claim"],
            "new_claim": data["new_claim"],
            "new_speaker": self.new_actors.get("speaker", ""),
            "new_target": self.new_actors.get("target", ""),
            "voice": data["voice"],
            "position": data["position"],
            "note": data["note"],
        }


def _archived(what: str) -> str:
    return (
        f"An owner archived {what}: it stays on the passages coded with it, but is no "
        "longer used for coding (its page can offer it again)."
    )


class CreateAnnotationForm(AnnotationCodingForm):
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quote = forms.CharField(
        strip=False, max_length=settings.MAX_ARTICLE_CHARS, widget=forms.HiddenInput
    )
    text_hash = forms.CharField(max_length=64, widget=forms.HiddenInput)
    client_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_token", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def passage(self) -> dict:
        """The selected passage and what vouches for it, as keyword arguments of
        ``create_annotation``."""
        names = ("start", "end", "quote", "text_hash", "client_token")
        return {name: self.cleaned_data[name] for name in names}


class ReattachForm(forms.Form):
    """A new passage for an annotation that lost its own in a revision."""

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quote = forms.CharField(
        strip=False, max_length=settings.MAX_ARTICLE_CHARS, widget=forms.HiddenInput
    )
    text_hash = forms.CharField(max_length=64, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class EditAnnotationForm(AnnotationCodingForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, annotation) -> dict:
        return {
            "tags": [str(tag.pk) for tag in annotation.tags.all()],
            "speaker": annotation.speaker.name if annotation.speaker else "",
            "target": annotation.target.name if annotation.target else "",
            "claim": annotation.claim.text if annotation.claim else "",
            "voice": annotation.voice,
            "position": annotation.position,
            "note": annotation.note,
            "version": annotation.version,
        }


class NewProjectForm(forms.Form):
    """A new project; optionally set up from another project of the user's."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    copy_from = forms.ModelChoiceField(
        Project.objects.none(),
        required=False,
        empty_label="Start empty",
        label="Start from the set-up of",
    )
    parts = forms.MultipleChoiceField(
        choices=list(PARTS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=list(PARTS),
        label="Copy",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = Project.objects.filter(  # type: ignore[attr-defined]
            memberships__user=user
        ).order_by("name")

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("A project needs a name.")
        return name

    def clean(self):
        data = super().clean() or {}
        if data.get("copy_from") and not data.get("parts"):
            self.add_error("parts", "Tick what to copy, or start empty.")
        return data


class ActivityForm(forms.Form):
    """The activity page's filters (all optional; a wrong value is reported, not guessed)."""

    what = forms.ChoiceField(required=False, label="What")
    who = forms.ModelChoiceField(User.objects.none(), required=False, empty_label="anyone")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, subjects: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = [("", "everything"), *subjects.items()]  # type: ignore[attr-defined]
        self.fields["who"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__project=project
        ).order_by("username")
