"""An article two analysts coded, with one unit of each kind of disagreement, for the
adjudication tests; and the units of it by what they are."""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts.models import User
from apps.annotations.models import Actor, Claim, Tag
from apps.coding.adjudicating import article_units
from apps.coding.units import Unit
from apps.corpus.models import Article
from tests import factories
from tests.conftest import Cast

TEXT = (
    "Alpha one two three. Bravo four five six.\n\n"
    "Charlie seven eight nine. Delta ten eleven twelve.\n\n"
    "Echo thirteen fourteen. Foxtrot 👨‍👩‍👧 fifteen sixteen."
)


@dataclass
class Coded:
    """The cast, a second coder, an adjudicator analyst, and the coded article."""

    cast: Cast
    second: User  # the other coder
    adjudicator: User  # an analyst the owners made adjudicator
    article: Article
    tags: list[Tag]
    claims: list[Claim]
    actors: list[Actor]

    @property
    def owner(self) -> User:
        return self.cast.owner

    def units(self) -> dict[str, Unit]:
        """The article's units now, by the first word of their text."""
        found = article_units(self.article)
        return {self.article.text[u.start : u.end].split()[0]: u for u in found.units}


def code_article(cast: Cast, text: str = TEXT) -> Coded:
    project = cast.project
    second = factories.make_user("beth", first_name="Beth", last_name="Ames")
    project.memberships.create(user=second, role="analyst")
    adjudicator = factories.make_user("ada", first_name="Ada", last_name="Judge")
    project.memberships.create(user=adjudicator, role="analyst", adjudicator=True)
    tags = [factories.make_tag(project, f"tag {n}") for n in range(3)]
    claims = [factories.make_claim(project, f"Claim {n}") for n in range(2)]
    actors = [factories.make_actor(project, f"Actor {n}") for n in range(3)]
    article = factories.make_article(project, text=text, title="The coded article")
    anton, beth = cast.analyst, second
    note = factories.make_annotation
    # Alpha: the same passage, the same coding (an agreed unit).
    for coder in (anton, beth):
        note(article, coder, "Alpha one two three.", tags=[tags[0]])
    # Bravo: the same passage, tags differ.
    note(article, anton, "Bravo four five six.", tags=[tags[0]], note="Anton's note")
    note(article, beth, "Bravo four five six.", tags=[tags[0], tags[1]])
    # Charlie: spans, speaker, target and position differ.
    common = {"claim": claims[0], "voice": "reported"}
    note(article, anton, "Charlie seven eight", speaker=actors[0], position="supports", **common)
    note(
        article,
        beth,
        "Charlie seven eight nine.",
        speaker=actors[1],
        target=actors[2],
        position="disputes",
        **common,
    )
    # Delta: Anton only; Echo: Beth only.
    note(article, anton, "Delta ten eleven twelve.", tags=[tags[2]])
    note(article, beth, "Echo thirteen", tags=[tags[1]], claim=claims[1])
    # Foxtrot: after an emoji (offsets are code points), the same for both.
    for coder in (anton, beth):
        note(article, coder, "Foxtrot 👨‍👩‍👧 fifteen", tags=[tags[1]])
    return Coded(cast, second, adjudicator, article, tags, claims, actors)
