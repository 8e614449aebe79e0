from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.corpus.models import Article
from apps.sampledata import anchoring_bench
from apps.sampledata.demo import load_demo
from apps.sampledata.synthetic import generate_corpus


class Command(BaseCommand):
    help = (
        "Apply realistic edits to annotated articles through the revision path and count "
        "each annotation's outcome against the truth (anchored, flagged, orphaned, cautious, "
        "silently wrong). Runs on the demo, or on a generated corpus, all in a transaction "
        "that is rolled back. Exits with status 1 if anything is silently wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--corpus", choices=["demo", "generated"], default="demo")
        parser.add_argument("--articles", type=int, default=100, help="generated articles")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--per-article", type=int, default=3)

    def handle(self, *args, corpus: str, articles: int, seed: int, per_article: int, **options):
        # Everything, the corpus included, is rolled back: the database is left as it was.
        with transaction.atomic():
            rows = self._measure(corpus, articles, seed, per_article)
            transaction.set_rollback(True)
        self.stdout.write(anchoring_bench.table(rows))
        wrong = [item for row in rows for item in row.wrong]
        if wrong:
            raise CommandError(f"{len(wrong)} silently wrong: {', '.join(wrong[:20])}")

    def _measure(self, corpus: str, articles: int, seed: int, per_article: int):
        if corpus == "demo":
            project = load_demo(with_users=True).project
        else:
            project = generate_corpus(
                project_slug=f"anchoring-{articles}-{seed}",
                articles=articles,
                sources=8,
                annotations=articles * 8,
                seed=seed,
            ).project
        chosen = Article.objects.filter(project=project).order_by("pk")
        return anchoring_bench.run(chosen, seed=seed, per_article=per_article)
