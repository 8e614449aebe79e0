from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.analysis import qdpx_import
from apps.analysis.qdpx_archive import UnreadableProject
from apps.analysis.qdpx_reading import read_project
from apps.projects.models import Project


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project file (.qdpx) into a project, as the project's import "
        "page does: all of it or, on any error, nothing. --dry-run says what it would add."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument(
            "--user", required=True, help="who imports (passages of unknown coders are theirs)"
        )
        parser.add_argument("--annotator", help="every passage by this member instead")
        parser.add_argument("--outlet", default="Unknown outlet", help="for texts naming none")
        parser.add_argument("--dry-run", action="store_true", help="report, keep nothing")

    def handle(self, *args, file, project, user, annotator, outlet, **options):
        try:
            target = Project.objects.get(slug=project)
            by = User.objects.get(username=user)
            chosen = User.objects.get(username=annotator) if annotator else None
        except (Project.DoesNotExist, User.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        step = qdpx_import.dry_run if options["dry_run"] else qdpx_import.import_project
        choices = qdpx_import.Choices(chosen, outlet)
        try:
            data = read_project(file.read_bytes())
            outcome = step(project=target, data=data, choices=choices, by=by)
        except (OSError, UnreadableProject) as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for label, count in outcome.counts.items():
            if count:
                self.stdout.write(f"{count:>8,} {label}")
        for problem in outcome.problems:
            self.stderr.write(problem)
