import pytest
from django.core.management import CommandError, call_command

from apps.corpus.models import Article, Story
from tests import factories


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "one.txt").write_text("Kerry warns Russia\nKerry warned Russia on Wednesday.")
    (tmp_path / "two.txt").write_text("Peskov answers\nPeskov answered on Thursday.")
    return tmp_path


def test_the_command_imports_a_folder_into_a_story(cast, folder, capsys):
    factories.make_source("BBC News")
    call_command(
        "import_articles",
        str(folder),
        "--project",
        cast.project.slug,
        "--source",
        "bbc news",
        "--story",
        "Kerry's threat",
    )
    assert Article.objects.count() == 2
    assert Story.objects.get(name="Kerry's threat").articles.count() == 2
    assert "2 created, 0 revised, 0 skipped as duplicates, 0 rejected" in capsys.readouterr().out


def test_a_dry_run_reports_and_saves_nothing(cast, folder, capsys):
    factories.make_source("BBC News")
    call_command(
        "import_articles",
        str(folder),
        "--project",
        cast.project.slug,
        "--source",
        "BBC News",
        "--dry-run",
    )
    out = capsys.readouterr().out
    assert "new       one.txt: Kerry warns Russia (BBC News)" in out
    assert "Dry run, nothing saved: 2 new." in out
    assert not Article.objects.exists()


def test_the_command_exits_non_zero_when_something_was_rejected(cast, folder, capsys):
    factories.make_source("BBC News")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError) as error:
        call_command(
            "import_articles", str(folder), "--project", cast.project.slug, "--source", "BBC News"
        )
    assert error.value.returncode == 1
    assert Article.objects.count() == 2
    assert "rejected  bad.txt: This looks like a binary file" in capsys.readouterr().out


def test_unknown_project_or_source_is_an_error(cast, folder):
    with pytest.raises(CommandError, match="No project"):
        call_command("import_articles", str(folder), "--project", "nope")
    with pytest.raises(CommandError, match="No source called"):
        call_command(
            "import_articles", str(folder), "--project", cast.project.slug, "--source", "X"
        )


def test_many_files_are_cleaned_in_worker_processes(cast, tmp_path):
    factories.make_source("BBC News")
    for n in range(30):
        (tmp_path / f"{n}.html").write_text(
            f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
            f"<p>Paragraph number {n} of a long enough article body to be kept by the "
            "extractor, with a few more words so that it is not thrown away as a teaser.</p>"
            "</article></body></html>"
        )
    call_command(
        "import_articles",
        str(tmp_path),
        "--project",
        cast.project.slug,
        "--source",
        "BBC News",
        "--workers",
        "2",
    )
    assert Article.objects.count() == 30
