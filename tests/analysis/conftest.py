"""Fixtures shared by the analysis tests."""

import pytest

from apps.sampledata.agreement_bench import generate_double_coded


@pytest.fixture(params=[(1, 0.3), (2, 0.5)], ids=["seed1", "seed2"])
def generated(request, db):
    """A small project double-coded by three coders, with disagreement planted."""
    seed, noise = request.param
    corpus = generate_double_coded(
        project_slug=f"agree{seed}", articles=10, tags=8, outlets=3, noise=noise, seed=seed
    )
    corpus.names = [u.username for u in corpus.coders]
    return corpus
