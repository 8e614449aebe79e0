"""Agreement coefficients between coders: Krippendorff's alpha (nominal), Cohen's kappa
and percent agreement. Plain arithmetic, no Django; ``agreement.py`` decides what is
compared.

The data is a reliability table compressed into *patterns*: a pattern holds one value
per coder (``None`` where the coder is missing for the unit), and maps to how many units
have exactly that pattern. Units of equal patterns are added up instead of listed, so a
run of 300 characters that three coders left untagged is one entry of weight 300, and
every coefficient equals the one of the table expanded to one column per unit
(``tests/analysis/test_agreement.py`` checks this against the ``krippendorff`` package
and scikit-learn).

A coefficient that the data cannot give (no unit two coders valued, one value only) is
``Coefficient(None, reason)``, never 0 or NaN.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass

Value = Hashable
Pattern = tuple[Value | None, ...]  # one value per coder, None where missing
Patterns = Mapping[Pattern, int]  # pattern -> the number of units with it

NO_PAIRABLE_UNIT = "no unit was coded by two coders"
NO_SHARED_UNIT = "no unit was coded by both"
ONE_VALUE = (
    "every unit has the same value from every coder, so agreement cannot be told apart from chance"
)


@dataclass(frozen=True)
class Coefficient:
    """A coefficient's value, or why it is not defined."""

    value: float | None
    reason: str = ""

    @property
    def defined(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Alpha:
    coefficient: Coefficient
    units: int  # units with values from two coders or more (the others cannot be paired)
    coders: int  # coders with a value in such a unit


@dataclass(frozen=True)
class Pairwise:
    """Two coders on the units both coded."""

    first: int  # the coders' places in the patterns
    second: int
    kappa: Coefficient
    percent: Coefficient  # 0–100
    units: int


def one_value(values: set, phrase: Callable[[Value], str] | None) -> str:
    """Why a coefficient is not defined when a single value was given throughout."""
    if phrase is None or len(values) != 1:
        return ONE_VALUE
    return phrase(next(iter(values)))


def krippendorff_alpha(
    patterns: Patterns, *, same_value: Callable[[Value], str] | None = None
) -> Alpha:
    """Krippendorff's alpha for nominal data: 1 − (n − 1)·Σᵤ Dᵤ / (n² − Σ_c n_c²), where
    Dᵤ = (mᵤ² − Σ_c nᵤ_c²)/(mᵤ − 1) is the disagreement within unit u (mᵤ values, nᵤ_c of
    them equal to c) and n_c counts value c over the units with two values or more.

    A unit valued by one coder only is left out, as the method requires; ``same_value``
    phrases the reason when every value is the same one."""
    totals: Counter[Value] = Counter()
    disagreement = 0.0
    units = 0
    coders: set[int] = set()
    for pattern, weight in patterns.items():
        values = [v for v in pattern if v is not None]
        m = len(values)
        if m < 2 or weight <= 0:
            continue
        counts = Counter(values)
        units += weight
        coders.update(i for i, v in enumerate(pattern) if v is not None)
        for value, k in counts.items():
            totals[value] += weight * k
        disagreement += weight * (m * m - sum(k * k for k in counts.values())) / (m - 1)
    if not units:
        return Alpha(Coefficient(None, NO_PAIRABLE_UNIT), 0, len(coders))
    if len(totals) < 2:
        return Alpha(Coefficient(None, one_value(set(totals), same_value)), units, len(coders))
    n = sum(totals.values())
    expected = n * n - sum(t * t for t in totals.values())
    return Alpha(Coefficient(1 - (n - 1) * disagreement / expected), units, len(coders))


def cohen_kappa(
    patterns: Patterns,
    first: int,
    second: int,
    *,
    same_value: Callable[[Value], str] | None = None,
) -> Pairwise:
    """Cohen's kappa and percent agreement of two coders, on the units both valued:
    κ = 1 − n·(n − agreed) / (n² − Σ_c rows_c·columns_c), as scikit-learn writes it."""
    rows: Counter[Value] = Counter()
    columns: Counter[Value] = Counter()
    agreed = n = 0
    for pattern, weight in patterns.items():
        a, b = pattern[first], pattern[second]
        if a is None or b is None or weight <= 0:
            continue
        n += weight
        rows[a] += weight
        columns[b] += weight
        if a == b:
            agreed += weight
    if not n:
        undefined = Coefficient(None, NO_SHARED_UNIT)
        return Pairwise(first, second, undefined, undefined, 0)
    percent = Coefficient(100 * agreed / n)
    values = set(rows) | set(columns)
    if len(values) < 2:
        kappa = Coefficient(None, one_value(values, same_value))
        return Pairwise(first, second, kappa, percent, n)
    chance = sum(rows[v] * columns[v] for v in values)
    kappa = Coefficient(1 - n * (n - agreed) / (n * n - chance))
    return Pairwise(first, second, kappa, percent, n)


def runs(
    size: int, by_coder: dict[int, list[tuple[int, int]]], zero: Pattern
) -> Iterator[tuple[Pattern, int]]:
    """Units 0 to ``size`` as runs of equal patterns, with their lengths: a coder of
    ``zero`` (the pattern of a unit nobody covered) says whether one of their ranges in
    ``by_coder`` covers the unit; a coder missing there stays missing. The runs expand
    to one pattern per unit."""
    events: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for coder, ranges in by_coder.items():
        for low, high in ranges:
            events[low].append((coder, 1))
            events[high].append((coder, -1))
    depth = [0] * len(zero)
    previous = 0
    for position in sorted({*events, size}):
        if position > previous:
            pattern = tuple(None if z is None else depth[i] > 0 for i, z in enumerate(zero))
            yield pattern, position - previous
        for coder, step in events.get(position, ()):
            depth[coder] += step
        previous = position
