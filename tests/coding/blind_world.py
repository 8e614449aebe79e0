"""A blind project where two analysts coded the same article, for the leak matrix.

Anton (the cast's analyst, "A") and Bella ("B") both have article X; each coded it with
words of their own. Bella also coded article Y, which Anton does not have, and the owner
adjudicated a passage of X (the gold layer). Whatever Bella or the adjudication wrote
must stay out of everything Anton can reach until he marks X done; Y's stays hidden after
that too. The markers are words found nowhere else: a note's word is never in an
article's text, a quote's word only in its article's text (so it is looked for only
where a screen shows no text).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from apps.coding.assigning import assign, set_blind_coding
from apps.projects.models import Project
from tests import factories

X_TEXT = (
    "Russia has said it will carry on bombing rebel-held eastern Aleppo.\n\n"
    "Kremlin spokesman Dmitry Peskov said the air force would continue its support.\n\n"
    "Quokkas gathered near the ministry on Tuesday."
)
Y_TEXT = "Yuccas bloom in the desert near Palmyra.\n\nThe convoy was hit overnight."

A_NOTE = "APRICOT first reading"  # Anton's own: always his to see
B_NOTE = "ZANZIBAR marmalade"  # Bella's on X
B_QUOTE = "Quokkas gathered near the ministry"
GOLD_NOTE = "GOLDENROD verdict"  # the adjudicated passage on X
Y_NOTE = "YUCCANOTE lantern"  # Bella's on Y
Y_QUOTE = "Yuccas bloom"

# Hidden from Anton before he marks X done: in any answer / only where no text is shown.
HIDDEN_NOTES = ("ZANZIBAR", "GOLDENROD", "YUCCANOTE")
HIDDEN_QUOTES = ("Quokkas", "Yuccas")
# After: Y's stays hidden (and the gold passage of X is now his to see).
HIDDEN_NOTES_AFTER = ("YUCCANOTE",)
HIDDEN_QUOTES_AFTER = ("Yuccas",)


@dataclass
class World:
    project: Project
    owner: object
    a: object  # Anton, the analyst looking
    b: object  # Bella, the other coder
    viewer: object
    outsider: object
    x: object
    y: object
    story: object
    tag_b: object  # a tag only Bella used
    claim_b: object
    actor_b: object
    tag_a: object
    mine: object  # Anton's passage on X
    theirs: object  # Bella's passage on X
    theirs_y: object
    gold: object
    extra: dict = field(default_factory=dict)


def build(cast) -> World:
    project = cast.project
    bella = factories.make_user("bella", first_name="Bella", last_name="Brook")
    project.memberships.create(user=bella, role="analyst")
    outlet = factories.make_source("Daily Planet")
    x = factories.make_article(project, text=X_TEXT, title="Aleppo report", source=outlet)
    y = factories.make_article(project, text=Y_TEXT, title="Desert report", source=outlet)
    story = factories.make_story(project, x, y, name="Syria 2016")
    tag_a, tag_b = factories.make_tag(project, "shelling"), factories.make_tag(project, "fauna")
    claim_b = factories.make_claim(project, "Animals protest the war")
    actor_b = factories.make_actor(project, "Peskov")
    mine = factories.make_annotation(x, cast.analyst, "Russia has said", tags=[tag_a], note=A_NOTE)
    theirs = factories.make_annotation(
        x,
        bella,
        B_QUOTE,
        tags=[tag_b],
        claim=claim_b,
        speaker=actor_b,
        voice="own",
        position="supports",
        note=B_NOTE,
    )
    theirs_y = factories.make_annotation(y, bella, Y_QUOTE, tags=[tag_b], note=Y_NOTE)
    gold = factories.make_annotation(
        x, cast.owner, "Kremlin spokesman", tags=[tag_b], note=GOLD_NOTE, layer="gold"
    )
    assign(project=project, articles=[x.pk], coders=[cast.analyst, bella], by=cast.owner)
    assign(project=project, articles=[y.pk], coders=[bella], by=cast.owner)
    project = set_blind_coding(project=project, on=True, by=cast.owner)
    return World(
        project=project,
        owner=cast.owner,
        a=cast.analyst,
        b=bella,
        viewer=cast.viewer,
        outsider=cast.outsider,
        x=x,
        y=y,
        story=story,
        tag_b=tag_b,
        claim_b=claim_b,
        actor_b=actor_b,
        tag_a=tag_a,
        mine=mine,
        theirs=theirs,
        theirs_y=theirs_y,
        gold=gold,
    )


def text_of(response) -> str:
    """A response's body as text: streamed or not, and a zip's files (a .qdpx) unpacked,
    since compressed markers would not be seen."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")
