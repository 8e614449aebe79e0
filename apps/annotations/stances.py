"""How a passage carries its claim: the two parts of a stance (voice and position) and
what they mean together. One definition, read by every screen, export and count; the
names are also importable from ``apps.annotations.models``."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.db import models


class Voice(models.TextChoices):
    """Whose voice a passage carries its claim in (the first part of a stance)."""

    OWN = "own", "The outlet's own voice"
    REPORTED = "reported", "Reporting someone"


class Position(models.TextChoices):
    """The position a passage takes toward its claim (the second part of a stance)."""

    SUPPORTS = "supports", "Supports"
    DISPUTES = "disputes", "Disputes"
    NEUTRAL = "neutral", "Neutral or unclear"


class Stance:
    """How a passage carries its claim, in two parts: the outlet's voice (its own, or
    reporting someone) and the position toward the claim, so "the BBC reports Russia
    disputing the claim" is not "the BBC disputes the claim". Every screen, export and
    count reads the meaning of a stance from here: its words, whose voice it is, and an
    outlet's verdict."""

    # Before stances had two parts (migration 0010): the one value, and its two parts.
    # "disputes" said nothing of the voice: with a named speaker it was someone the
    # outlet reports, without one the outlet itself.
    FORMER = ("asserts", "reports", "disputes")

    @staticmethod
    def from_former(value: str, has_speaker: bool) -> tuple[str, str]:
        if value == "asserts":
            return Voice.OWN, Position.SUPPORTS
        if value == "reports":
            return Voice.REPORTED, Position.SUPPORTS
        if value == "disputes":
            return (Voice.REPORTED if has_speaker else Voice.OWN), Position.DISPUTES
        return "", ""

    @staticmethod
    @functools.cache  # a few pairs; the labels are translated on each use otherwise
    def words(voice: str, position: str) -> str:
        """A stance in a few words ("reported · disputes"), or "" without one."""
        said = {Voice.OWN.value: "own voice", Voice.REPORTED.value: "reported"}.get(voice, "")
        held = Position(position).label.lower() if position else ""
        return " · ".join(part for part in (said, held) if part)

    @staticmethod
    def voice_of(speaker: str | None, voice: str) -> str:
        """Whose words a passage carries: its speaker; with none named, the outlet's own
        voice, unless the outlet reports someone."""
        if speaker:
            return speaker
        return SPEAKER_NOT_NAMED if voice == Voice.REPORTED else OUTLET_VOICE

    @staticmethod
    def verdict(counts: Mapping[tuple[str, str], int]) -> str:
        """How an outlet carries a claim, in one phrase, from its passages per
        (voice, position) (``""`` for a part not given)."""
        if not sum(counts.values()):
            return "never mentions it"
        own = {position for (voice, position), n in counts.items() if n and voice == Voice.OWN}
        reported = {p for (voice, p), n in counts.items() if n and voice == Voice.REPORTED}
        if Position.SUPPORTS in own and Position.DISPUTES in own:
            return "both asserts and disputes it in its own voice"
        if Position.SUPPORTS in own:
            return "asserts it in its own voice"
        if Position.DISPUTES in own:
            return "disputes it in its own voice"
        if Position.SUPPORTS in reported and Position.DISPUTES in reported:
            return "reports others asserting and disputing it"
        if Position.SUPPORTS in reported:
            return "reports others asserting it"
        if Position.DISPUTES in reported:
            return "reports others disputing it"
        return "mentions it"


# Whose voice a passage without a named speaker is in (see ``Stance.voice_of``).
OUTLET_VOICE = "outlet's own voice"
SPEAKER_NOT_NAMED = "speaker not named"
