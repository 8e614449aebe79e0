"""Owners edit the codebook in the app: add, change, reorder, merge, delete; every
refusal says why, and a merge moves every annotation (exports agree before and after)."""

import csv
import io

import pytest
from django.urls import reverse

from apps.annotations.models import Annotation, AnnotationTag, Tag
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(cast):
    return reverse("annotations:codebook", args=[cast.project.slug])


@pytest.fixture
def tags(cast):
    blame = factories.make_tag(cast.project, "blame", shortcut="1", position=1)
    us = factories.make_tag(cast.project, "blame on US", parent=blame, position=1)
    russia = factories.make_tag(cast.project, "blame on Russia", parent=blame, position=2)
    threat = factories.make_tag(cast.project, "threat", position=2)
    return {"blame": blame, "us": us, "russia": russia, "threat": threat}


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("analyst", 403), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_only_owners_change_the_codebook(client, cast, tags, who, status):
    if who:
        client.force_login(getattr(cast, who))
    response = client.post(_url(cast), {"action": "add", "name": "new tag"})
    assert response.status_code == status
    assert Tag.objects.filter(name="new tag").exists() == (who == "owner")
    if who in ("analyst", "viewer"):
        assert "Add a tag" not in client.get(_url(cast)).text


def test_a_tag_is_added_and_changed_with_the_list_swapped_in_place(client, cast, tags):
    client.force_login(cast.owner)
    response = client.post(
        _url(cast),
        {
            "action": "add",
            "name": " civilian  harm ",
            "description": "Hit civilians.",
            "color": "#FFC9C9",
            "parent": "",
            "shortcut": "2",
        },
        **HTMX,
    )
    assert response.status_code == 200 and response.text.lstrip().startswith(
        '<section id="codebook"'
    )
    assert "“civilian harm” added." in response.text
    tag = Tag.objects.get(name="civilian harm")
    assert (tag.color, tag.shortcut, tag.description) == ("#ffc9c9", "2", "Hit civilians.")
    client.post(
        _url(cast),
        {
            "action": "edit",
            "tag": tag.pk,
            "name": "civilian casualties",
            "color": "#c9e4ff",
            "parent": tags["threat"].pk,
            "shortcut": "",
        },
        **HTMX,
    )
    tag.refresh_from_db()
    assert (tag.name, tag.color, tag.parent, tag.shortcut) == (
        "civilian casualties",
        "#c9e4ff",
        tags["threat"],
        "",
    )
    assert tag.history.latest().history_user == cast.owner


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "threat"}, "already has a tag called “threat”"),
        ({"shortcut": "1"}, "Key 1 already toggles “blame”"),
        ({"color": "red"}, "Use a colour like #ffe08a."),
        ({"name": "  "}, "A tag needs a name."),
    ],
)
def test_a_change_that_breaks_the_codebook_is_refused_with_its_reason(
    client, cast, tags, change, message
):
    client.force_login(cast.owner)
    data = {
        "action": "edit",
        "tag": tags["us"].pk,
        "name": "blame on US",
        "color": "#ffe08a",
        **change,
    }
    response = client.post(_url(cast), data, **HTMX)
    assert response.status_code == 422 and message in response.text
    assert Tag.objects.get(pk=tags["us"].pk).name == "blame on US"


def test_a_tag_cannot_go_under_its_own_subtag(client, cast, tags):
    client.force_login(cast.owner)
    data = {"action": "edit", "tag": tags["blame"].pk, "name": "blame", "parent": tags["us"].pk}
    response = client.post(_url(cast), data, **HTMX)
    assert response.status_code == 422 and "cannot go under itself" in response.text
    assert Tag.objects.get(pk=tags["blame"].pk).parent is None


def test_a_parent_from_another_project_is_refused(client, cast, tags):
    foreign = factories.make_tag(factories.make_project("Elsewhere"), "foreign")
    client.force_login(cast.owner)
    data = {"action": "edit", "tag": tags["us"].pk, "name": "blame on US", "parent": foreign.pk}
    assert client.post(_url(cast), data, **HTMX).status_code == 422


def test_tags_move_up_and_down_among_their_siblings(client, cast, tags):
    client.force_login(cast.owner)
    client.post(_url(cast), {"action": "up", "tag": tags["russia"].pk}, **HTMX)
    page = client.get(_url(cast)).text
    assert page.index(f'id="tag-{tags["russia"].pk}"') < page.index(f'id="tag-{tags["us"].pk}"')
    client.post(_url(cast), {"action": "up", "tag": tags["russia"].pk}, **HTMX)  # already first
    client.post(_url(cast), {"action": "down", "tag": tags["blame"].pk}, **HTMX)
    page = client.get(_url(cast)).text
    assert page.index(f'id="tag-{tags["threat"].pk}"') < page.index(f'id="tag-{tags["blame"].pk}"')


def _counts_by_family(client, cast):
    """Annotations per top-level tag family, from the CSV export (long form)."""
    export = client.get(
        reverse("analysis:annotations-csv", args=[cast.project.slug]),
        {"format": "long", "bom": "0"},
    )
    content = b"".join(export.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    return len({row["annotation_id"] for row in rows if row.get("tag")})


def test_a_merge_is_previewed_then_moves_every_annotation(client, cast, tags):
    article = factories.make_article(cast.project, text="Kerry blamed Russia and the US alike.")
    both = factories.make_annotation(
        article, cast.analyst, "Kerry", tags=[tags["us"], tags["russia"]]
    )
    only = factories.make_annotation(article, cast.analyst, "blamed", tags=[tags["russia"]])
    client.force_login(cast.owner)
    before = _counts_by_family(client, cast)
    preview = client.post(
        _url(cast), {"action": "merge", "tag": tags["russia"].pk, "target": tags["us"].pk}, **HTMX
    )
    assert (
        "1 annotation move from “blame on Russia” to “blame on US” (1 already have both)"
        in preview.text
    )
    assert Tag.objects.filter(pk=tags["russia"].pk).exists()  # nothing changed yet
    done = client.post(
        _url(cast),
        {"action": "merge", "tag": tags["russia"].pk, "target": tags["us"].pk, "confirm": "yes"},
        **HTMX,
    )
    assert "Merged:" in done.text
    assert not Tag.objects.filter(pk=tags["russia"].pk).exists()
    assert list(both.tags.all()) == [tags["us"]] and list(only.tags.all()) == [tags["us"]]
    assert AnnotationTag.objects.filter(tag=tags["us"]).count() == 2
    assert _counts_by_family(client, cast) == before
    record = Annotation.history.filter(id=only.pk).latest()
    assert (
        record.tag_list == [[tags["us"].pk, "blame on US"]]
        and "merged into" in record.history_change_reason
    )


def test_a_tag_cannot_be_merged_into_its_own_subtag(client, cast, tags):
    client.force_login(cast.owner)
    response = client.post(
        _url(cast), {"action": "merge", "tag": tags["blame"].pk, "target": tags["us"].pk}, **HTMX
    )
    assert response.status_code == 422 and "is under “blame”" in response.text


def test_only_an_unused_tag_without_subtags_is_deleted(client, cast, tags):
    article = factories.make_article(cast.project)
    factories.make_annotation(article, cast.analyst, tags=[tags["threat"]])
    client.force_login(cast.owner)
    used = client.post(_url(cast), {"action": "delete", "tag": tags["threat"].pk}, **HTMX)
    assert used.status_code == 422 and "merge it into another tag instead" in used.text
    parent = client.post(_url(cast), {"action": "delete", "tag": tags["blame"].pk}, **HTMX)
    assert parent.status_code == 422 and "has subtags" in parent.text
    client.post(_url(cast), {"action": "delete", "tag": tags["russia"].pk}, **HTMX)
    assert not Tag.objects.filter(pk=tags["russia"].pk).exists()


def test_without_htmx_a_change_returns_to_the_page_with_its_message(client, cast, tags):
    client.force_login(cast.owner)
    page = client.post(_url(cast), {"action": "add", "name": "plain"}, follow=True).text
    assert "“plain” added." in page
    page = client.post(_url(cast), {"action": "up", "tag": 999999}, follow=True).text
    assert "not in this codebook" in page


def test_a_tag_of_another_project_cannot_be_touched(client, cast, tags):
    foreign = factories.make_tag(factories.make_project("Elsewhere"), "foreign")
    client.force_login(cast.owner)
    response = client.post(_url(cast), {"action": "delete", "tag": foreign.pk}, **HTMX)
    assert response.status_code == 422 and Tag.objects.filter(pk=foreign.pk).exists()


def test_the_editor_costs_a_bounded_number_of_queries(
    client, cast, tags, django_assert_max_num_queries
):
    for n in range(20):
        factories.make_tag(cast.project, f"extra {n}")
    client.force_login(cast.owner)
    with django_assert_max_num_queries(8):
        assert client.get(_url(cast)).status_code == 200


def test_the_codebook_takes_get_and_post_only(client, cast):
    client.force_login(cast.owner)
    assert client.put(_url(cast)).status_code == 405
    assert client.delete(_url(cast)).status_code == 405


def test_an_archived_tag_stays_on_its_annotations_but_is_not_offered(client, cast, tags):
    article = factories.make_article(cast.project, text="Kerry warned Russia about Aleppo.")
    kept = factories.make_annotation(article, cast.analyst, "Kerry", tags=[tags["threat"]])
    client.force_login(cast.owner)
    client.post(_url(cast), {"action": "archive", "tag": tags["threat"].pk}, **HTMX)
    assert Tag.objects.get(pk=tags["threat"].pk).archived
    client.force_login(cast.analyst)
    reader = client.get(article.get_absolute_url()).text
    picker = reader.split('class="tag-options"')[1].split("</div>")[0]
    assert "threat" not in picker  # not offered for a new annotation
    create = reverse("annotations:create", args=[cast.project.slug, article.pk])
    response = client.post(
        create,
        {
            "start": 6,
            "end": 12,
            "quote": "warned",
            "text_hash": article.content_hash,
            "client_token": "5f1f1f3e-5b7e-4a55-9c62-1a9d2f1e0c01",
            "tags": [tags["threat"].pk],
        },
        **HTMX,
    )
    assert response.status_code == 422 and "An owner archived “threat”" in response.text
    edit = reverse("annotations:edit", args=[cast.project.slug, kept.pk])
    response = client.post(
        edit, {"version": kept.version, "tags": [tags["threat"].pk], "note": "kept"}, **HTMX
    )
    assert response.status_code == 200  # the annotation that has it keeps it
    assert list(Annotation.objects.get(pk=kept.pk).tags.all()) == [tags["threat"]]
    client.force_login(cast.owner)
    client.post(_url(cast), {"action": "unarchive", "tag": tags["threat"].pk}, **HTMX)
    assert not Tag.objects.get(pk=tags["threat"].pk).archived


def _import(client, cast, content: bytes, name="codebook.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(_url(cast), {"action": "import", "file": upload}, follow=True)


def test_a_codebook_exported_from_one_project_imports_into_another(client, cast, tags):
    tags["us"].description = "=blame the US"  # guarded with ' by the export
    tags["us"].color = "#c9e4ff"
    tags["us"].save()
    client.force_login(cast.owner)
    exported = client.get(reverse("analysis:codebook-csv", args=[cast.project.slug]))
    content = b"".join(exported.streaming_content) if exported.streaming else exported.content
    other = factories.make_project("Second study", owner=cast.owner)
    factories.make_tag(other, "threat")  # already there: left as it is
    url = reverse("annotations:codebook", args=[other.slug])
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        url, {"action": "import", "file": SimpleUploadedFile("c.csv", content)}, follow=True
    ).text
    assert "Imported: 3 tags added, 1 already in the codebook left as they are." in page
    us = Tag.objects.get(project=other, name="blame on US")
    assert (us.parent.name, us.description, us.color) == ("blame", "=blame the US", "#c9e4ff")
    assert us.parent.project == other
    assert Tag.objects.get(project=other, name="blame").shortcut == "1"


def test_values_the_codebook_cannot_take_are_left_out_and_reported(client, cast, tags):
    client.force_login(cast.owner)
    content = (
        b"tag,parent,description,colour,shortcut,annotations\n"
        b"new one,,Rule,red,1,0\n"  # a wrong colour; key 1 is blame's
        b"orphan,no such parent,,#aabbcc,,0\n"
    )
    page = _import(client, cast, content).text
    assert "2 tags added" in page
    assert "Use a colour like #ffe08a." in page and "Key 1 already toggles “blame”" in page
    assert "no parent tag “no such parent”" in page
    new = Tag.objects.get(name="new one")
    assert new.shortcut == "" and new.color == "#ffe08a"
    assert Tag.objects.get(name="orphan").parent is None


def test_a_file_that_is_not_a_codebook_is_refused_whole(client, cast, tags):
    client.force_login(cast.owner)
    page = _import(client, cast, b"name,colour\nx,#ffffff\n").text
    assert "This is not a codebook file" in page
    assert not Tag.objects.filter(name="x").exists()
    page = _import(client, cast, b"tag\n" + b"a" * (1024 * 1024 + 10)).text
    assert "over 1 MB" in page


def test_only_owners_import_a_codebook(client, cast, tags):
    client.force_login(cast.analyst)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        _url(cast), {"action": "import", "file": SimpleUploadedFile("c.csv", b"tag\nsneaky\n")}
    )
    assert response.status_code == 403 and not Tag.objects.filter(name="sneaky").exists()


def test_merging_tags_with_long_names_keeps_the_history_reason_within_its_column(client, cast):
    long_a, long_b = "a" * 110, "b" * 110  # the reason names both: over its 100 characters
    source = factories.make_tag(cast.project, long_a)
    target = factories.make_tag(cast.project, long_b)
    annotation = factories.make_annotation(
        factories.make_article(cast.project), cast.analyst, tags=[source]
    )
    client.force_login(cast.owner)
    data = {"action": "merge", "tag": source.pk, "target": target.pk, "confirm": "yes"}
    assert client.post(_url(cast), data, **HTMX).status_code == 200
    record = Annotation.history.filter(id=annotation.pk).latest()
    assert len(record.history_change_reason) == 100 and record.tag_list == [[target.pk, long_b]]
