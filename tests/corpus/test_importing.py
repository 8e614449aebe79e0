import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from apps.corpus.importing import import_articles, prepare
from apps.corpus.models import Article
from apps.corpus.reading import Limits, read_files
from apps.sampledata.demo import DEMO_DIR, article_text, read_corpus
from tests import factories

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
PAGE = """<!doctype html><html lang="en"><head><title>Peskov: bombing goes on | BBC News</title>
<meta property="og:title" content="Peskov: bombing goes on">
<meta property="article:published_time" content="2016-09-29T10:00:00Z">
<link rel="canonical" href="https://www.bbc.co.uk/news/world-123">
<script>alert('x')</script></head><body><nav>Home | World</nav>
<article><h1>Peskov: bombing goes on</h1>
<p onclick="steal()">Kremlin spokesman Dmitry Peskov said the Russian air force would continue
its support of the Syrian armed forces, in a statement on Thursday morning in Moscow.</p>
<p>He also urged Washington to deliver on a pledge to separate moderate Syrian opposition
fighters from "terrorists", the BBC's correspondent in Moscow reported.</p>
<p>It comes after the US warned that it will end talks on military co-operation unless
Moscow stops the bombing of eastern Aleppo, where 250,000 people are trapped.</p>
</article><footer>Share this · Follow us</footer></body></html>""".encode()


@pytest.fixture
def project(cast):
    return cast.project


@pytest.fixture
def bbc(db):
    return factories.make_source("BBC News", domain="bbc.co.uk", country="GB")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _import(project, files, **kwargs):
    items = prepare(project=project, items=read_files(files), **kwargs)
    return items, import_articles(project=project, items=items, user=None)


def test_a_text_file_becomes_an_article_with_its_detected_metadata(project, bbc):
    raw = "Russia bombs on\n21/06/2016\nThe first paragraph.\r\nThe second one.\nPost a Comment"
    _items, report = _import(project, [("a.txt", raw.encode())], source=bbc)
    article = Article.objects.get()
    assert report.created == ["a.txt"]
    assert (article.title, article.published.isoformat()) == ("Russia bombs on", "2016-06-21")
    assert article.text == "The first paragraph.\n\nThe second one."
    assert article.raw == raw  # kept as imported, for provenance
    assert article.source == bbc


def test_a_saved_web_page_is_extracted_and_its_source_found_by_domain(project, bbc):
    _items, _report = _import(project, [("page.html", PAGE)])
    article = Article.objects.get()
    assert article.source == bbc
    assert article.title == "Peskov: bombing goes on"
    assert article.url == "https://www.bbc.co.uk/news/world-123"
    assert article.published.isoformat() == "2016-09-29"
    assert "Kremlin spokesman" in article.text
    assert "alert" not in article.text and "steal" not in article.text
    assert "Share this" not in article.text


def test_a_zip_of_files_imports_each_and_skips_its_metadata_files(project, bbc):
    data = _zip(
        {
            "one.txt": b"Headline one\nFirst article text here.",
            "folder/two.md": b"# Headline two\nSecond article text here.",
            "__MACOSX/._one.txt": b"\x00\x01",
        }
    )
    _items, report = _import(project, [("batch.zip", data)], source=bbc)
    assert sorted(report.created) == ["batch.zip: folder/two.md", "batch.zip: one.txt"]


def test_a_csv_of_articles_imports_each_row(project, bbc):
    csv = (
        "title,url,source,published,byline,text\n"
        'Kerry warns,https://www.bbc.co.uk/a,,2016-09-28,Jane Doe,"Kerry warned Russia."\n'
        'Peskov answers,,BBC News,29 September 2016,,"Peskov answered him."\n'
        "No text,,BBC News,,,\n"
    )
    _items, report = _import(project, [("list.csv", csv.encode())])
    assert sorted(report.created) == ["list.csv, row 2", "list.csv, row 3"]
    assert report.rejected == [
        ("list.csv, row 4", "The row needs a text or html column with the article.")
    ]
    kerry = Article.objects.get(title="Kerry warns")
    assert (kerry.byline, kerry.published.isoformat(), kerry.source) == (
        "Jane Doe",
        "2016-09-28",
        bbc,
    )


def test_a_jsonl_of_articles_imports_each_line_and_reports_broken_ones(project, bbc):
    lines = [
        json.dumps({"title": "One", "source": "BBC News", "text": "Text of one."}),
        "{not json",
        json.dumps(
            {
                "title": "Two",
                "source": "BBC News",
                "html": "<p>Text of two, in HTML, long enough to be an article body.</p>",
            }
        ),
    ]
    _items, report = _import(project, [("feed.jsonl", "\n".join(lines).encode())])
    assert len(report.created) == 2
    assert report.rejected[0][0] == "feed.jsonl, line 2"
    assert "Not valid JSON" in report.rejected[0][1]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "The file is empty."),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("doc.pdf", b"%PDF-1.4 ...", "not a readable PDF"),
        ("slides.pptx", b"PK\x03\x04", "Unsupported file type"),
        ("broken.zip", b"PK\x03\x04 not really", "not a readable zip"),
        ("only-chrome.txt", b"Subscribe\nShare this\n", ""),
    ],
)
def test_bad_files_are_rejected_with_a_reason_and_nothing_is_saved(
    project, bbc, name, data, message
):
    _items, report = _import(project, [(name, data)], source=bbc)
    assert report.rejected and report.rejected[0][0] == name
    assert message in report.rejected[0][1]
    assert not Article.objects.exists()


def test_one_bad_file_does_not_block_the_others(project, bbc):
    _items, report = _import(
        project, [("bad.txt", b"\x00\x00\x00"), ("good.txt", b"Title\nGood text.")], source=bbc
    )
    assert report.created == ["good.txt"] and len(report.rejected) == 1


def test_a_file_over_the_size_limit_is_rejected():
    items = read_files([("big.txt", b"a" * 101)], limits=Limits(file_bytes=100))
    assert "the limit is" in items[0].error


def test_a_batch_over_the_limit_rejects_the_rest():
    files = [(f"{n}.txt", b"x" * 60) for n in range(3)]
    items = read_files(files, limits=Limits(batch_bytes=100))
    assert [i.status for i in items] == ["", "rejected", "rejected"]


def test_a_zip_with_too_many_files_is_rejected():
    data = _zip({f"{n}.txt": b"text" for n in range(5)})
    items = read_files([("many.zip", data)], limits=Limits(zip_members=4))
    assert "holds 5 files" in items[0].error


def test_a_zip_that_unpacks_too_large_is_rejected():
    data = _zip({"bomb.txt": b"0" * 10_000})
    items = read_files([("bomb.zip", data)], limits=Limits(zip_bytes=1_000))
    assert "unpacks to more than" in items[0].error


def test_paths_leaving_the_zip_and_nested_archives_are_refused():
    data = _zip({"../evil.txt": b"x", "inner.zip": b"PK", "ok.txt": b"Title\nText."})
    items = {i.name: i for i in read_files([("a.zip", data)])}
    assert items["a.zip: ../evil.txt"].error == "A path leaving the archive was refused."
    assert items["a.zip: inner.zip"].error == "Archives inside archives are not opened."
    assert items["a.zip: ok.txt"].status == ""


def test_an_article_of_no_known_outlet_gets_a_new_source_named_from_its_url(project):
    row = "title,url,text\nKerry warns,https://www.example-news.com/a,Kerry warned Russia.\n"
    items, report = _import(project, [("a.csv", row.encode())])
    article = Article.objects.get()
    assert report.created == ["a.csv, row 2"] and not report.rejected
    assert (article.source.name, article.source.domain) == ("example-news.com", "example-news.com")
    assert "New source “example-news.com” (from the URL's domain)." in items[0].warnings


def test_an_article_that_names_no_outlet_is_filed_under_unknown_and_says_so(project):
    items, report = _import(project, [("a.txt", b"Headline\nSome text.")])
    assert report.created == ["a.txt"]
    assert Article.objects.get().source.name == "Unknown outlet"
    assert any("names no outlet" in warning for warning in items[0].warnings)


def test_windows_1252_text_is_decoded_and_the_preview_says_so(project, bbc):
    items, _report = _import(
        project, [("a.txt", "Title\n\u201cQuoted\u201d caf\u00e9".encode("cp1252"))], source=bbc
    )
    assert Article.objects.get().text == "\u201cQuoted\u201d caf\u00e9"
    assert "Decoded as windows-1252." in items[0].warnings


def test_per_source_rules_are_applied_when_the_source_is_detected(project):
    factories.make_source("Bloomberg", domain="bloomberg.com", boilerplate="Terminal promo.*")
    csv = 'url,text\nhttps://www.bloomberg.com/a,"Real text here.\nTerminal promo: buy now"\n'
    _import(project, [("b.csv", csv.encode())])
    assert Article.objects.get().text == "Real text here."


def test_importing_the_same_files_twice_creates_nothing_new(project, bbc):
    files = [("a.txt", b"Title A\nText A."), ("page.html", PAGE)]
    _import(project, files, source=bbc)
    _items, report = _import(project, files, source=bbc)
    assert (len(report.created), len(report.duplicates)) == (0, 2)
    assert Article.objects.count() == 2


def test_the_same_article_twice_in_one_batch_is_imported_once(project, bbc):
    _items, report = _import(project, [("a.txt", b"T\nSame."), ("b.txt", b"T\nSame.")], source=bbc)
    assert (report.created, report.duplicates) == (["a.txt"], ["b.txt"])


def test_a_newer_version_of_the_same_url_becomes_a_revision(project, bbc, cast):
    csv1 = 'url,title,text\nhttps://www.bbc.co.uk/x,T,"Kerry spoke.\nLavrov answered."\n'
    _import(project, [("v1.csv", csv1.encode())])
    article = Article.objects.get()
    annotation = factories.make_annotation(article, cast.analyst, "Lavrov answered")
    csv2 = (
        'url,title,text\nhttps://www.bbc.co.uk/x,T,"A new lead.\nKerry spoke.\nLavrov answered."\n'
    )
    items, report = _import(project, [("v2.csv", csv2.encode())])
    assert items[0].status == "revision" and report.revised == ["v2.csv, row 2"]
    article.refresh_from_db()
    annotation.refresh_from_db()
    assert (article.revision, Article.objects.count()) == (2, 1)
    assert article.text[annotation.start : annotation.end] == "Lavrov answered"


@pytest.mark.skipif(not SEEDS.exists(), reason="the shared seeds are not beside this checkout")
def test_the_five_raw_seeds_import_as_the_demo_corpus(project):
    """Imported with their outlets, the raw seeds give the demo's clean texts, but for one
    paragraph break in Business Insider's (a caption glued to a paragraph by the feed
    mirror, split by hand in the demo; no generic rule can split inside a word)."""
    data = read_corpus()
    for row in data["sources"]:
        factories.make_source(row["name"], domain=row["domain"])
    for row in data["articles"]:
        source = Article._meta.get_field("source").related_model.objects.get(name=row["source"])
        _items, report = _import(
            project, [(row["raw"], (SEEDS / row["raw"]).read_bytes())], source=source
        )
        assert report.created == [row["raw"]], report
        imported = Article.objects.get(source=source, project=project)
        expected = article_text(DEMO_DIR, row["key"])
        if row["source"] == "Business Insider":
            expected = expected.replace(
                "REUTERS/Ammar Abdullah\n\nUlrich", "REUTERS/Ammar AbdullahUlrich"
            )
        assert imported.text == expected, row["key"]
