"""The codebook as a REFI-QDA codebook (.qdc): valid against the REFI-QDA schema, the
hierarchy, colours, rules and archived state kept, and imported back (here or into another
project) without duplicates; hostile or broken XML is refused whole."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree

from apps.annotations.models import Tag
from tests import factories

SCHEMA = Path(__file__).parents[1] / "schemas" / "refi-qda" / "Project.xsd"
QDC = "urn:QDA-XML:codebook:1.0"
PROJECT = "urn:QDA-XML:project:1.0"


@pytest.fixture
def tags(cast):
    blame = factories.make_tag(cast.project, "blame", shortcut="1", position=1)
    blame.description = "Someone is held responsible <for> harm & loss."
    blame.color = "#ffc9c9"
    blame.save()
    us = factories.make_tag(cast.project, "blame on US", parent=blame, position=1)
    factories.make_tag(cast.project, "blame on Russia", parent=blame, position=2)
    threat = factories.make_tag(cast.project, "threat", position=2)
    threat.archived = True
    threat.save()
    factories.make_tag(cast.project, "ставка 🇺🇦", parent=us, position=1)
    return Tag.objects.filter(project=cast.project)


def _download(client, project):
    return client.get(reverse("analysis:codebook-qdc", args=[project.slug]))


def _import(client, project, content: bytes, name="codebook.qdc"):
    return client.post(
        reverse("annotations:codebook", args=[project.slug]),
        {"action": "import", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def _validate(qdc: bytes) -> None:
    """The .qdc's codes, placed in a project document, are valid REFI-QDA. (``origin`` is
    the codebook file's own attribute: the project's CodeBook has none.)"""
    codebook = etree.fromstring(qdc)
    assert codebook.tag == f"{{{QDC}}}CodeBook" and codebook.get("origin")
    codes = etree.fromstring(
        etree.tostring(codebook.find(f"{{{QDC}}}Codes")).replace(QDC.encode(), PROJECT.encode())
    )
    project = etree.Element(f"{{{PROJECT}}}Project", name="check", nsmap={None: PROJECT})
    etree.SubElement(project, f"{{{PROJECT}}}CodeBook").append(codes)
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(project)


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("analyst", 200), ("viewer", 200), ("outsider", 404)]
)
def test_every_member_downloads_the_codebook_as_qdc(client, cast, tags, who, status):
    client.force_login(getattr(cast, who))
    response = _download(client, cast.project)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].endswith(
            "-codebook-" + response["Content-Disposition"].split("-codebook-")[1]
        )
        assert response["Content-Disposition"].endswith('.qdc"')


def test_anonymous_users_are_sent_to_log_in_and_posts_are_refused(client, cast, tags):
    response = _download(client, cast.project)
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(cast.owner)
    assert (
        client.post(reverse("analysis:codebook-qdc", args=[cast.project.slug])).status_code == 405
    )


def test_the_qdc_is_valid_refi_qda_with_hierarchy_colours_rules_and_archived_state(
    client, cast, tags
):
    client.force_login(cast.viewer)
    qdc = _download(client, cast.project).content
    _validate(qdc)
    root = etree.fromstring(qdc)
    codes = root.find(f"{{{QDC}}}Codes")
    top = [(code.get("name"), code.get("isCodable")) for code in codes]
    assert top == [("blame", "true"), ("threat", "false")]
    blame = codes[0]
    assert blame.get("color") == "#ffc9c9" and blame.get("guid") == str(tags.get(name="blame").guid)
    assert (
        blame.find(f"{{{QDC}}}Description").text == "Someone is held responsible <for> harm & loss."
    )
    assert [c.get("name") for c in blame.findall(f"{{{QDC}}}Code")] == [
        "blame on US",
        "blame on Russia",
    ]
    assert blame.find(f"{{{QDC}}}Code/{{{QDC}}}Code").get("name") == "ставка 🇺🇦"


def test_an_empty_codebook_has_no_qdc_and_says_why(client, cast):
    client.force_login(cast.owner)
    response = _download(client, cast.project)
    assert response.status_code == 404


def test_a_qdc_imports_into_another_project_whole_and_again_adds_nothing(client, cast, tags):
    client.force_login(cast.owner)
    qdc = _download(client, cast.project).content
    other = factories.make_project("Second study", owner=cast.owner)
    page = _import(client, other, qdc).text
    assert "Imported: 5 tags added." in page
    copied = {tag.name: tag for tag in Tag.objects.filter(project=other)}
    for original in tags:
        copy = copied[original.name]
        assert (copy.guid, copy.color, copy.description, copy.archived) == (
            original.guid,
            original.color,
            original.description,
            original.archived,
        )
        assert (copy.parent.name if copy.parent else None) == (
            original.parent.name if original.parent else None
        )
    assert copied["blame"].shortcut == ""  # keys are not in a .qdc
    # A renamed tag is still the same code: importing again adds nothing.
    copied["threat"].name = "menace"
    copied["threat"].save()
    page = _import(client, other, qdc).text
    assert "0 tags added, 5 already in the codebook left as they are." in page
    assert Tag.objects.filter(project=other).count() == 5


def test_a_qdc_from_another_tool_with_short_colours_braced_guids_and_no_colour(client, cast):
    client.force_login(cast.owner)
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="{QDC}" origin="MAXQDA 2022">
  <Codes>
    <Code guid="{{6F1D1E40-3A4B-4C57-9C2A-0D2A4C1E0B11}}" name="Economy" isCodable="true"
          color="#0A0">
      <Description>Money talk</Description>
      <Code guid="a1b2c3d4-0000-4000-8000-000000000001" name=" Prices  " isCodable="1"/>
    </Code>
    <Code guid="not-a-guid" name="Other" isCodable="false"/>
  </Codes>
  <Sets/>
</CodeBook>""".encode()
    page = _import(client, cast.project, qdc, name="from-maxqda.xml").text
    assert "Imported: 3 tags added." in page
    economy = Tag.objects.get(project=cast.project, name="Economy")
    assert (economy.color, economy.description) == ("#00aa00", "Money talk")
    assert str(economy.guid) == "6f1d1e40-3a4b-4c57-9c2a-0d2a4c1e0b11"
    assert Tag.objects.get(project=cast.project, name="Prices").parent == economy
    assert Tag.objects.get(project=cast.project, name="Other").archived


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<CodeBook><Codes>", "not a readable codebook file"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            b'<CodeBook><Codes><Code name="&a;" guid="x" isCodable="true"/></Codes></CodeBook>',
            "not a readable codebook file",
        ),
        (b"<Project><Sources/></Project>", "has no CodeBook with Codes"),
        (b'<CodeBook><Codes><Code guid="x" isCodable="true"/></Codes></CodeBook>', "has no name"),
        (b"<CodeBook><Codes></Codes></CodeBook>", "holds no tags"),
        (
            b"<CodeBook><Codes>"
            + b'<Code name="n" isCodable="true">' * 60
            + b"</Code>" * 60
            + b"</Codes></CodeBook>",
            "more than 50 deep",
        ),
    ],
)
def test_a_broken_or_hostile_qdc_is_refused_whole_with_the_reason(
    client, cast, tags, content, message
):
    client.force_login(cast.owner)
    before = Tag.objects.count()
    page = _import(client, cast.project, content).text
    assert message in page
    assert Tag.objects.count() == before


def test_a_project_file_codebook_imports_too(client, cast):
    client.force_login(cast.owner)
    qde = (
        f'<Project xmlns="{PROJECT}" name="p"><CodeBook><Codes>'
        '<Code guid="a1b2c3d4-0000-4000-8000-000000000002" name="From a project" isCodable="true"/>'
        "</Codes></CodeBook></Project>"
    ).encode()
    assert "1 tag added" in _import(client, cast.project, qde, name="project.qde").text


def test_parents_come_from_the_files_nesting_not_from_names(client, cast):
    """QDA tools allow one name under two parents; a parent found by its GUID under a new
    name still takes its new subtags."""
    existing = factories.make_tag(cast.project, "Economy (renamed here)")
    qdc = f"""<CodeBook xmlns="{QDC}"><Codes>
      <Code guid="{existing.guid}" name="Economy" isCodable="true">
        <Code guid="a1b2c3d4-0000-4000-8000-000000000011" name="Prices" isCodable="true"/>
      </Code>
      <Code guid="a1b2c3d4-0000-4000-8000-000000000012" name="Politics" isCodable="true">
        <Code guid="a1b2c3d4-0000-4000-8000-000000000013" name="Other" isCodable="true"/>
      </Code>
      <Code guid="a1b2c3d4-0000-4000-8000-000000000014" name="Society" isCodable="true">
        <Code guid="a1b2c3d4-0000-4000-8000-000000000015" name="Other" isCodable="true">
          <Code guid="a1b2c3d4-0000-4000-8000-000000000016" name="Youth" isCodable="true"/>
        </Code>
      </Code>
    </Codes></CodeBook>""".encode()
    client.force_login(cast.owner)
    page = _import(client, cast.project, qdc).text
    tags = {tag.name: tag for tag in Tag.objects.filter(project=cast.project)}
    assert tags["Prices"].parent == existing  # found by its GUID, renamed here
    assert tags["Other"].parent == tags["Politics"]
    assert tags["Youth"].parent == tags["Other"]  # the one name the codebook can hold
    assert "“Other” appears more than once in the file" in page
