"""The permission matrices of team coding's pages (tests/access.py has the one of a page
every member reads)."""

from tests.conftest import Cast


def assert_for_roles(client, cast: Cast, url: str, allowed: tuple[str, ...]) -> None:
    """A page read by ``allowed`` roles: the other members get 403 (with a reason), an
    outsider 404 (the project is not theirs to know of), the anonymous the login page,
    and a POST 405."""
    for role in ("owner", "analyst", "viewer"):
        client.force_login(getattr(cast, role))
        expected = 200 if role in allowed else 403
        assert client.get(url).status_code == expected, role
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(cast.owner)
    assert client.post(url).status_code == 405


def assert_a_write_for_roles(client, cast: Cast, url: str, data: dict, allowed: tuple[str, ...]):
    """A POST that only ``allowed`` roles may make; a GET is 405 for everyone. The
    allowed role's answer is returned (made last)."""
    client.force_login(cast.owner)
    assert client.get(url).status_code == 405
    for role in ("owner", "analyst", "viewer"):
        if role not in allowed:
            client.force_login(getattr(cast, role))
            assert client.post(url, data).status_code == 403, role
    client.force_login(cast.outsider)
    assert client.post(url, data).status_code == 404
    client.logout()
    assert client.post(url, data).status_code == 302
    client.force_login(getattr(cast, allowed[0]))
    return client.post(url, data)
