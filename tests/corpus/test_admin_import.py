import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.corpus.models import Article, ImportBatch, Story
from tests import factories


@pytest.fixture
def staff(client, db):
    client.force_login(factories.make_user("admin", is_staff=True, is_superuser=True))
    return client


def _upload(client, project, *files, **fields):
    return client.post(
        reverse("admin:corpus_article_import"),
        {"project": project.pk, "files": list(files), **fields},
    )


def test_the_article_list_offers_the_import(staff):
    page = staff.get(reverse("admin:corpus_article_changelist")).text
    assert reverse("admin:corpus_article_import") in page


def test_uploading_shows_a_preview_and_saves_nothing_yet(staff, cast):
    source = factories.make_source("BBC News")
    response = _upload(
        staff,
        cast.project,
        SimpleUploadedFile("a.txt", b"Headline A\n21/06/2016\nText of A.\nSubscribe"),
        SimpleUploadedFile("b.bin", b"\x00\x01"),
        source=source.pk,
        story="Aleppo",
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("admin:corpus_article_import_batch", args=[batch.pk])
    page = staff.get(response["Location"]).text
    assert "Headline A" in page and "2016-06-21" in page and "Text of A." in page
    assert "1 line removed as boilerplate" in page
    assert "Unsupported file type" in page
    assert "Import 1 article" in page
    assert not Article.objects.exists()


def test_confirming_imports_and_reports_and_a_second_confirm_does_nothing(staff, cast):
    source = factories.make_source("BBC News")
    _upload(
        staff,
        cast.project,
        SimpleUploadedFile("a.txt", b"Headline A\nText of A."),
        source=source.pk,
        story="Aleppo",
    )
    batch = ImportBatch.objects.get()
    url = reverse("admin:corpus_article_import_batch", args=[batch.pk])
    page = staff.post(url, follow=True).text
    assert "Import finished: 1 created, 0 revised, 0 skipped as duplicates, 0 rejected." in page
    assert Story.objects.get(name="Aleppo").articles.get().title == "Headline A"
    staff.post(url)
    assert Article.objects.count() == 1


def test_the_same_upload_again_shows_duplicates(staff, cast):
    source = factories.make_source("BBC News")
    for _ in range(2):
        _upload(
            staff,
            cast.project,
            SimpleUploadedFile("a.txt", b"Headline A\nText of A."),
            source=source.pk,
        )
    latest = ImportBatch.objects.order_by("-pk").first()
    staff.post(
        reverse(
            "admin:corpus_article_import_batch",
            args=[ImportBatch.objects.order_by("pk").first().pk],
        )
    )
    page = staff.get(reverse("admin:corpus_article_import_batch", args=[latest.pk])).text
    assert "1 new" in page  # the preview was made before the first import…
    staff.post(reverse("admin:corpus_article_import_batch", args=[latest.pk]))
    assert Article.objects.count() == 1  # …and confirming it adds nothing


def test_people_without_the_add_permission_cannot_import(client, cast):
    client.force_login(factories.make_user("clerk", is_staff=True))
    assert client.get(reverse("admin:corpus_article_import")).status_code == 403


def test_a_source_with_an_invalid_rule_is_refused(staff):
    response = staff.post(
        reverse("admin:corpus_source_add"),
        {"name": "X", "kind": "other", "boilerplate": "ok line\n(unclosed"},
    )
    assert response.status_code == 200
    assert "(unclosed" in response.text


def test_a_folder_of_unknown_outlets_previews_new_sources_and_where_each_field_came_from(
    staff, cast
):
    page = (
        b"---\npost_title: 'Kerry warns Moscow &#8211; Example Times'\npost_date: 2016-09-28 "
        b"10:00:00\noriginal_link: 'https://www.example-times.com/kerry'\n---\n"
        b"<p>Kerry warned Moscow that the talks on Syria would end unless the bombing of "
        b"Aleppo stopped, officials travelling with him said on Wednesday night.</p>"
    )
    response = _upload(staff, cast.project, SimpleUploadedFile("kerry.html", page))
    preview = staff.get(response["Location"]).text
    assert "Kerry warns Moscow" in preview and "Example Times" in preview
    assert "new source" in preview and "published: front matter" in preview
    staff.post(response["Location"])
    article = Article.objects.get()
    assert (article.source.name, article.source.domain) == ("Example Times", "example-times.com")
    assert article.published.isoformat() == "2016-09-28"


def _prepared(staff, project, *files):
    response = _upload(staff, project, *files)
    return response["Location"]


def test_the_preview_corrects_one_item_and_the_ticked_ones_at_once(staff, cast):
    url = _prepared(
        staff,
        cast.project,
        SimpleUploadedFile("a.txt", b"Headline A\nKerry warned Russia about Aleppo."),
        SimpleUploadedFile("b.txt", b"Headline B\nLavrov answered Kerry on Aleppo."),
        SimpleUploadedFile("c.txt", b"Headline C\nPeskov said the bombing goes on."),
    )
    preview = staff.get(url).text
    assert 'name="title-0"' in preview and 'list="known-sources"' in preview
    factories.make_source("BBC News", domain="bbc.co.uk")
    staff.post(
        url,
        {
            "action": "correct",
            "title-0": "Kerry warns Russia",
            "published-0": "2016-09-28",
            "url-0": "https://www.bbc.co.uk/news/kerry",
            "story-1": "Aleppo talks",
            "selected": ["0", "1"],
            "bulk-source_name": "bbc news",
        },
    )
    staff.post(url)  # import
    a = Article.objects.get(title="Kerry warns Russia")
    b = Article.objects.get(title="Headline B")
    c = Article.objects.get(title="Headline C")
    assert (a.published.isoformat(), a.url, a.source.name) == (
        "2016-09-28",
        "https://www.bbc.co.uk/news/kerry",
        "BBC News",
    )
    assert b.source.name == "BBC News" and c.source.name == "Unknown outlet"
    assert list(b.stories.values_list("name", flat=True)) == ["Aleppo talks"]
    assert not a.stories.exists()


def test_a_correction_that_is_not_valid_is_refused_with_its_reason(staff, cast):
    url = _prepared(
        staff, cast.project, SimpleUploadedFile("a.txt", b"Headline A\nKerry warned Russia.")
    )
    response = staff.post(
        url,
        {"action": "correct", "published-0": "sometime in 2016", "url-0": "javascript:alert(1)"},
        follow=True,
    )
    page = response.text
    assert "is not a date with a day, a month and a year" in page
    assert "is not a web address" in page
    item = ImportBatch.objects.get().items.get(number=0).data
    assert (item["published"], item["url"]) == ("", "")


def test_a_new_source_typed_in_the_preview_is_created_at_import(staff, cast):
    url = _prepared(
        staff, cast.project, SimpleUploadedFile("a.txt", b"Headline A\nKerry warned Russia.")
    )
    staff.post(url, {"action": "correct", "source_name-0": "Al-Alam"})
    assert "new source" in staff.get(url).text
    staff.post(url)
    assert Article.objects.get().source.name == "Al-Alam"


def test_a_batch_being_imported_takes_no_more_corrections(staff, cast):
    url = _prepared(
        staff, cast.project, SimpleUploadedFile("a.txt", b"Headline A\nKerry warned Russia.")
    )
    staff.post(url)
    response = staff.post(url, {"action": "correct", "title-0": "Too late"}, follow=True)
    assert "nothing changed" in response.text
    assert Article.objects.get().title == "Headline A"
