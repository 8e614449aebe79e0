"""The permission matrix of a page that every member reads."""

from tests.conftest import Cast


def assert_members_read_only(client, cast: Cast, url: str, params: dict | None = None) -> None:
    """Owners, analysts and viewers read it; an outsider gets 404 (the project is not
    theirs to know of), the anonymous the login page, and a POST 405."""
    for role in ("owner", "analyst", "viewer"):
        client.force_login(getattr(cast, role))
        assert client.get(url, params or {}).status_code == 200, role
    client.force_login(cast.outsider)
    assert client.get(url, params or {}).status_code == 404
    client.logout()
    assert client.get(url, params or {}).status_code == 302
    client.force_login(cast.viewer)
    assert client.post(url, params or {}).status_code == 405
