import time

from django.core.management.base import BaseCommand, CommandError

from apps.sampledata.synthetic import generate_corpus


class Command(BaseCommand):
    help = (
        "Build a synthetic project for benchmarks: articles assembled from the demo's real "
        "sentences, stories, a codebook with a hierarchy, actors with aliases, claims and "
        "overlapping annotations by several annotators. The same seed gives the same corpus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="slug of a new project")
        parser.add_argument("--articles", type=int, default=1_000)
        parser.add_argument("--sources", type=int, default=30)
        parser.add_argument("--annotations", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, project, articles, sources, annotations, seed, **options):
        if min(articles, sources) < 1 or annotations < 0:
            raise CommandError("--articles and --sources must be at least 1.")
        from apps.projects.models import Project

        if Project.objects.filter(slug=project, articles__isnull=False).exists():
            raise CommandError(f"The project “{project}” already has articles: choose a new slug.")
        began = time.perf_counter()
        corpus = generate_corpus(
            project_slug=project,
            articles=articles,
            sources=sources,
            annotations=annotations,
            seed=seed,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Project “{corpus.project.slug}”: {corpus.articles} articles, "
                f"{corpus.annotations} annotations in {time.perf_counter() - began:.1f} s."
            )
        )
