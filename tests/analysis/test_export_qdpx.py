"""The project (or a selection) as a REFI-QDA project (.qdpx): valid against the schema,
every annotation at its place in code points, every reference resolving, the numbers
equal to the CSV export of the same filter, written as a stream."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from lxml import etree

from apps.analysis import export_qdpx
from apps.annotations.models import Annotation, Position, Voice
from apps.corpus.models import Article
from apps.sampledata.demo import load_demo
from apps.sampledata.synthetic import generate_corpus
from tests import factories
from tests.access import assert_members_read_only

SCHEMA = etree.XMLSchema(
    etree.parse(str(Path(__file__).parents[1] / "schemas/refi-qda/Project.xsd"))
)
NS = {"q": "urn:QDA-XML:project:1.0"}


class Qdpx:
    """A downloaded .qdpx, read as a QDA tool reads it."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.root = etree.fromstring(self.zip.read("project.qde"))
        SCHEMA.assertValid(self.root)

    def all(self, path: str) -> list:
        return self.root.findall(path, NS)

    def text_of(self, source) -> str:
        path = source.get("plainTextPath").removeprefix("internal://")
        return self.zip.read(f"sources/{path}").decode("utf-8")

    def codes(self) -> dict[str, str]:
        return {code.get("guid"): code.get("name") for code in self.root.iter(f"{{{NS['q']}}}Code")}

    def selections(self) -> list:
        return self.all(".//q:TextSource/q:PlainTextSelection")


def _download(client, project, params=None) -> Qdpx:
    response = client.get(reverse("analysis:project-qdpx", args=[project.slug]), params or {})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].endswith('.qdpx"')
    return Qdpx(b"".join(response.streaming_content))


@pytest.fixture
def coded(cast):
    """Emoji before the passages, right-to-left text, control characters in names."""
    bbc = factories.make_source("BBC\x07 News", country="GB", kind="public_broadcaster")
    rt = factories.make_source("RT", country="RU", kind="state_affiliated")
    one = factories.make_article(
        cast.project,
        text="🇺🇸 Kerry 😀 said: patience is not infinite.\n\nقال لافروف إن الهدنة صامدة.",
        source=bbc,
        title="Kerry\x0b warns",
    )
    two = factories.make_article(cast.project, text="Lavrov answered Kerry.", source=rt)
    factories.make_article(cast.project, text="Nothing coded here.", source=rt)
    factories.make_story(cast.project, one, two, name="Kerry's threat")
    parent = factories.make_tag(cast.project, "blame")
    child = factories.make_tag(cast.project, "blame on US", parent=parent)
    threat = factories.make_tag(cast.project, "threat")
    kerry = factories.make_actor(cast.project, "John Kerry")
    us = factories.make_actor(cast.project, "United States")
    claim = factories.make_claim(cast.project, "Russia is isolated")
    factories.make_annotation(one, cast.analyst, "patience is not infinite", tags=[threat],
                              note="a note\x01 with <markup> & more", speaker=kerry,
                              claim=claim, voice="reported", position="supports")  # fmt: skip
    factories.make_annotation(one, cast.owner, "الهدنة صامدة", tags=[child], target=us)
    factories.make_annotation(two, cast.analyst, "Kerry", tags=[parent, threat])
    return cast


def test_every_annotation_is_a_selection_at_its_place_in_code_points(client, coded):
    client.force_login(coded.viewer)
    qdpx = _download(client, coded.project)
    sources = qdpx.all(".//q:Sources/q:TextSource")
    assert len(sources) == 3
    quotes = set()
    for source in sources:
        article = _article(source)
        text = qdpx.text_of(source)
        assert text == article.text
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            quotes.add(text[start:end])
    assert quotes == {"patience is not infinite", "الهدنة صامدة", "Kerry"}
    # After two flags and an emoji (five code points, nine UTF-16 units): code points.
    patience = next(s for s in qdpx.selections() if s.get("name") == "patience is not infinite")
    assert int(patience.get("startPosition")) == len("🇺🇸 Kerry 😀 said: ") == 17


def test_codes_notes_cases_and_sets_resolve(client, coded):
    client.force_login(coded.owner)
    qdpx = _download(client, coded.project)
    codes = qdpx.codes()
    coded_with = {}
    for selection in qdpx.selections():
        refs = selection.findall("q:Coding/q:CodeRef", NS)
        coded_with[selection.get("name")] = sorted(codes[ref.get("targetGUID")] for ref in refs)
    stance = [Voice.REPORTED.label, Position.SUPPORTS.label]
    assert coded_with == {
        "patience is not infinite": sorted(["threat", "Russia is isolated", "John Kerry", *stance]),
        "الهدنة صامدة": ["United States", "blame on US"],
        "Kerry": ["blame", "threat"],
    }
    # The tag hierarchy, and the branches of codes that are not tags.
    top = [code.get("name") for code in qdpx.all("q:CodeBook/q:Codes/q:Code")]
    assert top[-3:] == ["Claims", "Actors", "Stance"] and "blame" in top
    assert [c.get("name") for c in qdpx.all("q:CodeBook/q:Codes/q:Code[@name='blame']/q:Code")] == [
        "blame on US"
    ]
    notes = {
        note.get("guid"): note.findtext("q:PlainTextContent", namespaces=NS)
        for note in qdpx.all("q:Notes/q:Note")
    }
    refs = [ref.get("targetGUID") for ref in qdpx.all(".//q:PlainTextSelection/q:NoteRef")]
    assert sorted(refs) == sorted(notes)
    assert "a note with <markup> & more" in notes.values()
    assert any(
        text.startswith("Speaker: John Kerry\nClaim: Russia is isolated") for text in notes.values()
    )
    assert "Target: United States" in notes.values()
    users = {user.get("guid") for user in qdpx.all("q:Users/q:User")}
    assert {s.get("creatingUser") for s in qdpx.selections()} <= users
    guids = {s.get("guid") for s in qdpx.all(".//q:TextSource")}
    cases = {
        case.get("name"): [r.get("targetGUID") for r in case] for case in qdpx.all("q:Cases/q:Case")
    }
    assert sorted(cases) == ["BBC News", "RT"] and len(cases["RT"]) == 2
    assert {guid for refs in cases.values() for guid in refs} == guids
    (story,) = qdpx.all("q:Sets/q:Set")
    assert story.get("name") == "Kerry's threat" and len(story) == 2
    every = [element.get("guid") for element in qdpx.root.iter() if element.get("guid")]
    assert len(every) == len(set(every))


def test_variables_give_each_article_its_outlet_and_date(client, coded):
    Article.objects.filter(text="Lavrov answered Kerry.").update(published="2016-02-12")
    client.force_login(coded.viewer)
    qdpx = _download(client, coded.project)
    names = {v.get("guid"): v.get("name") for v in qdpx.all("q:Variables/q:Variable")}
    lavrov = next(s for s in qdpx.all(".//q:TextSource") if _article(s).published)
    values = {
        names[value.find("q:VariableRef", NS).get("targetGUID")]: value[1].text
        for value in lavrov.findall("q:VariableValue", NS)
    }
    assert values["Outlet"] == "RT" and values["Published"] == "2016-02-12"
    assert values["Country"] == "RU" and values["Stories"] == "Kerry's threat"


def test_the_guids_are_the_same_in_every_export(client, coded):
    client.force_login(coded.viewer)
    first, second = _download(client, coded.project), _download(client, coded.project)
    assert [e.get("guid") for e in first.root.iter()] == [e.get("guid") for e in second.root.iter()]


def test_a_filtered_selection_holds_what_the_csv_export_holds(client, coded):
    client.force_login(coded.viewer)
    blame = coded.project.tags.get(name="blame")
    for params in (
        {"tag": blame.pk},
        {"q": "Kerry"},
        {"source": coded.project.articles.first().source_id},
        {},
    ):
        qdpx = _download(client, coded.project, params)
        response = client.get(
            reverse("analysis:annotations-csv", args=[coded.project.slug]), params
        )
        rows = list(
            csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert len(qdpx.selections()) == len(rows), params
        exported = {int(r["annotation_id"]) for r in rows}
        assert {export_qdpx.guid("annotation", pk) for pk in exported} == {
            s.get("guid") for s in qdpx.selections()
        }
    # A filter on passages keeps only the articles that have such a passage.
    assert len(_download(client, coded.project, {"tag": blame.pk}).all(".//q:TextSource")) == 2


def test_the_demo_and_a_generated_corpus_are_valid(client, cast):
    demo = load_demo(with_users=False).project
    generated = generate_corpus(
        project_slug="gen", articles=40, sources=6, annotations=400, seed=3
    ).project
    for project in (demo, generated):
        project.memberships.create(user=cast.viewer, role="viewer")
        client.force_login(cast.viewer)
        qdpx = _download(client, project)
        assert len(qdpx.selections()) == Annotation.objects.filter(article__project=project).count()
        assert len(qdpx.all(".//q:TextSource")) == project.articles.count()
        for source in qdpx.all(".//q:TextSource"):
            text = qdpx.text_of(source)
            for selection in source.findall("q:PlainTextSelection", NS):
                annotation = Annotation.objects.get(pk=_pk(selection, project))
                assert (
                    text[int(selection.get("startPosition")) : int(selection.get("endPosition"))]
                    == annotation.quote
                )


def _article(source) -> Article:
    for article in Article.objects.all():
        if export_qdpx.guid("article", article.pk) == source.get("guid"):
            return article
    raise AssertionError(source.get("guid"))


def _pk(selection, project) -> int:
    wanted = selection.get("guid")
    for pk in Annotation.objects.filter(article__project=project).values_list("pk", flat=True):
        if export_qdpx.guid("annotation", pk) == wanted:
            return pk
    raise AssertionError(wanted)


def test_an_empty_project_is_still_a_valid_file(client, cast):
    client.force_login(cast.viewer)
    qdpx = _download(client, cast.project)
    assert qdpx.all(".//q:TextSource") == [] and qdpx.zip.namelist() == ["project.qde"]


def test_members_read_it_and_others_do_not(client, coded):
    url = reverse("analysis:project-qdpx", args=[coded.project.slug])
    assert_members_read_only(client, coded, url)


def test_a_broken_filter_exports_nothing(client, coded):
    client.force_login(coded.viewer)
    url = reverse("analysis:project-qdpx", args=[coded.project.slug])
    response = client.get(url, {"tag": "x"})
    assert response.status_code == 400 and b"nothing was exported" in response.content


def test_the_query_count_does_not_grow_with_the_project(client, coded, django_assert_num_queries):
    client.force_login(coded.viewer)
    with django_assert_num_queries(16):
        assert len(_download(client, coded.project).selections()) == 3
    for n in range(30):
        article = factories.make_article(coded.project, text=f"Article {n} text.")
        factories.make_annotation(article, coded.analyst, "text", tags=[coded.project.tags.first()])
    with django_assert_num_queries(16):
        assert len(_download(client, coded.project).selections()) == 33


def test_the_comparison_and_the_home_link_to_it_with_their_selection(client, coded):
    client.force_login(coded.viewer)
    blame = coded.project.tags.get(name="blame")
    url = reverse("analysis:project-qdpx", args=[coded.project.slug])
    compare = client.get(reverse("analysis:compare", args=[coded.project.slug]), {"tag": blame.pk})
    assert f'href="{url}?tag={blame.pk}' in compare.content.decode()
    home = client.get(coded.project.get_absolute_url())
    assert f'href="{url}"' in home.content.decode()


def test_a_guid_is_the_version_5_uuid_of_its_kind_and_id():
    import uuid

    from apps.analysis.qdpx_codes import _GUIDS

    for kind, pk in (("article", 1), ("annotation", 123456), ("coding", "7:abc")):
        assert export_qdpx.guid(kind, pk) == str(uuid.uuid5(_GUIDS, f"{kind}:{pk}"))


def test_a_project_without_members_or_annotations_is_still_valid(cast):
    from apps.projects.models import Project

    bare = Project.objects.create(slug="bare", name="Bare")
    factories.make_article(bare, text="Imported, not coded yet.")
    pieces = export_qdpx.qdpx_stream(
        bare, articles=bare.articles.all(), annotations=Annotation.objects.none()
    )
    qdpx = Qdpx(b"".join(pieces))
    assert qdpx.all("q:Users") == [] and len(qdpx.all(".//q:TextSource")) == 1
