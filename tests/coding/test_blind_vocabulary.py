"""Blind coding and the vocabulary coders make while coding: a claim or actor another
analyst created (from the coding form) is not shown to a blind analyst in the Activity,
which would say who made it and when; owners see every record, and an owner's changes
(the study's vocabulary) are shown to everyone."""

import pytest
from django.urls import reverse

from apps.annotations.models import Actor, Claim
from tests import factories


@pytest.fixture
def blind(cast):
    bella = factories.make_user("bella")
    cast.project.memberships.create(user=bella, role="analyst")
    cast.project.blind_coding = True
    cast.project.save()
    made = {
        "bella_claim": factories.make_claim(cast.project, "MARSUPIAL claim of Bella"),
        "bella_actor": Actor.objects.create(project=cast.project, name="WOMBAT spokesman"),
        "owner_claim": factories.make_claim(cast.project, "OCELOT claim of the owner"),
        "anton_claim": factories.make_claim(cast.project, "ANTELOPE claim of Anton"),
    }
    # As the request's user would have recorded them.
    for key, user in (("bella", bella), ("owner", cast.owner), ("anton", cast.analyst)):
        for name, obj in made.items():
            if name.startswith(key):
                type(obj).history.filter(id=obj.pk).update(history_user=user)
    return cast, bella


def _activity(client, cast, user) -> str:
    client.force_login(user)
    response = client.get(reverse("annotations:activity", args=[cast.project.slug]))
    assert response.status_code == 200
    return response.text


def test_a_blind_analyst_does_not_see_who_made_another_coders_claims(client, blind):
    cast, _ = blind
    page = _activity(client, cast, cast.analyst)
    assert "MARSUPIAL" not in page and "WOMBAT" not in page
    assert "OCELOT" in page and "ANTELOPE" in page  # the owner's, and his own


def test_owners_and_the_maker_see_every_record(client, blind):
    cast, bella = blind
    page = _activity(client, cast, cast.owner)
    assert all(word in page for word in ("MARSUPIAL", "WOMBAT", "OCELOT", "ANTELOPE"))
    page = _activity(client, cast, bella)
    assert "MARSUPIAL" in page and "WOMBAT" in page and "ANTELOPE" not in page


def test_without_blind_coding_the_activity_shows_everything(client, blind):
    cast, _ = blind
    cast.project.blind_coding = False
    cast.project.save()
    page = _activity(client, cast, cast.analyst)
    assert "MARSUPIAL" in page and "WOMBAT" in page
    assert Claim.objects.count() == 3
