from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from apps.corpus.models import with_annotation_counts
from apps.projects.access import project_view
from apps.projects.models import Membership


@require_safe
@project_view
def story_detail(request: HttpRequest, membership: Membership, story_id: int) -> HttpResponse:
    story = get_object_or_404(membership.project.stories, pk=story_id)
    articles = with_annotation_counts(membership.project.articles.filter(stories=story).listing())
    return render(
        request,
        "corpus/story.html",
        {
            "membership": membership,
            "project": membership.project,
            "story": story,
            "articles": articles,
        },
    )
