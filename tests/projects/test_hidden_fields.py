"""A form's hidden fields written as strings (``choices.hidden_fields``): the same HTML
as Django's widgets render, for every form the reader shows, bound or not."""

import uuid

from django import forms

from apps.annotations.forms import CreateAnnotationForm, EditAnnotationForm, ReattachForm
from apps.projects.templatetags.choices import hidden_fields


def _django(form) -> str:
    return "".join(str(field) for field in form.hidden_fields())


def test_the_create_form_s_hidden_fields_are_django_s(cast):
    token = uuid.uuid4()
    fresh = CreateAnnotationForm(
        project=cast.project, initial={"text_hash": "ab" * 32, "client_token": token}
    )
    assert hidden_fields(fresh) == _django(fresh)
    assert f'value="{token}"' in hidden_fields(fresh)
    sent = CreateAnnotationForm(
        {"start": "3", "end": "x", "quote": "He said \"no\" & <left> 'now'", "text_hash": ""},
        project=cast.project,
    )
    assert not sent.is_valid()  # bound, with errors: the values as they were sent
    assert hidden_fields(sent) == _django(sent)
    assert "&quot;no&quot; &amp; &lt;left&gt; &#x27;now&#x27;" in hidden_fields(sent)


def test_the_reattach_and_edit_forms_hidden_fields_are_django_s(cast):
    reattach = ReattachForm(initial={"text_hash": "cd" * 32, "version": 4})
    edit = EditAnnotationForm(project=cast.project, initial={"version": 2})
    assert hidden_fields(reattach) == _django(reattach)
    assert hidden_fields(edit) == _django(edit)


def test_a_hidden_field_with_what_only_django_adds_is_rendered_by_django():
    class Odd(forms.Form):
        plain = forms.CharField(widget=forms.HiddenInput, initial="a")
        styled = forms.CharField(widget=forms.HiddenInput(attrs={"class": "x"}), initial="b")
        helped = forms.CharField(widget=forms.HiddenInput, help_text="why", initial="c")
        unnamed = forms.CharField(widget=forms.HiddenInput, initial="d")

    form = Odd(auto_id=False)
    assert hidden_fields(form) == _django(form)
    assert 'class="x"' in hidden_fields(form)
    assert 'id="' not in hidden_fields(form)
