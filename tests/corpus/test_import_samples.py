"""The development corpus of real, messy article files (``../shared/import-samples``,
outside this repository): the whole folder imports in one command into an empty project,
with the outlet, title, URL and date that each file states."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.corpus.models import Article, Source
from tests import factories

SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "import-samples"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="no ../shared/import-samples")

# file (or CSV row): outlet, title, URL, date — as the file states them (None: it does not).
EXPECTED = {
    "wio_turkey-says-russia-violated-its-airspace-bbc.html": (
        "BBC News",
        "Turkey says Russia violated its airspace",
        "http://www.bbc.co.uk/news/world-europe-35449152",
        date(2016, 1, 30),
    ),
    "wio_russia-accuses-turkey-of-preparing-to-invade-syria-wapo.html": (
        "Washington Post",
        "Russia accuses Turkey of preparing to invade Syria",
        "https://www.washingtonpost.com/world/middle_east/russia-accuses-turkey-of-preparing-to-"
        "invade-syria/2016/02/04/9192c1c4-cb5c-11e5-b9ab-26591104bb19_story.html",
        date(2016, 2, 4),
    ),
    "wio_bombs-rockets-tear-through-syrian-regime-strongholds-cbs.html": (
        "CBS News",
        "Bombs, rockets tear through Syrian regime strongholds",
        "http://www.cbsnews.com/news/syria-bomb-rocket-attack-bashar-assad-jableh-tartus-suicide-"
        "bus-isis/",
        date(2016, 5, 23),
    ),
    "wio_trump-i-dont-want-to-say-its-a-threat-cnn.html": (
        "CNN",
        "Trump: 'I don't want to say it's a threat, but it is a threat'",
        "http://www.cnn.com/2016/01/10/politics/donald-trump-hillary-clinton-personal-life/",
        date(2016, 1, 10),
    ),
    "bfw_0025.xml": (
        "ABC",
        "Humanitarian Assistance to Syria Suspended After Attack on Aid Convoy",
        "http://abcnews.go.com/International/humanitarian-assistance-syria-suspended-attack-aid-"
        "convoy/story?id=42216263&cid=abcnp_fb",
        None,
    ),
    "bfw_0130.xml": (
        "Addicting Info",
        "Trump Jr. Once Again Shows His Lack Of Humanity With Disgusting Tweet About Syrian "
        "Refugees",
        "http://www.addictinginfo.org/2016/09/20/trump-jr-once-again-shows-his-lack-of-humanity-"
        "with-disgusting-tweet-about-syrian-refugees/",
        None,
    ),
    "bfw_1150.xml": (
        "Politico",
        "Kerry says Syrian diplomacy at impasse after truce collapses",
        "http://www.politico.com/story/2016/09/syria-john-kerry-truce-end-228551?cmpid=sf",
        None,
    ),
    "bfw_1423.xml": (
        "Right Wing News",
        "BREAKING: Obama Surrenders to ISIS in Front of Entire U.N.",
        "http://conservativetribune.com/obama-surrenders-to-isis-un/?utm_source=Facebook&utm_"
        "medium=RightWingNews&utm_content=2016-09-20&utm_campaign=manualpost",
        None,
    ),
    "fakes_sample.csv, row 2": (
        "NNA",
        "Syria attack symptoms consistent with nerve agent use WHO",
        "",
        date(2017, 4, 5),
    ),
    "fakes_sample.csv, row 12": (
        "Alaraby",
        "Syrian regime steps up aerial assault on Douma",
        "",
        date(2015, 2, 12),
    ),
    "fakes_sample.csv, row 37": (
        "Dailysabah",
        "Suicide bomber kills 4 in Assad clans hometown",
        "",
        date(2015, 2, 23),
    ),
    "fakes_1926479371.txt": (
        "Unknown outlet",
        "Rebel-held zone of Syrias Aleppo braces for renewed bombardment",
        "",
        date(2016, 11, 4),
    ),
    "fakes_1962495706.txt": ("Unknown outlet", None, "", date(2016, 10, 19)),
    "horne_real_1017.txt": ("Unknown outlet", None, "", None),
    "horne_fake_80.txt": ("Unknown outlet", None, "", None),
}


@pytest.fixture
def imported(db):
    project = factories.make_project("Samples")
    call_command("import_articles", str(SAMPLES), "--project", project.slug)
    return project


def test_the_whole_folder_imports_in_one_command_into_an_empty_project(imported):
    # 4 pages, 4 XML files, 40 CSV rows, 3 + 4 text files; the README is not an article.
    assert imported.articles.count() == 55
    assert Source.objects.filter(articles__project=imported).distinct().count() == 13


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_keeps_the_metadata_it_states(imported, name):
    outlet, title, url, published = EXPECTED[name]
    articles = imported.articles.select_related("source")
    if title is not None:
        article = articles.get(title=title, source__name=outlet)
    else:
        article = next(a for a in articles if _came_from(a, name))
    assert article.source.name == outlet
    if title is not None:
        assert article.title == title
    assert article.url == url
    assert article.published == published


def _came_from(article: Article, file_name: str) -> bool:
    """The article whose kept original starts as the file does."""
    head = (SAMPLES / file_name).read_bytes()[:40].decode("latin-1")
    return article.raw.startswith(head)


def test_importing_the_folder_again_adds_nothing(imported):
    counts = (Article.objects.count(), Source.objects.count())
    call_command("import_articles", str(SAMPLES), "--project", imported.slug)
    assert (Article.objects.count(), Source.objects.count()) == counts


def test_the_text_kept_is_the_articles_prose(imported):
    texts = {a.title: a.text for a in imported.articles.all()}
    bbc = texts["Turkey says Russia violated its airspace"]
    assert bbc.startswith("Turkey says a Russian jet has violated its airspace")
    assert "[ad_" not in bbc and "post_title" not in bbc and "Image copyright" not in bbc
    mojibake = texts[EXPECTED["bfw_0130.xml"][1]]
    assert "â€" not in mojibake and "We’ve all seen" in mojibake
    nbc = next(text for text in texts.values() if text.startswith("Congressional Republicans"))
    assert "Embed" not in nbc and "5:52" not in nbc
