"""Agreement between coders: the figures equal the reference implementations (the
``krippendorff`` package for alpha, scikit-learn's ``cohen_kappa_score`` for kappa) to
1e-9, on hand-built cases with known answers and on generated data with known
disagreement; the references are fed reliability tables built here on their own terms
(one column per unit). The page and its CSV are in ``test_agreement_page.py``."""

import random
from collections import Counter
from itertools import combinations, pairwise

import krippendorff
import numpy as np
import pytest
from django.http import QueryDict
from sklearn.metrics import cohen_kappa_score

from apps.analysis.agreement import measure_agreement
from apps.analysis.agreement_pairs import CodedPassage, pair_passages
from apps.analysis.forms import Selection
from apps.analysis.reliability import cohen_kappa, krippendorff_alpha, runs
from apps.annotations.models import AnchorStatus, Annotation, Tag
from apps.corpus.models import Source
from apps.corpus.sentences import sentence_spans, sentences
from apps.projects.models import Membership, Role
from apps.sampledata.agreement_bench import generate_double_coded
from tests import factories

CLOSE = 1e-9
THREE = "Russia bombed Aleppo. The US protested. Talks stopped."


def _measure(project, unit="sentence", **params):
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = str(value)
    return measure_agreement(project=project, filters=Selection(query), user=None, unit=unit)


def _row(result, key, scope="all"):
    found = next(s for s in result.scopes if s.key == scope)
    return next(f for f in found.figures if f.key == key)


# The references, on a table of coders × units (NaN: missing).


def _reference_alpha(table: np.ndarray) -> float | None:
    """The package's alpha; None where it divides by zero (one value, nothing paired)."""
    paired = table[:, (~np.isnan(table)).sum(axis=0) >= 2]
    if len(np.unique(paired[~np.isnan(paired)])) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=table, level_of_measurement="nominal"))


def _reference_pairs(table: np.ndarray, coders: list[str]) -> dict:
    """(coder, coder) -> (kappa or None, percent, units), for coders who share a unit."""
    found = {}
    for i, j in combinations(range(len(coders)), 2):
        both = ~np.isnan(table[i]) & ~np.isnan(table[j])
        if not both.any():
            continue
        a, b = table[i, both], table[j, both]
        kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else None
        found[(coders[i], coders[j])] = (kappa, 100 * float(np.mean(a == b)), int(both.sum()))
    return found


def _assert_equal_to_reference(figures, table: np.ndarray, coders: list[str]):
    expected = _reference_alpha(table)
    if expected is None:
        assert figures.alpha.value is None and figures.alpha.reason, figures
    else:
        assert abs(figures.alpha.value - expected) < CLOSE, figures.label
    paired = (~np.isnan(table)).sum(axis=0) >= 2
    assert figures.units == int(paired.sum())
    assert figures.coders == int((~np.isnan(table[:, paired])).any(axis=1).sum())
    pairs = {(p.first, p.second): p for p in figures.pairs}
    reference = _reference_pairs(table, coders)
    assert set(pairs) == set(reference)
    for key, (kappa, percent, units) in reference.items():
        pair = pairs[key]
        assert pair.units == units
        assert abs(pair.percent.value - percent) < CLOSE
        if kappa is None or np.isnan(kappa):
            assert pair.kappa.value is None and pair.kappa.reason
        else:
            assert abs(pair.kappa.value - kappa) < CLOSE, (figures.label, key)


def _load(project) -> list[tuple]:
    """Each article's outlet, text and annotations (coder, start, end, orphaned, tags)."""
    found = []
    for article in project.articles.order_by("pk").prefetch_related("annotations__tags"):
        annotations = [
            (a.annotator.username, a.start, a.end, a.anchor_status == AnchorStatus.ORPHANED,
             {t.pk for t in a.tags.all()})
            for a in article.annotations.select_related("annotator")
        ]  # fmt: skip
        found.append((article.source_id, article.text, annotations))
    return found


def _tag_table(project, coders, tag_ids, unit, source=None, loaded=None) -> np.ndarray:
    """Coders × units: 1 if a passage of the coder with one of ``tag_ids`` touches the
    unit, 0 if not, NaN if the coder made no annotation in the article."""
    blocks = []
    for outlet, text, annotations in loaded or _load(project):
        if source is not None and outlet != source.pk:
            continue
        units = sentence_spans(text) if unit == "sentence" else None
        block = np.full((len(coders), len(units) if units is not None else len(text)), np.nan)
        for row, name in enumerate(coders):
            own = [a for a in annotations if a[0] == name]
            if not own:
                continue
            block[row] = 0
            for _, start, end, orphaned, tags in own:
                if orphaned or not tag_ids & tags:
                    continue
                if units is None:
                    block[row, start:end] = 1
                else:
                    for u, (unit_start, unit_end) in enumerate(units):
                        if start < unit_end and end > unit_start:
                            block[row, u] = 1
        blocks.append(block)
    return np.concatenate(blocks, axis=1) if blocks else np.empty((len(coders), 0))


def _subtree(project, root: int) -> set[int]:
    parents = dict(Tag.objects.filter(project=project).values_list("pk", "parent_id"))
    found = {root}
    while True:
        more = {pk for pk, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


# Hand-built cases with known answers.


@pytest.fixture
def three(cast):
    """The cast's owner and analyst as coders, and a third one."""
    petra = factories.make_user("petra")
    Membership.objects.create(project=cast.project, user=petra, role=Role.ANALYST)
    cast.third = petra
    return cast


def _article(project, text=THREE, **fields):
    return factories.make_article(project, text=text, **fields)


def test_perfect_agreement_is_one(cast):
    tag = factories.make_tag(cast.project, "bombing")
    article = _article(cast.project)
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[tag])
    factories.make_annotation(article, cast.owner, "bombed", tags=[tag])  # the same sentence
    figures = _row(_measure(cast.project), f"tag-{tag.pk}")
    assert figures.alpha.value == pytest.approx(1, abs=CLOSE) and figures.units == 3
    [pair] = figures.pairs
    assert (pair.first, pair.second) == ("anton", "olga")
    assert pair.kappa.value == pytest.approx(1, abs=CLOSE) and pair.percent.value == 100
    _assert_equal_to_reference(figures, np.array([[1, 0, 0], [1, 0, 0]], float), ["anton", "olga"])


def test_no_agreement_is_below_zero(cast):
    tag = factories.make_tag(cast.project, "bombing")
    article = _article(cast.project)
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[tag])
    factories.make_annotation(article, cast.owner, "The US protested.", tags=[tag])
    figures = _row(_measure(cast.project), f"tag-{tag.pk}")
    # By hand: n = 6 values, two units of disagreement, 1 − 5·4/16; κ = 1 − 3·2/(9 − 5).
    assert figures.alpha.value == pytest.approx(-0.25, abs=CLOSE)
    assert figures.pairs[0].kappa.value == pytest.approx(-0.5, abs=CLOSE)
    assert figures.pairs[0].percent.value == pytest.approx(100 / 3, abs=CLOSE)
    _assert_equal_to_reference(figures, np.array([[1, 0, 0], [0, 1, 0]], float), ["anton", "olga"])


def test_a_coder_who_left_an_article_uncoded_is_missing_there_not_zero(cast):
    tag = factories.make_tag(cast.project, "bombing")
    both, alone = _article(cast.project), _article(cast.project, "Kerry warned. Lavrov said no.")
    factories.make_annotation(both, cast.analyst, "Russia bombed Aleppo.", tags=[tag])
    factories.make_annotation(both, cast.owner, "Talks stopped.", tags=[tag])
    factories.make_annotation(alone, cast.analyst, "Kerry warned.", tags=[tag])
    result = _measure(cast.project)
    figures = _row(result, f"tag-{tag.pk}")
    assert figures.units == 3 and result.whole.double_coded == 1  # the second is unpaired
    nan = np.nan
    table = np.array([[1, 0, 0, 1, 0], [0, 0, 1, nan, nan]])
    _assert_equal_to_reference(figures, table, ["anton", "olga"])


def test_three_coders_and_every_pair_of_them(three):
    tag = factories.make_tag(three.project, "protest")
    article = _article(three.project, THREE + " Kerry warned. Lavrov said no.")
    for user, quotes in (
        (three.analyst, ["Russia bombed", "The US protested.", "Lavrov"]),
        (three.owner, ["The US protested.", "Lavrov said no."]),
        (three.third, ["Russia bombed", "Talks stopped."]),
    ):
        for quote in quotes:
            factories.make_annotation(article, user, quote, tags=[tag])
    figures = _row(_measure(three.project), f"tag-{tag.pk}")
    table = np.array([[1, 1, 0, 0, 1], [0, 1, 0, 0, 1], [1, 0, 1, 0, 0]], float)
    assert figures.coders == 3 and len(figures.pairs) == 3
    _assert_equal_to_reference(figures, table, ["anton", "olga", "petra"])


def test_a_tag_nobody_used_is_not_defined_and_says_why(cast):
    used, unused = factories.make_tag(cast.project, "used"), factories.make_tag(cast.project, "x")
    article = _article(cast.project)
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[used])
    factories.make_annotation(article, cast.owner, "Talks stopped.", tags=[used])
    result = _measure(cast.project)
    figures = _row(result, f"tag-{unused.pk}")
    assert figures.alpha.value is None and "nobody used this tag" in figures.alpha.reason
    assert figures.pairs[0].kappa.value is None and figures.pairs[0].percent.value == 100
    # The overall figure pools the tags someone used, so the unused one changes nothing.
    assert result.whole.overall.alpha == _row(result, f"tag-{used.pk}").alpha


def test_a_tag_on_every_unit_for_everyone_is_not_defined(cast):
    tag = factories.make_tag(cast.project, "everything")
    article = _article(cast.project)
    for user in (cast.analyst, cast.owner):
        factories.make_annotation(article, user, THREE, tags=[tag])
    figures = _row(_measure(cast.project), f"tag-{tag.pk}")
    assert figures.alpha.value is None and "every unit carries this tag" in figures.alpha.reason


def test_one_coder_alone_gives_nothing_to_compare(cast):
    tag = factories.make_tag(cast.project, "alone")
    factories.make_annotation(_article(cast.project), cast.analyst, "Russia", tags=[tag])
    result = _measure(cast.project)
    assert result.coders == ["anton"]
    assert "fewer than two coders" in _row(result, f"tag-{tag.pk}").alpha.reason
    assert all(not f.alpha.defined and not f.pairs for f in result.whole.figures)


def test_a_parent_counts_its_branch_and_the_overall_figure_each_tag_once(cast):
    parent = factories.make_tag(cast.project, "violence")
    child = factories.make_tag(cast.project, "bombing", parent=parent)
    article = _article(cast.project)
    factories.make_annotation(article, cast.analyst, "Russia bombed", tags=[child])
    factories.make_annotation(article, cast.owner, "bombed Aleppo", tags=[parent])
    result = _measure(cast.project)
    assert _row(result, f"tag-{parent.pk}").alpha.value == pytest.approx(1, abs=CLOSE)
    assert _row(result, f"tag-{child.pk}").alpha.value == pytest.approx(0, abs=CLOSE)
    # Overall: the parent as itself (olga's) and the child (anton's), side by side.
    pooled = np.array([[0, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0]], float)
    _assert_equal_to_reference(result.whole.overall, pooled, ["anton", "olga"])


def test_the_character_unit_weighs_runs_by_their_length(cast):
    tag = factories.make_tag(cast.project, "bombing")
    article = _article(cast.project)
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[tag])
    factories.make_annotation(article, cast.owner, "bombed Aleppo. The US", tags=[tag])
    figures = _row(_measure(cast.project, unit="character"), f"tag-{tag.pk}")
    assert figures.units == len(THREE)
    table = _tag_table(cast.project, ["anton", "olga"], {tag.pk}, "character")
    _assert_equal_to_reference(figures, table, ["anton", "olga"])


def test_a_filter_on_passages_keeps_a_coder_who_coded_the_article_as_saying_no(cast):
    wanted, other = factories.make_tag(cast.project, "a"), factories.make_tag(cast.project, "b")
    article = _article(cast.project)
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[wanted])
    factories.make_annotation(article, cast.owner, "Talks stopped.", tags=[other])
    result = _measure(cast.project, tag=wanted.pk)
    assert result.coders == ["anton", "olga"]
    _assert_equal_to_reference(
        _row(result, f"tag-{wanted.pk}"), np.array([[1, 0, 0], [0, 0, 0]], float), ["anton", "olga"]
    )
    assert _measure(cast.project, annotator="anton").coders == ["anton"]


def test_an_orphaned_passage_marks_its_article_as_coded_and_no_unit(cast):
    tag = factories.make_tag(cast.project, "bombing")
    article = _article(cast.project)
    factories.make_annotation(article, cast.analyst, "Russia bombed Aleppo.", tags=[tag])
    lost = factories.make_annotation(article, cast.owner, "Russia bombed Aleppo.", tags=[tag])
    Annotation.objects.filter(pk=lost.pk).update(anchor_status=AnchorStatus.ORPHANED)
    figures = _row(_measure(cast.project), f"tag-{tag.pk}")
    _assert_equal_to_reference(figures, np.array([[1, 0, 0], [0, 0, 0]], float), ["anton", "olga"])


def _passage(pk, start, end, coder=0, claim=None):
    return CodedPassage(pk, 1, coder, start, end, claim, None, "", "")


def test_passages_pair_one_to_one_the_largest_overlap_first():
    first = [_passage(1, 0, 10), _passage(2, 12, 20), _passage(5, 30, 40)]
    second = [_passage(3, 5, 15, 1), _passage(4, 0, 4, 1), _passage(6, 40, 45, 1)]
    # 1–3 share 5, 1–4 share 4, 2–3 share 3: 1–3 first, and then neither 1 nor 3 again;
    # 5 and 6 only touch.
    assert [(a.pk, b.pk) for a, b in pair_passages(first, second)] == [(1, 3)]
    assert [(a.pk, b.pk) for a, b in pair_passages(first[:2], second[1:2])] == [(1, 4)]


def test_claims_speakers_and_stances_compare_paired_passages(cast):
    claim, other = factories.make_claim(cast.project, "A"), factories.make_claim(cast.project, "B")
    speaker = factories.make_actor(cast.project, "Kerry")
    article = _article(cast.project)
    for user, position in ((cast.analyst, "supports"), (cast.owner, "disputes")):
        factories.make_annotation(
            article, user, "Russia bombed", claim=claim, voice="own", position=position
        )
    factories.make_annotation(article, cast.analyst, "The US protested.", speaker=speaker)
    factories.make_annotation(article, cast.owner, "US protested", claim=other, voice="own")
    result = _measure(cast.project)
    claims, voices = _row(result, "claim"), _row(result, "voice")
    assert claims.units == 2 and voices.units == 1  # a stance only where both gave a claim
    _assert_equal_to_reference(claims, np.array([[1, 0], [1, 2]], float), ["anton", "olga"])
    assert "same voice" in voices.alpha.reason and voices.pairs[0].percent.value == 100
    assert _row(result, "position").pairs[0].percent.value == 0


# Generated data with known disagreement.


def test_reliability_equals_the_references_on_random_tables():
    rng = random.Random(7)
    for _ in range(60):
        coders, units = rng.randint(2, 5), rng.randint(2, 40)
        table = np.array(
            [[rng.choice([np.nan, 0, 1, 2, 2, 3]) for _ in range(units)] for _ in range(coders)]
        )
        patterns = Counter(
            tuple(None if np.isnan(v) else int(v) for v in table[:, u]) for u in range(units)
        )
        alpha = krippendorff_alpha(patterns)
        expected = _reference_alpha(table)
        assert (alpha.coefficient.value is None) == (expected is None)
        if expected is not None:
            assert abs(alpha.coefficient.value - expected) < CLOSE
        for (i, j), (kappa, percent, n) in _reference_pairs(
            table, [str(c) for c in range(coders)]
        ).items():
            found = cohen_kappa(patterns, int(i), int(j))
            assert found.units == n and abs(found.percent.value - percent) < CLOSE
            if kappa is None or np.isnan(kappa):
                assert found.kappa.value is None
            else:
                assert abs(found.kappa.value - kappa) < CLOSE


def test_runs_expand_to_one_pattern_per_unit():
    rng = random.Random(3)
    for _ in range(300):
        size = rng.randint(1, 30)
        zero = tuple(rng.choice([False, None]) for _ in range(3))
        ranges = {}
        for coder in (i for i, z in enumerate(zero) if z is not None):
            ranges[coder] = []
            for _ in range(rng.randint(0, 3)):
                low = rng.randint(0, size - 1)
                ranges[coder].append((low, rng.randint(low + 1, size)))
        expanded = Counter(
            tuple(
                None if z is None else any(lo <= u < hi for lo, hi in ranges.get(i, ()))
                for i, z in enumerate(zero)
            )
            for u in range(size)
        )
        found: Counter = Counter()
        for pattern, length in runs(size, ranges, zero):
            found[pattern] += length
        assert found == expanded


def test_sentence_spans_are_the_sentences_of_each_paragraph():
    text = "Mr. Lavrov spoke. “Stop,” he said! 👍 Then?\n\nKerry (U.S.) replied. 12 died."
    spans = sentence_spans(text)
    expected = [s for paragraph in text.split("\n\n") for s in sentences(paragraph)]
    assert [text[start:end] for start, end in spans] == expected
    assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in pairwise(spans))


@pytest.mark.parametrize("unit", ["sentence", "character"])
def test_every_tag_overall_and_outlet_equals_the_references(generated, unit):
    project, coders = generated.project, generated.names
    result = _measure(project, unit=unit, story=generated.story.pk)
    assert result.coders == coders
    used = set()
    loaded = _load(project)
    for tag in generated.tags:
        table = _tag_table(project, coders, _subtree(project, tag.pk), unit, loaded=loaded)
        _assert_equal_to_reference(_row(result, f"tag-{tag.pk}"), table, coders)
        if np.nansum(_tag_table(project, coders, {tag.pk}, unit, loaded=loaded)):
            used.add(tag.pk)
    pooled = np.concatenate(
        [_tag_table(project, coders, {pk}, unit, loaded=loaded) for pk in sorted(used)], axis=1
    )
    _assert_equal_to_reference(result.whole.overall, pooled, coders)
    for source in Source.objects.filter(articles__project=project).distinct():
        scope = f"outlet-{source.pk}"
        assert _row(result, "overall", scope).units > 0
        for tag in generated.tags[:3]:
            subtree = _subtree(project, tag.pk)
            table = _tag_table(project, coders, subtree, unit, source, loaded=loaded)
            _assert_equal_to_reference(_row(result, f"tag-{tag.pk}", scope), table, coders)


def test_generated_with_no_noise_agrees_perfectly(db):
    corpus = generate_double_coded(project_slug="same", articles=6, tags=8, outlets=2, noise=0)
    result = _measure(corpus.project)
    for figures in result.whole.figures:
        assert figures.alpha.value is None or figures.alpha.value == pytest.approx(1, abs=CLOSE)
        assert all(p.percent.value == 100 for p in figures.pairs)
    assert result.whole.overall.alpha.value == pytest.approx(1, abs=CLOSE)


def test_paired_passages_equal_the_references(generated):
    project, coders = generated.project, generated.names
    result = _measure(project)
    tables = {name: [] for name in ("claim", "speaker", "voice", "position")}
    codes: dict = {}
    for article in project.articles.order_by("pk"):
        mine = list(Annotation.objects.filter(article=article).select_related("annotator"))
        for i, j in combinations(range(len(coders)), 2):
            first = [a for a in mine if a.annotator.username == coders[i]]
            second = [a for a in mine if a.annotator.username == coders[j]]
            for a, b in _pair_by_the_rule(first, second):
                for name in tables:
                    if name in ("voice", "position") and None in (a.claim_id, b.claim_id):
                        continue
                    column = [np.nan] * len(coders)
                    for place, passage in ((i, a), (j, b)):
                        value = getattr(
                            passage, f"{name}_id" if name in ("claim", "speaker") else name
                        )
                        column[place] = codes.setdefault((name, value), len(codes))
                    tables[name].append(column)
    for name, columns in tables.items():
        _assert_equal_to_reference(_row(result, name), np.array(columns, float).T, coders)


def _pair_by_the_rule(first, second):
    """The pairing rule written out: every overlapping pair, most shared characters
    first, then earlier starts, then older passages; each passage once."""
    candidates = sorted(
        (-(min(a.end, b.end) - max(a.start, b.start)), a.start, b.start, a.pk, b.pk, a, b)
        for a in first
        for b in second
        if min(a.end, b.end) > max(a.start, b.start)
    )
    taken, pairs = set(), []
    for *_, a, b in candidates:
        if a.pk not in taken and b.pk not in taken:
            taken |= {a.pk, b.pk}
            pairs.append((a, b))
    return pairs
