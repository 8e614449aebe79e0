"""The codebook's trees: tags under parent tags, claims under their narratives.

Both are parent/child trees of any depth within one project. Everything that walks them
goes through this module, so the codebook pages, the comparison rows, the filters and
the reader agree on one rule: **a parent stands for itself and all its descendants, at
any depth** (a filter on a parent tag selects annotations coded with any tag under it;
a comparison row of a parent counts them once each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet


class Node(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def parent_id(self) -> Any: ...


N = TypeVar("N", bound=Node)
K = TypeVar("K", bound=Hashable)


def depth_first(items: Iterable[N]) -> list[tuple[N, int]]:
    """``(item, depth)`` pairs, each parent followed by its subtree, siblings in the
    order given. An item whose parent is not among ``items`` starts a tree of its own."""
    items = list(items)
    present = {item.pk for item in items}
    children: dict[Any, list[N]] = defaultdict(list)
    for item in items:
        children[item.parent_id if item.parent_id in present else None].append(item)
    ordered: list[tuple[N, int]] = []
    stack = [(item, 0) for item in reversed(children[None])]
    while stack:
        item, depth = stack.pop()
        ordered.append((item, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(item.pk, [])))
    return ordered


def subtrees(parents: Mapping[K, K | None]) -> dict[K, set[K]]:
    """Each node's subtree (itself and every descendant), from ``{node: parent}``."""
    result: dict[K, set[K]] = {node: {node} for node in parents}
    for node in parents:
        ancestor = parents.get(node)
        seen = {node}
        while ancestor is not None and ancestor not in seen:  # a cycle stops, not hangs
            result.setdefault(ancestor, {ancestor}).add(node)
            seen.add(ancestor)
            ancestor = parents.get(ancestor)
    return result


def subtree_ids(queryset: QuerySet[Any], root: int) -> list[int]:
    """The ids of ``root`` and its descendants among ``queryset`` (one query, a project's
    tags or claims): what a filter on ``root`` matches."""
    parents = dict(queryset.values_list("pk", "parent_id"))
    if root not in parents:
        return [root]  # unknown here: matches nothing of this project, as it should
    return sorted(subtrees(parents)[root])


def check_parent(item: Any, *, another_project: str, loop: str) -> None:
    """Refuse a parent from another project, and a parent that would close a loop
    (the item under one of its own descendants): the two messages say which."""
    if item.parent_id is None:
        return
    if item.parent.project_id != item.project_id:
        raise ValidationError({"parent": another_project})
    ancestor = item.parent
    seen = set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == item.pk:
            raise ValidationError({"parent": loop})
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
