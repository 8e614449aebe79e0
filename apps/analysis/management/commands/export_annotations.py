import sys

from django.core.management.base import BaseCommand, CommandError

from apps.analysis import export, export_jsonld, export_qdpx
from apps.analysis.forms import Selection
from apps.projects.models import Project


class Command(BaseCommand):
    help = (
        "Export a project's annotations as CSV (one row each, or per tag) or JSON-LD, or the "
        "project (its articles and passages) as a REFI-QDA project (.qdpx, needs --output)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--format", choices=["csv", "long", "jsonld", "qdpx"], default="csv")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM (Excel)")
        for key in Selection.KEYS:
            field = Selection.base_fields[key]
            parser.add_argument(f"--{key}", help=field.help_text or f"filter by {key} (id)")

    def handle(self, *args, project, format, output, bom, **options):
        try:
            project_obj = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug “{project}”.") from None
        filters = Selection({k: options[k] for k in Selection.KEYS if options[k]})
        if not filters.is_valid():
            raise CommandError(f"Invalid filter: {filters.errors.as_text()}")
        if filters.cleaned_data["annotator"] == "me":
            raise CommandError("--annotator me means nothing here: give a username.")
        if format == "qdpx":
            if not output:
                raise CommandError("A .qdpx is a zip file: give --output.")
            articles, annotations = filters.articles_and_passages(project_obj, user=None)
            with open(output, "wb") as handle:
                stream = export_qdpx.qdpx_stream(
                    project_obj, articles=articles, annotations=annotations
                )
                handle.writelines(stream)
            return
        annotations = filters.annotations(project_obj, user=None)
        if format == "jsonld":
            lines = export_jsonld.jsonld_lines(
                annotations, label=project_obj.name, base_url=f"urn:narrative-workbench:{project}"
            )
        else:
            lines = export.annotation_csv(annotations, long=format == "long", bom=bom)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.writelines(lines)
        else:
            try:
                sys.stdout.writelines(lines)
            except BrokenPipeError:  # piped into head or the like: not an error
                sys.stderr.close()
