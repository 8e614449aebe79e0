from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.projects.models import Membership


@require_safe
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project")
        .annotate(article_count=Count("project__articles", distinct=True))
        .order_by("project__name")
    )
    return render(request, "projects/list.html", {"memberships": memberships})
