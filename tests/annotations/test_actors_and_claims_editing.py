"""Actors and claims kept in the app: analysts add them, owners change and merge them;
a merge moves every annotation and keeps the names as aliases."""

import pytest
from django.urls import reverse

from apps.annotations.models import Actor, Annotation, Claim
from tests import factories


def _url(cast, name):
    return reverse(f"annotations:{name}", args=[cast.project.slug])


@pytest.mark.parametrize(
    ("who", "adds", "edits"),
    [("owner", 302, 302), ("analyst", 302, 403), ("viewer", 403, 403), ("outsider", 404, 404)],
)
def test_analysts_add_owners_change(client, cast, who, adds, edits):
    actor = factories.make_actor(cast.project, "Sergey Lavrov")
    claim = factories.make_claim(cast.project, "The US shields terrorists")
    client.force_login(getattr(cast, who))
    assert (
        client.post(_url(cast, "actors"), {"action": "add", "name": f"Actor by {who}"}).status_code
        == adds
    )
    assert (
        client.post(_url(cast, "claims"), {"action": "add", "text": f"Claim by {who}"}).status_code
        == adds
    )
    edit = {"action": "edit", "actor": actor.pk, "name": "S. Lavrov", "kind": "person"}
    assert client.post(_url(cast, "actors"), edit).status_code == edits
    edit = {"action": "edit", "claim": claim.pk, "text": "Changed"}
    assert client.post(_url(cast, "claims"), edit).status_code == edits
    assert Actor.objects.filter(name=f"Actor by {who}").exists() == (adds == 302)
    assert Actor.objects.get(pk=actor.pk).name == ("S. Lavrov" if edits == 302 else "Sergey Lavrov")


def test_an_actor_is_changed_with_its_aliases_and_a_clash_is_refused(client, cast):
    lavrov = factories.make_actor(cast.project, "Sergey Lavrov")
    factories.make_actor(cast.project, "John Kerry")
    client.force_login(cast.owner)
    page = client.post(
        _url(cast, "actors"),
        {
            "action": "edit",
            "actor": lavrov.pk,
            "name": "Sergey Lavrov",
            "kind": "person",
            "aliases": "Lavrov\n\nRussian FM\nLavrov",
            "description": "Foreign minister",
        },
        follow=True,
    ).text
    assert "“Sergey Lavrov” saved." in page
    lavrov.refresh_from_db()
    assert (
        lavrov.alias_list == ["Lavrov", "Russian FM"] and lavrov.description == "Foreign minister"
    )
    page = client.post(
        _url(cast, "actors"),
        {"action": "edit", "actor": lavrov.pk, "name": "john kerry"},
        follow=True,
    ).text
    assert "There is already an actor called “john kerry”" in page


def test_merging_actors_moves_speakers_and_targets_and_keeps_the_names(client, cast):
    article = factories.make_article(
        cast.project, text="Lavrov said Kerry lied. The FM added more."
    )
    lavrov = factories.make_actor(cast.project, "Sergey Lavrov", aliases="Lavrov")
    duplicate = factories.make_actor(cast.project, "Sergei Lavrov", aliases="Russian FM")
    kerry = factories.make_actor(cast.project, "John Kerry")
    spoke = factories.make_annotation(
        article, cast.analyst, "Lavrov said", speaker=duplicate, target=kerry
    )
    blamed = factories.make_annotation(
        article, cast.analyst, "The FM", speaker=kerry, target=duplicate
    )
    client.force_login(cast.owner)
    page = client.post(
        _url(cast, "actors"),
        {"action": "merge", "actor": duplicate.pk, "target": lavrov.pk},
        follow=True,
    ).text
    assert "2 annotation(s) moved" in page
    assert not Actor.objects.filter(pk=duplicate.pk).exists()
    spoke.refresh_from_db()
    blamed.refresh_from_db()
    assert spoke.speaker == lavrov and blamed.target == lavrov and spoke.target == kerry
    lavrov.refresh_from_db()
    assert lavrov.alias_list == ["Lavrov", "Sergei Lavrov", "Russian FM"]
    assert "merged into" in Annotation.history.filter(id=spoke.pk).latest().history_change_reason


def test_claims_are_nested_and_merged_without_loops(client, cast):
    article = factories.make_article(cast.project, text="The ceasefire failed because of the US.")
    narrative = factories.make_claim(cast.project, "The West is to blame")
    claim = factories.make_claim(cast.project, "The US broke the ceasefire")
    twin = factories.make_claim(cast.project, "The US violated the truce")
    carried = factories.make_annotation(article, cast.analyst, "The ceasefire failed", claim=twin)
    client.force_login(cast.owner)
    client.post(
        _url(cast, "claims"),
        {"action": "edit", "claim": claim.pk, "text": claim.text, "parent": narrative.pk},
    )
    claim.refresh_from_db()
    assert claim.parent == narrative
    page = client.post(
        _url(cast, "claims"),
        {"action": "edit", "claim": narrative.pk, "text": narrative.text, "parent": claim.pk},
        follow=True,
    ).text
    assert "cannot go under itself" in page
    page = client.post(
        _url(cast, "claims"), {"action": "merge", "claim": twin.pk, "target": claim.pk}, follow=True
    ).text
    assert "1 annotation(s) moved" in page
    carried.refresh_from_db()
    assert carried.claim == claim and not Claim.objects.filter(pk=twin.pk).exists()
    page = client.post(
        _url(cast, "claims"),
        {"action": "merge", "claim": narrative.pk, "target": claim.pk},
        follow=True,
    ).text
    assert "is under" in page and Claim.objects.filter(pk=narrative.pk).exists()


def test_another_projects_actor_cannot_be_touched(client, cast):
    foreign = factories.make_actor(factories.make_project("Elsewhere"), "Foreign")
    client.force_login(cast.owner)
    page = client.post(
        _url(cast, "actors"), {"action": "edit", "actor": foreign.pk, "name": "Mine"}, follow=True
    ).text
    assert "not in this project" in page and Actor.objects.get(pk=foreign.pk).name == "Foreign"
    mine = factories.make_actor(cast.project, "Mine")
    page = client.post(
        _url(cast, "actors"),
        {"action": "merge", "actor": mine.pk, "target": foreign.pk},
        follow=True,
    ).text
    assert "Pick the actor to merge into." in page and Actor.objects.filter(pk=mine.pk).exists()


def test_the_pages_take_get_and_post_only(client, cast):
    client.force_login(cast.owner)
    assert client.put(_url(cast, "actors")).status_code == 405
    assert client.put(_url(cast, "claims")).status_code == 405


def test_only_unused_actors_and_claims_are_deleted(client, cast):
    article = factories.make_article(cast.project, text="Lavrov said so.")
    used = factories.make_actor(cast.project, "Sergey Lavrov")
    unused = factories.make_actor(cast.project, "Nobody")
    narrative = factories.make_claim(cast.project, "A narrative")
    factories.make_claim(cast.project, "Under it", parent=narrative)
    lonely = factories.make_claim(cast.project, "Lonely")
    factories.make_annotation(article, cast.analyst, "Lavrov", speaker=used)
    client.force_login(cast.analyst)
    assert (
        client.post(_url(cast, "actors"), {"action": "delete", "actor": unused.pk}).status_code
        == 403
    )
    client.force_login(cast.owner)
    page = client.post(
        _url(cast, "actors"), {"action": "delete", "actor": used.pk}, follow=True
    ).text
    assert (
        "merge it into another actor instead" in page and Actor.objects.filter(pk=used.pk).exists()
    )
    client.post(_url(cast, "actors"), {"action": "delete", "actor": unused.pk})
    assert not Actor.objects.filter(pk=unused.pk).exists()
    page = client.post(
        _url(cast, "claims"), {"action": "delete", "claim": narrative.pk}, follow=True
    ).text
    assert "move or merge them first" in page
    client.post(_url(cast, "claims"), {"action": "delete", "claim": lonely.pk})
    assert not Claim.objects.filter(pk=lonely.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("analyst", 403), ("viewer", 403), ("outsider", 404), (None, 302)],
)
def test_only_owners_archive_actors_and_claims(client, cast, who, status):
    actor = factories.make_actor(cast.project, "Sergey Lavrov")
    claim = factories.make_claim(cast.project, "The US shields terrorists")
    if who:
        client.force_login(getattr(cast, who))
    archive = {"action": "archive", "actor": actor.pk}
    assert client.post(_url(cast, "actors"), archive).status_code == status
    archive = {"action": "archive", "claim": claim.pk}
    assert client.post(_url(cast, "claims"), archive).status_code == status
    actor.refresh_from_db()
    claim.refresh_from_db()
    assert actor.archived == claim.archived == (who == "owner")


def test_an_archived_actor_or_claim_is_kept_where_used_but_no_longer_offered(client, cast):
    article = factories.make_article(cast.project, text="Lavrov said Kerry lied.")
    lavrov = factories.make_actor(cast.project, "Sergey Lavrov", aliases="Lavrov")
    factories.make_actor(cast.project, "John Kerry")
    claim = factories.make_claim(cast.project, "The US shields terrorists")
    kept = factories.make_annotation(
        article, cast.analyst, "Lavrov said", speaker=lavrov, claim=claim
    )
    client.force_login(cast.owner)
    page = client.post(
        _url(cast, "actors"), {"action": "archive", "actor": lavrov.pk}, follow=True
    ).text
    assert "“Sergey Lavrov” archived: no longer offered for coding." in page
    assert "archived" in client.get(_url(cast, "actors")).text
    client.post(_url(cast, "claims"), {"action": "archive", "claim": claim.pk})
    assert "archived" in client.get(_url(cast, "claims")).text

    client.force_login(cast.analyst)
    reader = client.get(reverse("annotations:reader", args=[cast.project.slug, article.pk])).text
    assert '<option value="John Kerry">' in reader
    assert '<option value="Sergey Lavrov">' not in reader
    assert '<option value="The US shields terrorists">' not in reader
    create = reverse("annotations:create", args=[cast.project.slug, article.pk])
    data = {
        "start": 12,
        "end": 17,
        "quote": "Kerry",
        "text_hash": article.content_hash,
        "client_token": "9a1f1f3e-5b7e-4a55-9c62-1a9d2f1e0c02",
    }
    refusals = [
        ({"speaker": "Lavrov"}, "An owner archived “Sergey Lavrov”"),  # by its alias too
        ({"claim": claim.text}, "An owner archived this claim"),
    ]
    for fields, message in refusals:
        response = client.post(create, data | fields, HTTP_HX_REQUEST="true")
        assert response.status_code == 422 and message in response.text
    assert Annotation.objects.count() == 1
    # The annotation that has them keeps them through an edit.
    edit = reverse("annotations:edit", args=[cast.project.slug, kept.pk])
    response = client.post(
        edit,
        {"version": kept.version, "speaker": "Sergey Lavrov", "claim": claim.text, "note": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    kept.refresh_from_db()
    assert (kept.speaker, kept.claim, kept.note) == (lavrov, claim, "x")
    # Offered again.
    client.force_login(cast.owner)
    client.post(_url(cast, "actors"), {"action": "unarchive", "actor": lavrov.pk})
    assert not Actor.objects.get(pk=lavrov.pk).archived
    client.force_login(cast.analyst)
    response = client.post(create, data | {"speaker": "Lavrov"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and Annotation.objects.count() == 2


def test_a_used_actor_cannot_be_deleted_and_the_refusal_offers_archiving(client, cast):
    article = factories.make_article(cast.project, text="Lavrov said Kerry lied.")
    lavrov = factories.make_actor(cast.project, "Sergey Lavrov")
    factories.make_annotation(article, cast.analyst, "Lavrov said", speaker=lavrov)
    client.force_login(cast.owner)
    page = client.post(
        _url(cast, "actors"), {"action": "delete", "actor": lavrov.pk}, follow=True
    ).text
    assert "or archive it" in page and Actor.objects.filter(pk=lavrov.pk).exists()


def test_an_archived_duplicate_does_not_make_an_alias_ambiguous(client, cast):
    article = factories.make_article(cast.project, text="Lavrov said Kerry lied.")
    kept = factories.make_actor(cast.project, "Sergey Lavrov", aliases="Lavrov")
    old = factories.make_actor(cast.project, "S. Lavrov (old)", aliases="Lavrov")
    old.archived = True
    old.save()
    client.force_login(cast.analyst)
    response = client.post(
        reverse("annotations:create", args=[cast.project.slug, article.pk]),
        {
            "start": 0,
            "end": 6,
            "quote": "Lavrov",
            "text_hash": article.content_hash,
            "client_token": "9a1f1f3e-5b7e-4a55-9c62-1a9d2f1e0c09",
            "speaker": "Lavrov",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert Annotation.objects.get().speaker == kept
