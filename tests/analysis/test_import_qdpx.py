"""Importing a REFI-QDA project (.qdpx): the round trip through the export reproduces
everything the models hold; hostile files are refused with a clear error and nothing
half-imported; passages that cannot be placed are left out and said so; the pages."""

import io
import zipfile

import pytest

from apps.analysis import qdpx_import
from apps.analysis.export_qdpx import qdpx_stream
from apps.analysis.models import ProjectFileImport
from apps.analysis.qdpx_archive import UnreadableProject
from apps.analysis.qdpx_import import Choices, dry_run, import_project
from apps.analysis.qdpx_reading import read_project
from apps.annotations.anchoring import revise_article
from apps.annotations.models import Annotation, AnnotationTag, Tag
from apps.annotations.people import archive
from apps.annotations.setup import create_project
from apps.corpus.models import Article, Story
from apps.projects.models import Membership
from apps.sampledata.demo import load_demo
from tests import factories
from tests.analysis.qdpx_files import (
    NS,
    TEXT,
    G,
    inline_source,
    named_selection,
    project_qde,
    qdpx,
    selection,
    upload,
    zip_of,
)


def export(project) -> bytes:
    annotations = Annotation.objects.filter(article__project=project)
    return b"".join(qdpx_stream(project, articles=project.articles.all(), annotations=annotations))


def snapshot(project) -> dict:
    """Everything the models hold of a project, without ids: what a round trip keeps."""
    tags = list(project.tags.order_by("position", "name"))
    return {
        "tags": [
            (
                t.name,
                t.description,
                t.color,
                t.parent.name if t.parent else None,
                t.archived,
                str(t.guid),
            )
            for t in tags
        ],
        "claims": sorted(
            (c.text, c.description, c.parent.text if c.parent else None, c.archived)
            for c in project.claims.all()
        ),
        "actors": sorted(
            (a.name, a.kind, a.aliases, a.description, a.archived) for a in project.actors.all()
        ),
        "stories": sorted(
            (s.name, s.description, sorted(a.title for a in s.articles.all()))
            for s in project.stories.all()
        ),
        "articles": sorted(
            (
                a.title,
                a.url,
                a.published,
                a.byline,
                a.language,
                a.text,
                a.content_hash,
                a.word_count,
                a.source.name,
            )
            for a in project.articles.select_related("source")
        ),
        "annotations": sorted(
            (
                a.article.title,
                a.start,
                a.end,
                a.quote,
                a.prefix,
                a.suffix,
                a.annotator.username,
                tuple(sorted(t.name for t in a.tags.all())),
                str(a.claim or ""),
                str(a.speaker or ""),
                str(a.target or ""),
                a.voice,
                a.position,
                a.note,
                a.anchor_status,
                a.original_quote,
                a.created_at,
                a.updated_at,
            )
            for a in Annotation.objects.filter(article__project=project)
            .exclude(anchor_status="orphaned")
            .select_related("article", "annotator", "claim", "speaker", "target")
            .prefetch_related("tags")
        ),
    }


def twin(project, owner):
    """An empty project with the same members."""
    new, _ = create_project(name=f"{project.name} again", owner=owner)
    for m in project.memberships.exclude(user=owner):
        Membership.objects.create(project=new, user=m.user, role=m.role)
    return new


@pytest.fixture
def rich(cast):
    """Emoji and right-to-left text, nested and archived codes, an actor's kind and
    names, a passage whose place needs review and one orphaned by a revision."""
    bbc = factories.make_source("BBC News", country="GB", kind="public_broadcaster")
    rt = factories.make_source("RT", country="RU", kind="state_affiliated")
    one = factories.make_article(
        cast.project,
        text="🇺🇸 Kerry 😀 said: patience is not infinite.\n\nقال لافروف إن الهدنة صامدة.",
        source=bbc,
        title="Kerry warns",
        url="https://bbc.example/kerry",
    )
    two = factories.make_article(
        cast.project, text="Lavrov answered Kerry. Talks go on.", source=rt
    )
    factories.make_story(cast.project, one, two, name="Kerry's threat")
    parent = factories.make_tag(cast.project, "blame", color="#aa0000")
    child = factories.make_tag(cast.project, "blame on US", parent=parent)
    threat = factories.make_tag(cast.project, "threat")
    Tag.objects.filter(pk=threat.pk).update(archived=True, description="When a side warns.")
    kerry = factories.make_actor(cast.project, "John Kerry")
    kerry.aliases, kerry.description, kerry.kind = (
        "Kerry\nSecretary Kerry",
        "US Secretary",
        "person",
    )
    kerry.save()
    us = factories.make_actor(cast.project, "United States")
    archive(us)
    narrative = factories.make_claim(cast.project, "The West is weak")
    claim = factories.make_claim(cast.project, "Russia is isolated")
    claim.parent = narrative
    claim.save()
    factories.make_annotation(one, cast.analyst, "patience is not infinite", tags=[threat],
                              note="a note with <markup> & more\non two lines", speaker=kerry,
                              claim=claim, voice="reported", position="supports")  # fmt: skip
    factories.make_annotation(one, cast.owner, "الهدنة صامدة", tags=[child], target=us)
    factories.make_annotation(two, cast.analyst, "Kerry", tags=[parent, threat])
    factories.make_annotation(two, cast.analyst, "Talks go on", tags=[parent])
    # A revision: one passage found only by likeness (needs review), one lost (orphaned).
    revise_article(article=two, new_text="Lavrov answered Kerrey. Nothing else.", author=cast.owner)
    return cast


def test_round_trip_reproduces_everything_the_models_hold(rich):
    statuses = set(Annotation.objects.values_list("anchor_status", flat=True))
    assert {"anchored", "needs_review", "orphaned"} <= statuses  # the fixture covers them
    data = export(rich.project)
    new = twin(rich.project, rich.owner)
    outcome = import_project(project=new, data=read_project(data), choices=Choices(), by=rich.owner)
    assert outcome.problems == []
    assert snapshot(new) == snapshot(rich.project)
    # Exported again, it is the same file but for the ids in its GUIDs.
    assert len(export(new)) > 0 and read_project(export(new)).sources[0].text


def test_round_trip_of_the_demo(db):
    project = load_demo(with_users=True).project
    owner = project.memberships.get(role="owner").user
    new = twin(project, owner)
    import_project(project=new, data=read_project(export(project)), choices=Choices(), by=owner)
    assert snapshot(new) == snapshot(project)
    assert new.articles.count() == project.articles.count() == 5


def test_the_same_file_twice_adds_nothing_the_second_time(rich):
    data = read_project(export(rich.project))
    new = twin(rich.project, rich.owner)
    import_project(project=new, data=data, choices=Choices(), by=rich.owner)
    before = snapshot(new)
    again = import_project(project=new, data=data, choices=Choices(), by=rich.owner)
    assert snapshot(new) == before
    assert again.counts["passages added"] == 0
    assert again.counts["passages already there"] == 3  # the orphaned one is not in the file
    assert again.counts["articles already there"] == 2


def test_into_the_same_project_attaches_passages_to_its_articles(rich):
    outcome = dry_run(
        project=rich.project,
        data=read_project(export(rich.project)),
        choices=Choices(),
        by=rich.owner,
    )
    assert outcome.counts["articles already there"] == 2
    assert outcome.counts["passages already there"] == 3
    assert outcome.counts["passages added"] == 0


def test_the_preview_saves_nothing_and_counts_what_the_import_does(rich):
    data = read_project(export(rich.project))
    new = twin(rich.project, rich.owner)
    counts = (Article.objects.count(), Annotation.objects.count(), Tag.objects.count())
    history = Annotation.history.count()
    preview = dry_run(project=new, data=data, choices=Choices(), by=rich.owner)
    assert (Article.objects.count(), Annotation.objects.count(), Tag.objects.count()) == counts
    assert Annotation.history.count() == history
    done = import_project(project=new, data=data, choices=Choices(), by=rich.owner)
    assert preview.as_json() == done.as_json()
    assert preview.counts["passages added"] == 3
    assert preview.counts["tags added"] == 3


def test_one_chosen_member_codes_every_passage(rich):
    new = twin(rich.project, rich.owner)
    data = read_project(export(rich.project))
    import_project(project=new, data=data, choices=Choices(annotator=rich.analyst), by=rich.owner)
    coders = set(
        Annotation.objects.filter(article__project=new).values_list("annotator", flat=True)
    )
    assert coders == {rich.analyst.pk}


def test_coders_who_are_not_members_go_to_the_importer_and_are_listed(rich):
    new, _ = create_project(name="Alone", owner=rich.owner)
    outcome = import_project(
        project=new, data=read_project(export(rich.project)), choices=Choices(), by=rich.owner
    )
    coders = set(
        Annotation.objects.filter(article__project=new).values_list("annotator", flat=True)
    )
    assert coders == {rich.owner.pk}
    assert outcome.users["anton"] == ["olga", 2, False]
    assert outcome.users["olga"] == ["olga", 1, True]


def test_imported_passages_have_history_with_their_tags(rich):
    new = twin(rich.project, rich.owner)
    import_project(
        project=new, data=read_project(export(rich.project)), choices=Choices(), by=rich.owner
    )
    annotation = Annotation.objects.get(article__project=new, original_quote="Kerry")
    record = annotation.history.get()
    assert record.history_type == "+" and record.history_user == rich.owner
    assert sorted(name for _, name in record.tag_list) == ["blame", "threat"]
    assert AnnotationTag.objects.filter(annotation=annotation).count() == 2


def test_a_file_from_another_tool_becomes_articles_tags_and_passages(cast):
    data = qdpx(
        project_qde(selection(6, 0, 9, note=True) + selection(7, 12, 17, code=2)),
        {"a.txt": TEXT.encode()},
    )
    outcome = import_project(
        project=cast.project, data=read_project(data), choices=Choices(), by=cast.owner
    )
    assert outcome.problems == []
    article = Article.objects.get(project=cast.project)
    assert article.text == "Sanctions 😀 bite.\n\nThe rouble falls."  # canonical
    assert article.source.name == "Le Monde" and article.title == "Sanctions bite"
    tags = {t.name: t for t in cast.project.tags.all()}
    assert tags["Sanctions"].parent == tags["Economy"] and tags["Economy"].color == "#00ff00"
    quotes = {a.quote: a for a in Annotation.objects.filter(article=article)}
    assert set(quotes) == {"Sanctions", "bite."}  # code points: the emoji counts one
    assert quotes["Sanctions"].note == "Check this."
    assert quotes["Sanctions"].annotator == cast.owner  # "jane" is no member here
    assert Story.objects.get(project=cast.project, name="Sanctions 2014").articles.get() == article


def test_passages_are_mapped_through_canonicalisation_or_left_out(cast):
    # "rouble falls" after the CRLFs and the trailing spaces: moved, same words.
    start = TEXT.index("rouble")
    data = qdpx(
        project_qde(selection(6, start, start + 12) + selection(7, 30, 99) + selection(8, 5, 3)),
        {"a.txt": TEXT.encode()},
    )
    outcome = import_project(
        project=cast.project, data=read_project(data), choices=Choices(), by=cast.owner
    )
    assert list(Annotation.objects.values_list("quote", flat=True)) == ["rouble falls"]
    assert outcome.counts["passages left out"] == 2
    assert any("outside its text" in p for p in outcome.problems)


def test_a_passage_in_a_file_of_this_app_is_placed_only_on_the_words_it_names(rich):
    original = zipfile.ZipFile(io.BytesIO(export(rich.project)))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as archive:
        for name in original.namelist():
            data = original.read(name)
            if name.startswith("sources/"):  # the text edited, the passage's place not
                data = data.replace(b"patience is not infinite", b"patience is not definite")
            archive.writestr(name, data)
    parsed = read_project(edited.getvalue())
    assert any("not the ones the file names" in p for p in parsed.problems)
    assert parsed.passages_left_out == 1


def test_missing_and_oversized_texts_are_left_out_with_their_passages(cast, settings):
    settings.MAX_ARTICLE_CHARS = 10
    missing = f'<TextSource guid="{G.format(11)}" name="Gone" plainTextPath="internal://gone.txt"/>'
    data = qdpx(project_qde(selection(6, 0, 9), more=missing), {"a.txt": TEXT.encode()})
    parsed = read_project(data)
    assert parsed.sources == []
    assert any("Gone" in p and "not in the file" in p for p in parsed.problems)
    assert any("Sanctions bite" in p and "over the 10 characters" in p for p in parsed.problems)
    assert parsed.passages_left_out == 1


def test_a_1_gb_source_is_refused_by_its_size_without_unpacking_it(cast):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("project.qde", project_qde(selection(6, 0, 9)))
        with archive.open("sources/a.txt", "w", force_zip64=True) as big:
            block = b"a" * (1 << 20)
            for _ in range(1024):
                big.write(block)
    parsed = read_project(out.getvalue())
    assert parsed.sources == []
    assert any("is 1.0 GB" in p for p in parsed.problems)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really", "not one"),
        (b"<Project/>", "not one"),
        (qdpx("<x/>")[:40], "not one"),
        (zip_of({"notes.txt": b"x"}), "no project.qde"),
        (
            qdpx(
                '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                f'<Project xmlns="{NS}" name="&x;"/>'
            ),
            "not readable XML",
        ),
        (
            qdpx(
                '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                f'<Project xmlns="{NS}" name="&lol2;"/>'
            ),
            "not readable XML",
        ),
        (qdpx(f'<Project xmlns="{NS}" name="x"><Sources>'), "not readable XML"),
        (
            qdpx(project_qde(selection(6, 0, 9) + selection(6, 0, 5)), {"a.txt": b"Sanctions"}),
            "for two things",
        ),
    ],
    ids=[
        "damaged zip",
        "not a zip",
        "truncated zip",
        "no project",
        "XXE",
        "billion laughs",
        "truncated XML",
        "colliding GUIDs",
    ],
)
def test_hostile_files_are_refused_with_a_clear_error(data, message):
    with pytest.raises(UnreadableProject, match=message):
        read_project(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.QDPX_MAX_UNPACKED_BYTES = 10 * 1024 * 1024
    bomb = qdpx(project_qde() + " " * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(UnreadableProject, match=r"unpacks to more than 10\.0 MB"):
        read_project(bomb)


def test_a_zip_whose_directory_lies_is_refused_while_unpacking(settings):
    settings.QDPX_MAX_UNPACKED_BYTES = 50_000
    data = bytearray(qdpx(project_qde() + " " * 100_000))
    # Make the directory say project.qde unpacks to 1,000 bytes.
    at = data.rindex(b"PK\x01\x02")
    data[at + 24 : at + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(UnreadableProject, match=r"more than its directory says|damaged"):
        read_project(bytes(data))


def test_a_failure_half_way_leaves_nothing_of_the_file(cast, monkeypatch):
    data = read_project(qdpx(project_qde(selection(6, 0, 9)), {"a.txt": TEXT.encode()}))

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(qdpx_import, "_stories", broken)
    with pytest.raises(RuntimeError):
        import_project(project=cast.project, data=data, choices=Choices(), by=cast.owner)
    assert not cast.project.articles.exists() and not cast.project.tags.exists()


def test_upload_preview_choose_and_import(client, rich):
    data = export(rich.project)
    new = twin(rich.project, rich.owner)
    client.force_login(rich.owner)
    response = upload(client, new, data)
    record = ProjectFileImport.objects.get(project=new)
    assert response.status_code == 302 and response.url.endswith(f"/{record.pk}/")
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing is saved yet" in html and "<strong>3</strong> passages added" in html
    assert not new.articles.exists()
    # Another choice: checked again, not imported.
    response = client.post(response.url, {"action": "import", "annotator": rich.analyst.pk,
                                          "outlet": "Unknown outlet"})  # fmt: skip
    record.refresh_from_db()
    assert record.state == "ready" and record.annotator == rich.analyst
    assert not new.articles.exists()
    client.post(response.url, {"action": "import", "annotator": rich.analyst.pk,
                               "outlet": "Unknown outlet"})  # fmt: skip
    record.refresh_from_db()
    assert record.state == "done" and record.data == b""
    assert new.articles.count() == 2
    assert set(
        Annotation.objects.filter(article__project=new).values_list("annotator", flat=True)
    ) == {rich.analyst.pk}
    report = client.get(response.url).content.decode()
    assert "Imported: study.qdpx" in report and "<strong>3</strong> passages added" in report
    # A second click on "Import" does nothing.
    client.post(response.url, {"action": "import", "annotator": rich.analyst.pk, "outlet": "x"})
    assert new.articles.count() == 2


def test_the_page_reads_a_fixed_number_of_queries(client, rich, django_assert_max_num_queries):
    client.force_login(rich.owner)
    url = upload(client, rich.project, export(rich.project)).url
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_overlapping_passages_of_one_coder_and_code_are_kept_and_reported(cast):
    data = qdpx(
        project_qde(selection(6, 0, 9) + selection(7, 4, 15) + selection(8, 4, 15, code=2)),
        {"a.txt": TEXT.encode()},
    )
    outcome = import_project(
        project=cast.project, data=read_project(data), choices=Choices(), by=cast.owner
    )
    assert Annotation.objects.count() == 3
    assert outcome.counts["passages overlapping another of the same coder and codes"] == 1
    assert any("1 passage overlaps another" in p for p in outcome.problems)


def test_a_text_inside_the_project_file_keeps_only_passages_on_their_named_words(cast):
    crlf = "First line.\r\nSecond line.\r\nThird words here."
    at = crlf.index("words")  # counted with CR LF, as the tool that wrote it did
    selections = named_selection(20, at, at + 5, "words") + named_selection(21, at, at + 5, "")
    qde = project_qde(more=inline_source(30, crlf.replace("\r", "&#13;"), selections))
    qde = qde.replace("&#13;", "\r")  # XML reads CR LF as LF, whatever the writer counted
    parsed = read_project(qdpx(qde, {"a.txt": TEXT.encode()}))
    inline = next(source for source in parsed.sources if source.name == "Inline")
    assert [inline.text[s.start : s.end] for s in inline.selections] == ["words"]
    assert any("Inline" in p and "1 passage left out" in p for p in parsed.problems)


def test_sources_without_url_are_not_said_to_clash(cast):
    texts = [inline_source(30 + n, f"Text number {n} here.", name=f"Text {n}") for n in range(3)]
    data = read_project(qdpx(project_qde(more="".join(texts)), {"a.txt": TEXT.encode()}))
    outcome = import_project(project=cast.project, data=data, choices=Choices(), by=cast.owner)
    assert not [p for p in outcome.problems if "URL" in p]


def test_texts_and_passages_are_counted_against_the_limits_while_read(settings):
    settings.QDPX_MAX_SOURCES = 2
    texts = "".join(inline_source(30 + n, f"Text number {n}.") for n in range(3))
    with pytest.raises(UnreadableProject, match="more than 2 texts"):
        read_project(qdpx(project_qde(more=texts), {"a.txt": TEXT.encode()}))
    settings.QDPX_MAX_SOURCES = 100
    settings.QDPX_MAX_PASSAGES = 1
    with pytest.raises(UnreadableProject, match="more than 1 passages"):
        read_project(qdpx(project_qde(selection(6, 0, 9) + selection(7, 0, 5)), {"a.txt": b"x"}))
