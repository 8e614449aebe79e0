"""Annotations out as a W3C Web Annotation collection (JSON-LD), streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import QuerySet

from apps.analysis.export import AT, LINES_PER_PIECE, annotation_records

NS = "https://narrative-workbench.org/ns#"
CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"nw": NS}]
OFFSET_UNIT = "unicode code points of the article's canonical text (NFC, LF)"
# ``json.dumps(item, ensure_ascii=False)`` makes a new ``JSONEncoder`` on every call; one
# serves every item (they are fresh dicts: no cycle to check for).
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def jsonld_lines(annotations: QuerySet, *, label: str, base_url: str) -> Iterator[str]:
    """An AnnotationCollection of the W3C Web Annotation model, streamed.

    Positions (TextPositionSelector) count Unicode code points of the article's
    canonical text, as the Web Annotation model asks; the collection says so too.
    """
    head = {
        "@context": CONTEXT,
        "type": "AnnotationCollection",
        "label": label,
        "nw:offsetUnit": OFFSET_UNIT,
    }
    yield (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "first": {"type": "AnnotationPage", "items": [\n'
    )
    # Items go out ``LINES_PER_PIECE`` at a time: a piece per item made the server write
    # 20,000 times for 20,000 annotations, half the export's time over HTTP.
    piece: list[str] = []
    separator = ""
    for values, tags, _ in annotation_records(annotations):
        piece.append(_encode(web_annotation(values, tags, base_url)))
        if len(piece) == LINES_PER_PIECE:
            yield separator + ",\n".join(piece)
            piece, separator = [], ",\n"
    if piece:
        yield separator + ",\n".join(piece)
    yield "\n]}}\n"


def web_annotation(values: tuple, tags: list[str], base_url: str) -> dict:
    v = dict(zip(AT, values, strict=True))
    speaker, target, claim, note = v["speaker"], v["target"], v["claim"], v["note"]
    body: list[dict] = [{"type": "TextualBody", "purpose": "tagging", "value": t} for t in tags]
    if speaker:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "identifying",
                "value": speaker,
                "nw:role": "speaker",
            }
        )
    if target:
        body.append(
            {"type": "TextualBody", "purpose": "identifying", "value": target, "nw:role": "target"}
        )
    if claim:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "classifying",
                "value": claim,
                "nw:role": "claim",
                "nw:voice": v["voice"] or None,
                "nw:position": v["position"] or None,
            }
        )
    if note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": note})
    return {
        "id": f"{base_url}#annotation-{v['annotation_id']}",
        "type": "Annotation",
        "created": v["created"],
        "modified": v["updated"],
        "creator": {"type": "Person", "nickname": v["annotator"]},
        "body": body,
        "target": {
            "source": v["article_url"] or f"{base_url}#article-{v['article_id']}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": v["quote"],
                    "prefix": v["prefix"],
                    "suffix": v["suffix"],
                },
                {"type": "TextPositionSelector", "start": v["start"], "end": v["end"]},
            ],
        },
        "nw:anchorStatus": v["anchor_status"],
    }
