"""An article's coders of record: where an article has assignments, only its assigned
coders' passages are compared (agreement) and adjudicated (units); another member's
passage there (an owner's example) is not double coding. An article nobody was assigned
is coded by whoever annotated it."""

import pytest

from apps.analysis.agreement import read_coders
from apps.analysis.forms import Selection
from apps.coding.adjudicating import article_units
from apps.coding.adjudication_pages import double_coded
from apps.coding.assigning import assign
from tests import factories
from tests.coding.adjudication_setup import code_article


@pytest.fixture
def coded(cast):
    found = code_article(cast)
    # The owner marks one passage on the article, as the demo's owner does.
    factories.make_annotation(found.article, cast.owner, "Alpha one two three.")
    return found


def _coders(coded) -> list[str]:
    coders, per_article, _ = read_coders(Selection({}), coded.cast.project, None)
    return sorted(coders[i] for i in per_article[coded.article.pk])


def test_without_assignments_whoever_annotated_is_a_coder(coded):
    assert _coders(coded) == ["anton", "beth", "olga"]
    assert len(article_units(coded.article).coders) == 3
    assert coded.article in double_coded(coded.cast.project)


def test_with_assignments_only_the_assigned_coders_are_compared(coded):
    project, article = coded.cast.project, coded.article
    assign(
        project=project,
        articles=[article.pk],
        coders=[coded.cast.analyst, coded.second],
        by=coded.owner,
    )
    assert _coders(coded) == ["anton", "beth"]
    units = article_units(article)
    assert len(units.coders) == 2
    # The owner's passage is in no unit: the agreed "Alpha" unit has the two coders only.
    assert all(v.coder_id != coded.owner.pk for u in units.units for v in u.versions)
    assert coded.article in double_coded(project)


def test_an_article_with_one_assigned_coder_who_coded_is_not_double_coded(coded):
    project, article = coded.cast.project, coded.article
    assign(project=project, articles=[article.pk], coders=[coded.cast.analyst], by=coded.owner)
    assert _coders(coded) == ["anton"]
    assert article not in double_coded(project)
