from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.projects.models import Project
from apps.sampledata.candidates_eval import evaluate, table
from apps.sampledata.candidates_planted import evaluate_planted, planted_table
from apps.sampledata.candidates_speed import speed_table, time_find
from apps.sampledata.demo import read_corpus


class Command(BaseCommand):
    help = (
        "Recall@5 and precision@5 of the claim candidates per demo claim, against the "
        "hand-read passages of fixtures/claim_candidates/demo.json (load the demo first); "
        "with --planted, on new outlets with the paraphrases of "
        "fixtures/claim_candidates/planted.json planted (rolled back afterwards); with "
        "--speed SLUG, how long finding candidates takes over that project's articles."
    )

    def add_arguments(self, parser):
        parser.add_argument("--planted", action="store_true")
        parser.add_argument("--outlets", type=int, default=12)
        parser.add_argument("--articles-per-outlet", type=int, default=6)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--speed", metavar="SLUG", help="a generated project's slug")
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, **options):
        if options["runs"] < 1:
            raise CommandError("--runs: at least 1.")
        if options["speed"]:
            project = Project.objects.filter(slug=options["speed"]).first()
            if project is None:
                raise CommandError(f"No project {options['speed']!r}: generate_corpus first.")
            timings = time_find(project, runs=options["runs"])
            self.stdout.write(speed_table(timings, connection.vendor))
            return
        project = Project.objects.filter(slug=read_corpus()["project"]["slug"]).first()
        if project is None:
            raise CommandError("Load the demo first: manage.py load_demo.")
        if options["planted"]:
            scores = evaluate_planted(
                project,
                outlets=options["outlets"],
                articles_per_outlet=options["articles_per_outlet"],
                seed=options["seed"],
            )
            self.stdout.write(planted_table(scores))
        else:
            self.stdout.write(table(evaluate(project)))
