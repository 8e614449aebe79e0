"""The claim and actor pages: every passage of a claim or an actor, across outlets."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from apps.analysis import filter_bar
from apps.analysis.forms import Selection
from apps.analysis.profiles import actor_profile, by_source, claim_profile
from apps.annotations.models import Actor, Claim, Tag
from apps.projects.access import project_view
from apps.projects.htmx import SignedInRequest, page_or_partial
from apps.projects.models import Membership


@require_safe
@project_view
def claim_detail(request: SignedInRequest, membership: Membership, claim_id: int) -> HttpResponse:
    """How the outlets carry a claim, within the selection of the filter bar."""
    project = membership.project
    claim = get_object_or_404(Claim.objects.select_related("parent"), pk=claim_id, project=project)
    params = request.GET.copy()
    params["claim"] = str(claim.pk)
    filters = Selection(params)
    profile = claim_profile(project=project, filters=filters, user=request.user)
    context = {
        "membership": membership,
        "project": project,
        "claim": claim,
        **filter_bar.context(filters, project, fixed=("claim",), seen_by=membership),
        "children": list(claim.children.all()),
        "export_url": reverse("analysis:annotations-csv", args=[project.slug]),
        "per_outlet_export": reverse("analysis:annotations-csv", args=[project.slug])
        + "?"
        + filters.query_string(without=("source",)),
        "groups": by_source(profile["passages"], totals=profile["totals"]),
        "tag_styles": Tag.colour_rules(project.tags.all()),
        **profile,
    }
    template = page_or_partial(request, "analysis/claim.html", "claim-results")
    return render(request, template, context, status=422 if filters.errors else 200)


@require_safe
@project_view
def actor_detail(request: SignedInRequest, membership: Membership, actor_id: int) -> HttpResponse:
    """Who quotes an actor and whom the actor blames, within the filter bar's selection."""
    project = membership.project
    actor = get_object_or_404(Actor, pk=actor_id, project=project)
    params = request.GET.copy()
    for own in ACTOR_OWN:  # the page's subject is the actor, as speaker and as target
        params.pop(own, None)
    filters = Selection(params)
    profile = actor_profile(project=project, actor=actor, filters=filters, user=request.user)
    context = {
        "membership": membership,
        "project": project,
        "actor": actor,
        **filter_bar.context(filters, project, fixed=ACTOR_OWN, seen_by=membership),
        "export_url": reverse("analysis:annotations-csv", args=[project.slug]),
        # "and N more from …": exactly the passages of that list, from that outlet.
        **{
            f"{role}_export": reverse("analysis:annotations-csv", args=[project.slug])
            + "?"
            + "&".join(filter(None, [f"{role}={actor.pk}", filters.query_string(("source",))]))
            for role in ("speaker", "target")
        },
        "spoken": by_source(profile["spoken_passages"]),
        "targeted": by_source(profile["targeted_passages"]),
        "tag_styles": Tag.colour_rules(project.tags.all()),
        **profile,
    }
    template = page_or_partial(request, "analysis/actor.html", "actor-results")
    return render(request, template, context, status=422 if filters.errors else 200)


# The actor page's own parameters, which the filter bar does not offer there.
ACTOR_OWN = ("speaker", "target", "actor")
