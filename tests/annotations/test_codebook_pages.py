import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def coded(cast):
    article = factories.make_article(cast.project)
    parent = factories.make_tag(cast.project, "accusation", description="Any accusation.")
    child = factories.make_tag(
        cast.project, "blame on US", parent=parent, shortcut="2", color="#aabbcc"
    )
    kerry = factories.make_actor(cast.project, "John Kerry", aliases="Kerry\nSecretary of State")
    lavrov = factories.make_actor(cast.project, "Sergei Lavrov", aliases="Lavrov")
    narrative = factories.make_claim(cast.project, "The West destabilises Syria")
    claim = factories.make_claim(cast.project, "The US aided IS", parent=narrative)
    factories.make_annotation(
        article,
        cast.analyst,
        tags=[child],
        speaker=kerry,
        target=lavrov,
        claim=claim,
        voice="reported",
        position="supports",
    )
    return {"parent": parent, "child": child, "kerry": kerry, "claim": claim}


def _get(client, user, name, project, **params):
    client.force_login(user)
    return client.get(reverse(name, args=[project.slug]), params).text


def test_the_codebook_shows_the_hierarchy_rules_shortcuts_and_usage(client, cast, coded):
    page = _get(client, cast.viewer, "annotations:codebook", cast.project)
    assert page.index("accusation") < page.index("blame on US")
    child_row = page.split(f'id="tag-{coded["child"].pk}"')[1].split("</tr>")[0]
    assert 'class="depth-1"' in child_row and 'fill="#aabbcc"' in child_row
    assert "Any accusation." in page
    assert "<kbd>2</kbd>" in page


def test_the_actor_list_shows_aliases_and_how_often_each_speaks_or_is_blamed(client, cast, coded):
    page = _get(client, cast.viewer, "annotations:actors", cast.project)
    assert "Kerry, Secretary of State" in page
    kerry_row = page.split("John Kerry")[1].split("</tr>")[0]
    assert kerry_row.count('<td class="num">1</td>') == 1


def test_searching_actors_matches_aliases(client, cast, coded):
    page = _get(client, cast.viewer, "annotations:actors", cast.project, q="secretary")
    assert "John Kerry" in page and "Sergei Lavrov" not in page


def test_searching_actors_that_match_nothing_says_so(client, cast, coded):
    page = _get(client, cast.viewer, "annotations:actors", cast.project, q="<zz>")
    assert "No actor matches “&lt;zz&gt;”" in page


def test_the_claim_list_groups_claims_under_their_narrative(client, cast, coded):
    page = _get(client, cast.viewer, "annotations:claims", cast.project)
    assert "<strong>The West destabilises Syria</strong>" in page
    assert page.index("The West destabilises Syria") < page.index("The US aided IS")


@pytest.mark.parametrize(
    "name", ["annotations:codebook", "annotations:actors", "annotations:claims"]
)
def test_codebook_pages_query_count_does_not_grow_with_entries(
    client, cast, coded, name, django_assert_max_num_queries
):
    for n in range(20):
        factories.make_tag(cast.project, parent=coded["parent"])
        factories.make_actor(cast.project, aliases=f"alias {n}")
        factories.make_claim(cast.project, parent=coded["claim"])
    client.force_login(cast.viewer)
    with django_assert_max_num_queries(5):
        client.get(reverse(name, args=[cast.project.slug]))
