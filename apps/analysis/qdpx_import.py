"""A REFI-QDA project file (read by ``qdpx_reading``) added to a project, in one
transaction: all of it or, if anything fails, nothing.

- codes become tags (hierarchy, colours, rules; a tag the project has already, by GUID
  or name, is used as it is); the branches this app writes besides the tags (*Claims*,
  *Actors* › *Speakers* / *Targets*, *Stance* › *Voice* / *Position*, ``qdpx_codes``)
  become the passages' claims, speakers, targets and stances again;
- sources become articles, filed under the outlet their ``Outlet`` variable names (else
  the one case they belong to, else the outlet chosen for the import); a source whose
  text the project has already is that article, and its passages go onto it;
- sets become stories;
- selections become annotations, by the member the file's user is (by login, then by
  name), or all by one chosen member; their notes become the annotation's note. A
  passage the file holds twice, or the project has already, is added once.

The preview is this same import rolled back (``dry_run``): what it shows is what the
import does, counted by the code that does it."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.analysis.qdpx_codes import guid, read_actor_description
from apps.analysis.qdpx_passages import Found, Passages
from apps.analysis.qdpx_reading import FileCode, FileSource, ProjectFile
from apps.annotations.codebook_files import Entry, import_codebook
from apps.annotations.models import (
    Actor,
    Claim,
    Position,
    Tag,
    Voice,
)
from apps.annotations.people import archive, save_actor, save_claim
from apps.corpus import text as canonical_text
from apps.corpus.importing import is_web_address
from apps.corpus.models import Article, Source, SourceKind, Story
from apps.projects.models import Project

_BATCH = 1000
_BRANCHES = {guid("branch", key): key for key in ("claims", "actors-speaker", "actors-target")}
_STANCE = {guid("voice", v): ("voice", v) for v in Voice.values} | {
    guid("position", p): ("position", p) for p in Position.values
}
_OTHER_BRANCHES = {
    guid("branch", key) for key in ("actors", "stance", "stance-voice", "stance-position")
}


@dataclass
class Choices:
    """What the owner decides for the whole file."""

    annotator: User | None = None  # every passage by this member; None: the file's users
    outlet: str = "Unknown outlet"  # the outlet of sources that name none


@dataclass
class Outcome:
    """What the import added, and what it left out and why."""

    counts: Counter[str] = field(default_factory=Counter)
    users: dict[str, list] = field(default_factory=dict)  # file user → [member, passages]
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        # The coders with passages: a file's other users (members, readers) decide nothing.
        users = {name: match for name, match in self.users.items() if match[1]}
        return {"counts": dict(self.counts), "users": users, "problems": self.problems}


class _DryRun(Exception):
    pass


def dry_run(*, project: Project, data: ProjectFile, choices: Choices, by: User) -> Outcome:
    """What importing ``data`` would do, done and undone: nothing is kept."""
    outcome: Outcome | None = None
    try:
        with transaction.atomic():
            outcome = import_project(project=project, data=data, choices=choices, by=by)
            raise _DryRun
    except _DryRun:
        pass
    assert outcome is not None
    return outcome


@transaction.atomic
def import_project(*, project: Project, data: ProjectFile, choices: Choices, by: User) -> Outcome:
    """Add ``data`` to ``project``: everything, or (on any error) nothing."""
    outcome = Outcome(problems=list(data.problems))
    outcome.counts["passages left out"] = data.passages_left_out
    if data.other_sources:
        outcome.problems.append(
            f"{data.other_sources} sources are not texts (PDF, pictures, audio or video): left out."
        )
    roles = _roles(data.codes)
    tags = _tags(project, [code for code in data.codes if roles[code.guid] == ("tag", "")], outcome)
    claims = _claims(project, data.codes, roles, outcome)
    actors = _actors(project, data.codes, roles, outcome)
    articles = _articles(project, data, choices.outlet, outcome, by)
    _stories(project, data, articles, outcome)
    found = Found(tags=tags, claims=claims, actors=actors, roles=roles)
    Passages(project=project, data=data, annotator=choices.annotator, by=by, codes=found).save(
        articles, outcome
    )
    return outcome


def _roles(codes: list[FileCode]) -> dict[str, tuple[str, str]]:
    """What each code is: ("tag", ""), ("claim", ""), ("speaker" / "target", ""),
    ("voice" / "position", value), or ("branch", "") for the branches themselves."""
    roles: dict[str, tuple[str, str]] = {}
    for code in codes:  # parents come first
        if code.guid in _BRANCHES or code.guid in _OTHER_BRANCHES:
            roles[code.guid] = ("branch", _BRANCHES.get(code.guid, ""))
        elif code.guid in _STANCE:
            roles[code.guid] = _STANCE[code.guid]
        elif code.parent and roles.get(code.parent, ("tag", ""))[0] in ("branch", "claim"):
            branch, key = roles[code.parent]
            kind = "claim" if branch == "claim" or key == "claims" else key.removeprefix("actors-")
            roles[code.guid] = (kind if kind in ("claim", "speaker", "target") else "tag", "")
        else:
            roles[code.guid] = ("tag", "")
    return roles


def _tags(project: Project, codes: list[FileCode], outcome: Outcome) -> dict[str, Tag]:
    """The tags of the file's codes (added to the codebook as a ``.qdc`` would be)."""
    entries: dict[str, Entry] = {}
    for code in codes:
        parent = entries.get(code.parent or "")
        entries[code.guid] = Entry(
            name=code.name,
            description=code.description.strip(),
            colour=code.colour,
            archived=not code.codable,
            guid=_uuid(code.guid),
            parent=parent.name if parent else "",
            parent_entry=parent,
        )
    result = import_codebook(project, list(entries.values())) if entries else None
    if result:
        outcome.counts["tags added"] = len(result.added)
        outcome.counts["tags already there"] = len(result.existing)
        outcome.problems.extend(result.problems)
    by_guid = {str(tag.guid): tag for tag in project.tags.all()}
    by_name = {tag.name.casefold(): tag for tag in by_guid.values()}
    return {
        code.guid: by_guid.get(code.guid) or by_name[" ".join(code.name.split()).casefold()]
        for code in codes
    }


def _claims(project, codes, roles, outcome: Outcome) -> dict[str, Claim]:
    def make(code: FileCode, found: dict) -> Claim:
        parent = found.get(code.parent or "")
        return save_claim(
            project, None, text=code.name, description=code.description,
            parent_id=parent.pk if parent else None,
        )  # fmt: skip

    existing = {claim.text.casefold(): claim for claim in project.claims.all()}
    return _named(codes, roles, ("claim",), existing, 500, make, "Claim", outcome)


def _actors(project, codes, roles, outcome: Outcome) -> dict[str, Actor]:
    """The actors of the *Speakers* and *Targets* codes (one actor, in both, by name)."""

    def make(code: FileCode, found: dict) -> Actor:
        description, kind, aliases = read_actor_description(code.description)
        return save_actor(
            project, None, name=code.name, kind=kind, aliases=aliases, description=description
        )

    existing = {actor.name.casefold(): actor for actor in project.actors.all()}
    kinds = ("speaker", "target")
    return _named(codes, roles, kinds, existing, 200, make, "Actor", outcome, there=False)


def _named(codes, roles, kinds, existing, width, make, label, outcome, *, there=True) -> dict:
    """The claims or actors (``label``) of the codes of ``kinds``: the project's own of
    that name (cut to ``width``), else made by ``make`` (archived if not codable); by
    code GUID. ``there``: count those found already."""
    found: dict = {}
    for code in codes:
        if roles[code.guid][0] not in kinds:
            continue
        item = existing.get(" ".join(code.name.split())[:width].casefold())
        if item is None:
            try:
                item = make(code, found)
            except ValidationError as error:
                outcome.problems.append(
                    f"{label} “{code.name}”: {' '.join(error.messages)} Left out."
                )
                continue
            if not code.codable:
                archive(item)
            existing[str(item).casefold()] = item
            outcome.counts[f"{label.lower()}s added"] += 1
        elif there:
            outcome.counts[f"{label.lower()}s already there"] += 1
        found[code.guid] = item
    return found


def _articles(
    project: Project, data: ProjectFile, outlet: str, outcome: Outcome, by: User
) -> dict[str, Article]:
    """The article of each source (by GUID): the project's own if it has the text."""
    by_hash: dict[str, Article | int] = dict(project.articles.values_list("content_hash", "pk"))
    urls = set(project.articles.exclude(url="").values_list("url", flat=True))
    cases = {guid: name for name, guids in data.cases.items() for guid in guids}
    outlets: dict[str, Source] = {}
    found: dict[str, Article | int] = {}
    created: list[Article] = []
    for source in data.sources:
        digest = canonical_text.content_hash(source.text)
        if digest in by_hash:
            found[source.guid] = by_hash[digest]
            outcome.counts["articles already there"] += isinstance(by_hash[digest], int)
            continue
        article = _article(project, source, outcome)
        if article.url in urls:
            outcome.problems.append(
                f"Source “{source.name}”: the project has another text under its URL; "
                "imported without the URL."
            )
            article.url = ""
        if article.url:
            urls.add(article.url)
        values = {name.casefold(): value for name, value in source.variables.items()}
        name = values.get("outlet") or cases.get(source.guid) or outlet
        article.source = _outlet(" ".join(name.split())[:120], values, outlets, outcome)
        by_hash[digest] = found[source.guid] = article
        created.append(article)
    for start in range(0, len(created), _BATCH):
        Article.objects.bulk_create(created[start : start + _BATCH])
    reason = "imported from a REFI-QDA project file"
    Article.history.bulk_history_create(created, default_user=by, default_change_reason=reason)
    outcome.counts["articles added"] = len(created)
    # The project's own articles that the file holds too: their passages go onto them.
    known = project.articles.in_bulk([pk for pk in found.values() if isinstance(pk, int)])
    return {key: known[a] if isinstance(a, int) else a for key, a in found.items()}


def _article(project: Project, source: FileSource, outcome: Outcome) -> Article:
    values = {name.casefold(): value for name, value in source.variables.items()}
    url = values.get("url", "")
    if url and not (is_web_address(url) and len(url) <= 1000):
        outcome.problems.append(
            f"Source “{source.name}”: “{url[:80]}” is not a web address; left out."
        )
        url = ""
    published = None
    if when := values.get("published", ""):
        try:
            published = date.fromisoformat(when[:10])
        except ValueError:
            outcome.problems.append(
                f"Source “{source.name}”: “{when[:40]}” is not a date; left out."
            )
    title = " ".join(source.name.split()) or source.text.split("\n", 1)[0]
    article = Article(
        project=project,
        title=title[:500],
        url=url,
        published=published,
        byline=values.get("byline", "")[:300],
        language=(values.get("language") or "en")[:16],
        text=source.text,
        content_hash=canonical_text.content_hash(source.text),
        word_count=canonical_text.word_count(source.text),
    )
    return article


def _outlet(
    name: str, values: dict[str, str], outlets: dict[str, Source], outcome: Outcome
) -> Source:
    """The outlet called ``name``, made (with the file's kind and country) if new."""
    if name.casefold() not in outlets:
        outlet = Source.objects.filter(name__iexact=name).first()
        if outlet is None:
            kinds = {str(label): value for value, label in SourceKind.choices}
            country = values.get("country", "").strip().upper()
            outlet = Source.objects.create(
                name=name,
                kind=kinds.get(values.get("kind of outlet", ""), SourceKind.OTHER),
                country=country if len(country) == 2 and country.isalpha() else "",
            )
            outcome.counts["outlets added"] += 1
        outlets[name.casefold()] = outlet
    return outlets[name.casefold()]


def _stories(
    project: Project, data: ProjectFile, articles: dict[str, Article], outcome: Outcome
) -> None:
    links: list = []  # Story.articles.through rows
    for item in data.sets:
        members = {articles[guid].pk for guid in item.members if guid in articles}
        if not item.name or not members:
            continue
        story, made = Story.objects.get_or_create(
            project=project, name=item.name[:200], defaults={"description": item.description}
        )
        outcome.counts["stories added" if made else "stories already there"] += 1
        links.extend(Story.articles.through(story_id=story.pk, article_id=pk) for pk in members)
    Story.articles.through.objects.bulk_create(links, ignore_conflicts=True, batch_size=_BATCH)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
