from django.urls import reverse

from tests import factories


def test_the_project_list_shows_only_my_projects(client, cast):
    client.force_login(cast.viewer)
    response = client.get(reverse("projects:list"))
    assert "Aleppo coverage" in response.text
    assert "Someone else&#x27;s project" not in response.text
    assert "you are viewer" in response.text


def test_someone_without_projects_is_told_how_to_get_one(client, db):
    client.force_login(factories.make_user())
    response = client.get(reverse("projects:list"))
    assert "not a member of any project" in response.text


def test_the_project_list_needs_a_login(client, db):
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_project_names_are_escaped(client, cast):
    cast.project.name = "<script>alert(1)</script>"
    cast.project.save()
    client.force_login(cast.owner)
    response = client.get(reverse("projects:list"))
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_project_list_query_count_does_not_grow_with_projects(
    client, cast, django_assert_max_num_queries
):
    for _ in range(10):
        project = factories.make_project(owner=cast.owner)
        factories.make_article(project)
    client.force_login(cast.owner)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("projects:list"))
    assert response.text.count('class="card"') == 11
