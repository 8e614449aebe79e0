from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.projects.htmx import SignedInRequest
from apps.projects.models import Membership


@require_safe
@login_required
def project_list(request: SignedInRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user_id=request.user.pk)
        .select_related("project")
        .annotate(article_count=Count("project__articles", distinct=True))
        .order_by("project__name")
    )
    return render(request, "projects/list.html", {"memberships": memberships})
