"""Forms of the import, in the project and in the admin."""

from __future__ import annotations

from django import forms

from apps.corpus.models import Article, Source
from apps.projects.models import Project


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    """Files for a batch, and what to apply to all of them."""

    source = forms.ModelChoiceField(
        Source.objects.all(),
        required=False,
        help_text=(
            "Leave empty to find each article's outlet from its URL or the site name it "
            "states; an outlet no source knows yet becomes a new source."
        ),
    )
    story = forms.CharField(
        required=False,
        max_length=200,
        help_text="Add the articles to this story of the project (created if new).",
    )
    # Named as the upload's field; it shadows ``Form.files`` only on the class.
    files = MultipleFileField(  # type: ignore[assignment]
        help_text=(
            "One or many: .txt, .md, .html (a saved page, front matter read), .xml (article "
            "files, RSS or Atom feeds), .docx, .pdf (with a text layer), a .zip of these, or "
            "a .csv / .jsonl of articles (columns such as title, url, source, date, author, "
            "text or html)."
        )
    )


class AdminImportForm(UploadForm):
    """The admin's import also names the project (a site operator's tool)."""

    project = forms.ModelChoiceField(Project.objects.all())
    field_order = ["project", "source", "story", "files"]


class ArticleDetailsForm(forms.ModelForm):
    """What an owner may correct of an article in the app: what the import found or
    guessed about it. Its text is not here: a new text is a revision (an import)."""

    source = forms.ModelChoiceField(Source.objects.order_by("name"), label="Outlet")
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https",
                         label="Web address")  # fmt: skip

    class Meta:
        model = Article
        fields = ["title", "source", "published", "byline", "url"]
        widgets = {"published": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"published": "Date"}
