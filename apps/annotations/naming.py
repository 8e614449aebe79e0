"""What an analyst meant by a name they typed: "Pesk" is Peskov, "Sergei Lavrov" is very
like the project's "Sergey Lavrov". Suggestions only: nothing is picked for them."""

from __future__ import annotations

from collections.abc import Mapping

# Below this similarity (0–100) a name is not worth suggesting.
SUGGEST_FROM = 75
# Shorter input than this only matches the start of a word ("US" is in many names).
FUZZY_FROM_LENGTH = 4


def similar(typed: str, candidates: Mapping[str, str], limit: int = 3) -> list[str]:
    """The best few of ``candidates`` (text to match → what to show) for ``typed``: the
    start of a word of it, or a near spelling, best first."""
    typed = " ".join(typed.casefold().split())
    if not typed:
        return []
    from rapidfuzz import fuzz  # on use: only a name not found gets here

    scores: dict[str, float] = {}
    for text, shown in candidates.items():
        text = text.casefold()
        if text.startswith(typed) or any(word.startswith(typed) for word in text.split()):
            score = 100.0
        elif len(typed) >= FUZZY_FROM_LENGTH:
            score = fuzz.WRatio(typed, text)
        else:
            continue
        if score >= SUGGEST_FROM:
            scores[shown] = max(scores.get(shown, 0.0), score)
    return sorted(scores, key=lambda shown: (-scores[shown], shown))[:limit]
