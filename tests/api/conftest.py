import pytest
from django.core.cache import cache

from apps.accounts.tokens import create_token


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The rate limit counts in the cache, which outlives a test's rolled-back database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bearer():
    """``bearer(user)``: the headers of a request with a new token of ``user``."""

    def make(user, name: str = "tests") -> dict:
        _, secret = create_token(user=user, name=name)
        return {"Authorization": f"Bearer {secret}"}

    return make
