"""An article's adjudicated version, read-only: the text with its gold passages lit and
listed as the reader lists a coder's (the reader itself shows the coders' passages only,
so an adjudicated one is never taken for a coder's)."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import reverse

from apps.annotations.models import Tag
from apps.annotations.reader import SidebarRenderer, load_rows
from apps.annotations.segments import render_text
from apps.corpus.models import Article
from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership


def gold_context(
    request: SignedInRequest, membership: Membership, article: Article, *, layer: str
) -> dict:
    project = membership.project
    tags = list(project.tags.all())
    rows = load_rows(article, tags, layer, seen_by=membership)
    placed = [row for row in rows if row.has_span]
    sidebar = SidebarRenderer(
        project_slug=project.slug,
        user_id=request.user.pk,
        can_annotate=False,  # changed only by deciding again on the adjudication page
        reader_url=reverse("annotations:reader", args=[project.slug, article.pk]),
        csrf=get_token(request),
    )
    adjudication = getattr(article, "adjudication", None)
    return {
        "membership": membership,
        "project": project,
        "article": article,
        "adjudication": adjudication,
        "rows": rows,
        "items": sidebar.items(rows),
        "text_html": render_text(
            article.text,
            placed,
            describe={row.pk: row.describe() for row in placed},
            colour_class={row.pk: f"t{row.tags[0].pk}" for row in placed if row.tags},
            numbered=True,
        ),
        "tag_styles": Tag.colour_rules(tags),
    }
