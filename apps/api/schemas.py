"""What the API answers with, field by field (and so what its OpenAPI schema says)."""

from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema


class ProjectOut(Schema):
    slug: str
    name: str
    description: str
    created_at: datetime.datetime
    role: str = Field(description="Your role in it: owner, analyst or viewer.")


class ArticleOut(Schema):
    id: int
    title: str
    url: str
    published: datetime.date | None
    byline: str
    language: str
    source: str = Field(alias="source.name")
    source_country: str = Field(alias="source.country")
    source_kind: str = Field(alias="source.kind")
    word_count: int
    revision: int
    content_hash: str


class ArticleDetailOut(ArticleOut):
    text: str = Field(description="The canonical text; offsets count its code points.")
    stories: list[str]

    @staticmethod
    def resolve_stories(article) -> list[str]:
        return [story.name for story in article.stories.all()]


class RevisionOut(Schema):
    number: int
    text: str
    content_hash: str
    replaced_at: datetime.datetime
    reason: str


class TagOut(Schema):
    id: int
    guid: uuid.UUID
    name: str
    description: str
    color: str
    parent: int | None = Field(alias="parent_id")
    shortcut: str
    position: int
    archived: bool


class ActorOut(Schema):
    id: int
    name: str
    kind: str
    aliases: list[str] = Field(alias="alias_list")
    description: str
    archived: bool


class ClaimOut(Schema):
    id: int
    text: str
    description: str
    parent: int | None = Field(alias="parent_id")
    archived: bool
