import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.corpus.cleaner import clean_in_processes
from apps.corpus.importing import import_articles, prepare
from apps.corpus.models import Source, Story
from apps.corpus.reading import Item, files_from_paths, read_files
from apps.projects.models import Project


class Command(BaseCommand):
    help = (
        "Import articles from files (.txt, .md, .html, .zip, .csv, .jsonl) or folders. "
        "Exits with status 1 when any item was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders")
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--source", help="outlet name (default: detect from URL or text)")
        parser.add_argument("--story", help="add the articles to this story (created if new)")
        parser.add_argument("--dry-run", action="store_true", help="report, save nothing")
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.IMPORT_CLEAN_WORKERS,
            help="processes for cleaning (0: in this one, with no time budget)",
        )

    def handle(self, *args, paths, project, source, story, dry_run, workers, **options):
        try:
            project_obj = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug “{project}”.") from None
        source_obj = None
        if source:
            source_obj = Source.objects.filter(name__iexact=source).first()
            if source_obj is None:
                raise CommandError(f"No source called “{source}”: add it in the admin first.")
        try:
            items = read_files(files_from_paths(paths))
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"Read {len(items)} items; cleaning with {workers} process(es)…")
        items = prepare(
            project=project_obj, items=items, source=source_obj, clean=self._cleaner(workers)
        )
        if dry_run:
            self._report_preview(items)
        else:
            story_obj = None
            if story:
                story_obj, _ = Story.objects.get_or_create(project=project_obj, name=story)
            report = import_articles(
                project=project_obj,
                items=items,
                user=None,
                story=story_obj,
                progress=self._progress,
            )
            self.stderr.write("")
            for name, reason in report.rejected:
                self.stdout.write(f"rejected  {name}: {reason}")
            for name in report.duplicates:
                self.stdout.write(f"duplicate {name}")
            for name in report.revised:
                self.stdout.write(f"revised   {name}")
            self.stdout.write(self.style.SUCCESS(f"Import into “{project_obj}”: {report}."))
        if any(item.status == "rejected" for item in items):
            raise CommandError("Some items were rejected (see above).", returncode=1)

    def _cleaner(self, workers: int):
        def clean(pairs):
            done = clean_in_processes(pairs, workers=workers, progress=self._progress)
            self.stderr.write("")
            return done

        return clean

    def _progress(self, done: int, total: int) -> None:
        if not sys.stderr.isatty() and done not in (total,) and done % 100:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")

    def _report_preview(self, items: list[Item]) -> None:
        counts: dict[str, int] = {}
        for item in items:
            counts[item.status] = counts.get(item.status, 0) + 1
            detail = item.error or item.status_detail or f"{item.title} ({item.source_name})"
            self.stdout.write(f"{item.status:<9} {item.name}: {detail}")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(self.style.WARNING(f"Dry run, nothing saved: {summary}."))
