"""Each family of article files analysts receive, with a small fixture of our own that
reproduces its quirks: metadata kept (with where it came from), text exactly the prose."""

import io
import zipfile

import pytest

from apps.corpus.importing import import_articles, prepare
from apps.corpus.models import Article, Source
from apps.corpus.reading import read_files
from tests import factories

WORDPRESS = b"""---
ID: 570
post_title: 'Turkey says Russia violated its airspace &#8211; BBC News'
author: Staff Writer
post_date: 2016-01-30 16:50:06
published: true
permalink: >
  https://mirror.example/turkey-says-russia-violated-its-airspace/
original_link:
  - 'http://news.google.com/news/url?sa=t&#038;url=http://www.bbc.co.uk/news/world-europe-35449152'
---
 [ad_1]
<br><div property="articleBody">
<figure><img src="http://mirror.example/wp-content/uploads/2016/01/x.jpg" alt="A jet">
<figcaption>Image copyright Reuters Image caption Russia has denied the claim</figcaption></figure>
<p>Turkey says a Russian jet has violated its airspace and it has summoned the Russian
ambassador to Ankara over the incident on Friday morning.</p>
<p>The foreign ministry said a Russian SU-34 jet violated Turkish airspace at 11:46 local
time on Friday, despite repeated warnings from Turkish radar units.</p>
</div>
[ad_2]
<a href="http://news.google.com/news/url?url=http://www.bbc.co.uk/news/world-1">Source </a>"""

XML_ARTICLE = (
    b"<article><author>Lena Masri</author>"
    b"<mainText>Aid was suspended after yesterday&#8217;s attack. We&#226;&#128;&#153;ve all "
    b"seen the photos &#226;&#128;&#148; they are terrible.</mainText>"
    b"<portal>addicting-info</portal>"
    b"<title>Aid suspended after convoy attack</title>"
    b"<uri>http://www.example.org/2016/09/20/aid?utm=1&amp;x=2</uri>"
    b"<veracity>mostly true</veracity><number_of_quotes>0</number_of_quotes></article>"
)

FEED = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example Wire</title>
<item><title>Kerry warns Moscow</title><link>https://wire.example/kerry</link>
<pubDate>Mon, 19 Sep 2016 23:30:00 -0500</pubDate>
<description>&lt;p&gt;Kerry warned Moscow on Monday night that talks would end unless the
bombing of Aleppo stopped at once, officials said.&lt;/p&gt;</description></item>
<item><title>Lavrov answers</title><link>https://wire.example/lavrov</link>
<description>&lt;p&gt;Lavrov answered that Washington had failed to separate the moderate
rebels from the terrorists, as it had promised to do in the September deal.&lt;/p&gt;</description>
</item></channel></rss>"""

SENTENCE = (
    "Victims of a suspected chemical attack in Syria appeared to show symptoms consistent "
    "with reaction to a nerve agent the World Health Organization said on Wednesday. "
)
DAYS = ("Monday", "Tuesday", "Thursday", "Friday", "Saturday", "Sunday")
PROSE = "".join(SENTENCE.replace("Wednesday", day) for day in DAYS)
DATASET = (
    "unit_id,article_title,article_content,source,date\r\n"
    '1,Syria attack symptoms consistent with nerve agent use WHO,"Wed 05 Apr 2017 Syria attack '
    "symptoms consistent with nerve agent use WHO. " + PROSE + 'Share this on Facebook.",'
    "nna,4/5/2017\r\n"
    '2,Aleppo blast kills six,"Aleppo blast kills six. A bomb blast killed six people.",'
    "dailysabah,12/25/2016\r\n"
)


@pytest.fixture
def project(cast):
    return cast.project


def _prepare(project, files, **kwargs):
    return prepare(project=project, items=read_files(files), **kwargs)


def _import(project, files, **kwargs):
    items = _prepare(project, files, **kwargs)
    return items, import_articles(project=project, items=items, user=None)


def test_a_wordpress_export_keeps_its_front_matter_as_metadata(project):
    items, report = _import(project, [("post.html", WORDPRESS)])
    article = Article.objects.get()
    assert report.created == ["post.html"]
    assert article.title == "Turkey says Russia violated its airspace"
    assert article.url == "http://www.bbc.co.uk/news/world-europe-35449152"
    assert article.published.isoformat() == "2016-01-30"
    assert (article.source.name, article.source.domain) == ("BBC News", "bbc.co.uk")
    assert items[0].origins["published"] == "front matter"
    for leftover in ("post_title", "[ad_", "Source", "Image copyright", "---"):
        assert leftover not in article.text
    assert article.text.startswith("Turkey says a Russian jet has violated its airspace")


def test_toml_front_matter_is_read_too(project):
    page = (
        b'+++\ntitle = "Kerry warns Russia"\ndate = 2016-09-28\n'
        b'url = "https://www.example.com/kerry"\n+++\n'
        b"Kerry warned Russia that talks on Syria would end.\n\nLavrov answered him."
    )
    items, _ = _import(project, [("note.md", page)])
    assert (items[0].title, items[0].published, items[0].url) == (
        "Kerry warns Russia",
        "2016-09-28",
        "https://www.example.com/kerry",
    )
    assert Article.objects.get().text.startswith("Kerry warned Russia")


def test_an_xml_article_gives_its_fields_and_only_its_main_text(project):
    items, _ = _import(project, [("0130.xml", XML_ARTICLE)])
    article = Article.objects.get()
    assert article.title == "Aid suspended after convoy attack"
    assert article.url == "http://www.example.org/2016/09/20/aid?utm=1&x=2"
    assert article.source.name == "Addicting Info"
    assert article.byline == "Lena Masri"
    # Numeric entities, and UTF-8 written as entities byte by byte, both decode right.
    assert "yesterday’s attack" in article.text and "We’ve all seen the photos — they" in (
        article.text
    )
    assert "mostly true" not in article.text and "â" not in article.text
    assert article.published is None and "No date found" in " ".join(items[0].warnings)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<article><mainText>x", "not well-formed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;">]>'
            b"<article><mainText>&y;</mainText></article>",
            "declares entities",
        ),
        (b"<article><title>Only a title</title></article>", "No main text"),
    ],
)
def test_a_hostile_or_empty_xml_file_is_refused_with_a_reason(project, data, reason):
    _, report = _import(project, [("bad.xml", data)])
    assert reason in report.rejected[0][1]
    assert not Article.objects.exists()


def test_a_feed_gives_one_article_per_entry_dated_as_written(project):
    _, report = _import(project, [("wire.rss", FEED)])
    assert report.created == ["wire.rss, entry 1", "wire.rss, entry 2"]
    kerry = Article.objects.get(title="Kerry warns Moscow")
    # 23:30 at UTC-5 is the 20th in UTC: the date is the one the feed wrote.
    assert kerry.published.isoformat() == "2016-09-19"
    assert kerry.url == "https://wire.example/kerry" and kerry.source.name == "Example Wire"
    assert Article.objects.get(title="Lavrov answers").published is None


def test_dataset_rows_lose_their_dateline_and_repeated_title(project):
    items, report = _import(project, [("fakes.csv", DATASET.encode())])
    first = Article.objects.get(title="Syria attack symptoms consistent with nerve agent use WHO")
    # 12/25/2016 in another row makes the column month-first: 4/5/2017 is 5 April.
    assert first.published.isoformat() == "2017-04-05"
    assert items[0].origins["published"] == "the date column"
    assert first.source.name == "NNA"
    assert first.text.startswith("Victims of a suspected chemical attack")
    assert "Wed 05 Apr" not in first.text and "Share this on Facebook" not in first.text
    assert first.text.count("\n\n") >= 1  # one long line became paragraphs
    assert Article.objects.get(title="Aleppo blast kills six").source.name == "Dailysabah"
    assert report.rejected == []


def test_a_one_line_text_gets_its_leading_date_title_and_paragraphs(project):
    line = (
        "Posted on November 4 2016 by Ellen Francis Rebel-held zone of Aleppo braces for "
        "bombardment. " + PROSE + "Tags Syria Aleppo Russia bombardment"
    ).replace("by Ellen Francis ", "")
    items, _ = _import(project, [("row.txt", line.encode("latin-1"))])
    article = Article.objects.get()
    assert article.published.isoformat() == "2016-11-04"
    assert items[0].origins["published"] == "a dateline at the start of the text"
    assert article.title == "Rebel-held zone of Aleppo braces for bombardment"
    assert article.text.startswith("Victims of a suspected chemical attack")
    assert "Tags Syria" not in article.text
    # Every word of the prose is kept: only whitespace between sentences changed.
    assert article.text.replace("\n\n", " ") == (PROSE).strip()


@pytest.mark.parametrize("written", ["2014", "September 2016", "sometime in 2016"])
def test_a_date_without_a_day_is_not_invented(project, written):
    row = f"title,source,published,text\nA,BBC News,{written},Kerry warned Russia.\n"
    items, _ = _import(project, [("a.csv", row.encode())])
    assert Article.objects.get().published is None
    assert any(written in warning for warning in items[0].warnings)


def test_a_page_that_declares_no_date_gets_none_not_a_guess_from_its_paths(project):
    page = (
        b"<html><body><article><img src='/uploads/2016/01/photo.jpg'>"
        b"<p>Turkey says a Russian jet violated its airspace on Friday, and it summoned the "
        b"Russian ambassador to Ankara to explain the incident, officials said.</p>"
        b"<p>Russia denied that any of its aircraft had crossed the border.</p>"
        b"</article></body></html>"
    )
    items, _ = _import(project, [("page.html", page)])
    assert items[0].published == ""


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example/a"])
def test_a_url_that_is_not_a_web_address_is_left_out(project, url):
    row = f'title,url,source,text\nA,"{url}",BBC News,Kerry warned Russia.\n'
    items, _ = _import(project, [("a.csv", row.encode())])
    assert Article.objects.get().url == ""
    assert any("not a web address" in warning for warning in items[0].warnings)


def test_a_word_file_becomes_an_article(project):
    import docx

    document = docx.Document()
    document.core_properties.title = "Kerry warns Russia"
    document.add_paragraph("Kerry warned Russia that the talks on Syria would end.")
    document.add_paragraph("Lavrov answered that the United States had failed its promise.")
    buffer = io.BytesIO()
    document.save(buffer)
    _import(project, [("kerry.docx", buffer.getvalue())])
    article = Article.objects.get()
    assert article.title == "Kerry warns Russia"
    assert article.text == (
        "Kerry warned Russia that the talks on Syria would end.\n\n"
        "Lavrov answered that the United States had failed its promise."
    )


def _pdf(text: str | None) -> bytes:
    """A one-page PDF, with ``text`` in its text layer (or no text at all)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (6, xref))
    return out.getvalue()


def test_a_pdf_with_text_imports_and_one_without_is_refused(project):
    _, report = _import(
        project,
        [
            ("text.pdf", _pdf("Kerry warned Russia that the talks on Syria would end.")),
            ("scan.pdf", _pdf(None)),
        ],
    )
    assert report.created == ["text.pdf"]
    assert "no text layer" in dict(report.rejected)["scan.pdf"]
    assert "Kerry warned Russia" in Article.objects.get().text


def test_a_folder_readme_is_not_an_article(project, tmp_path):
    from apps.corpus.reading import files_from_paths

    (tmp_path / "README.md").write_text("# About these files\n\nFrom a dataset.")
    (tmp_path / "a.txt").write_text("Headline\nKerry warned Russia.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("LICENSE", "CC BY 4.0")
        archive.writestr("b.txt", "Headline\nLavrov answered.")
    (tmp_path / "more.zip").write_bytes(buffer.getvalue())
    items = read_files(files_from_paths([str(tmp_path)]))
    assert sorted(item.name for item in items) == ["a.txt", "more.zip: b.txt"]


def test_the_same_folder_twice_adds_nothing_and_sources_are_recognised(project):
    files = [("post.html", WORDPRESS), ("fakes.csv", DATASET.encode())]
    _import(project, files)
    counts = (Article.objects.count(), Source.objects.count())
    items, report = _import(project, files)
    assert (Article.objects.count(), Source.objects.count()) == counts
    assert report.created == [] and len(report.duplicates) == 3
    assert not any(item.source_new for item in items)  # known by name or domain now


def test_a_new_source_is_created_once_for_many_items(project):
    factories.make_source("Elsewhere", domain="elsewhere.example")
    _import(project, [("fakes.csv", DATASET.encode())])
    assert sorted(Source.objects.values_list("name", flat=True)) == [
        "Dailysabah",
        "Elsewhere",
        "NNA",
    ]


def test_a_corrected_copy_without_a_url_becomes_a_revision_not_a_duplicate(project):
    first = 'title,source,date,text\nAleppo blast kills six,NNA,2016-12-25,"' + PROSE + '"\n'
    _import(project, [("v1.csv", first.encode())])
    corrected = first.replace("Friday", "Fryday").replace("2016-12-25", "2016-12-26")
    items, report = _import(project, [("v2.csv", corrected.encode())])
    assert report.revised == ["v2.csv, row 2"] and report.created == []
    article = Article.objects.get()
    assert article.revision == 2 and "Fryday" in article.text
    assert "same outlet and title" in items[0].status_detail
    assert "this version says" in items[0].status_detail  # the newer date is offered


def test_sources_created_by_one_import_are_recognised_by_the_next(project):
    files = [("0130.xml", XML_ARTICLE), ("note.txt", b"Headline\nKerry warned Russia.")]
    _import(project, files)
    again = _prepare(project, [("0130.xml", XML_ARTICLE.replace(b"Aid was", b"Aid is"))])
    again += _prepare(project, [("other.txt", b"Another\nLavrov answered Kerry.")])
    assert [(i.source_name, i.source_new) for i in again] == [
        ("Addicting Info", False),
        ("Unknown outlet", False),
    ]
