from django.core.management.base import BaseCommand, CommandError

from apps.projects.models import Project
from apps.sampledata.candidates_eval import evaluate, table
from apps.sampledata.demo import read_corpus


class Command(BaseCommand):
    help = (
        "Recall@5 and precision@5 of the claim candidates per demo claim, against the "
        "hand-read passages of fixtures/claim_candidates/demo.json (load the demo first)."
    )

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=read_corpus()["project"]["slug"]).first()
        if project is None:
            raise CommandError("Load the demo first: manage.py load_demo.")
        self.stdout.write(table(evaluate(project)))
