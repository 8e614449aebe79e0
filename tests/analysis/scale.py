"""Query counts of a screen at two sizes of a generated corpus: every analysis screen
must ask the database the same number of times for ten annotations or a thousand."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.projects.models import Project
from apps.sampledata.synthetic import generate_corpus
from tests import factories

SIZES = (("small", 5, 2, 30), ("large", 60, 9, 900))  # slug, articles, outlets, annotations


def queries_at_two_sizes(
    client, view: str, params: dict | Callable[[Project], dict] | None = None, *, seed: int = 1
) -> tuple[int, int]:
    """The queries of one GET of ``view`` (an analysis URL name taking the project's
    slug) on a small and a large corpus; ``params`` may be built from the project."""
    user = factories.make_user("scale-reader")
    counts = []
    for slug, articles, sources, annotations in SIZES:
        project = generate_corpus(
            project_slug=slug,
            articles=articles,
            sources=sources,
            annotations=annotations,
            seed=seed,
        ).project
        project.memberships.create(user=user, role="viewer")
        client.force_login(user)
        given = params(project) if callable(params) else params or {}
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(view, args=[slug]), given).status_code == 200
        counts.append(len(captured))
    return counts[0], counts[1]
