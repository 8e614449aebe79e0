"""Queries of the busiest paths, with their SQL worked out once per process.

Django builds and compiles a query's SQL anew each time it is evaluated. For the queries
every signed-in request and every reader page asks (the session, the user, the member,
the article, the codebook, the article's passages and their tags, its stories and
neighbours, the analyst's queue, the form's actors and claims) that cost 0.5–1.4 ms
each on the machines measured, more than the database takes to answer them
(docs/benchmarks.md). A ``CompiledQuery`` keeps the QuerySet as the one definition of
its query: it builds it once per process and shape with stand-in values where a
request's values go, keeps Django's SQL (for the database the QuerySet reads from), and
sends that SQL with each call's values. The rows come back as ``values_list`` gives
them (the fields' converters applied), or as model instances (``instances``).

Values are whole numbers and strings compared as they are (ids, slugs, choices). On a
shape's first call the query is built with that call's values too, and must be the
same SQL with them in the stand-ins' places: a lookup that changes its value on the way
(a ``LIKE`` escaping it, a number out of a field's range dropping a condition) is
refused there, not sent wrong later. Anything that changes the SQL itself (whether
blind coding hides passages, say) is part of the shape, not a value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# In the range of every integer column (a number out of a field's range drops its
# condition), above any id here; text with what a ``LIKE`` would escape.
_NUMBER_STAND_IN = 2_000_000_000
_TEXT_STAND_IN = "stand-in %_\\ {}"
# No column holds a whole number outside this range: the ORM answers "no rows".
_INTEGER_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (place among the parameters, name of the value)
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]
    using: str
    model: type[Model]
    names: tuple[str, ...]  # what ``values_list`` was given, in its order

    @cached_property
    def layout(self) -> tuple[_Group, tuple[tuple[Any, _Group], ...]]:
        """For ``instances`` (worked out on its first call: a query only ``rows`` reads
        may name columns no instance is made of)."""
        return _layout(self)


# For ``instances``: a model's columns in its fields' order (``from_db`` reads them so),
# their places in a row, and the place of the primary key among them.
_Group = tuple[list[str], list[int], int]


class CompiledQuery:
    """``build(*shape, **values)`` returns the query as a ``values_list`` QuerySet; it is
    called once per shape with stand-ins for the values, and once with real ones."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._compiled: dict[Hashable, _Compiled] = {}

    def rows(self, *shape: Hashable, **values: int | str) -> list[tuple]:
        return self._fetch(shape, values)[1]

    def instances(self, model: type[M], *shape: Hashable, **values: int | str) -> list[M]:
        """The rows as instances of ``model``, the query's model, which lists its
        columns by ``attname`` (those left out are deferred, as with ``only``), and
        those of a related object as ``relation__attname``, its primary key among them:
        the object (or None, where the join found none) is then cached on the instance,
        as ``select_related`` leaves it."""
        compiled, rows = self._fetch(shape, values)
        if compiled is None or not rows:
            return []
        if model is not compiled.model:
            raise ValueError(f"The query reads {compiled.model.__name__}, not {model.__name__}.")
        (names, places, _), related = compiled.layout
        found = []
        for row in rows:
            instance = model.from_db(compiled.using, names, [row[i] for i in places])
            for field, (its_names, its_places, pk) in related:
                value = None
                if row[its_places[pk]] is not None:
                    its_values = [row[i] for i in its_places]
                    value = field.related_model.from_db(compiled.using, its_names, its_values)
                    if not field.concrete:  # a reverse one-to-one: its object knows ours
                        field.field.set_cached_value(value, instance)
                field.set_cached_value(instance, value)
            found.append(instance)
        return found

    def _fetch(
        self, shape: tuple, values: dict[str, int | str]
    ) -> tuple[_Compiled | None, list[tuple]]:
        """The compiled query and its rows (None and no rows for a value no row has)."""
        plain = {name: _plain(value) for name, value in values.items()}
        if any(isinstance(value, int) and value not in _INTEGER_RANGE for value in plain.values()):
            return None, []
        try:
            compiled = self._for(shape, plain)
        except EmptyResultSet:  # a first call with a value no row can have
            return None, []
        return compiled, self._run(compiled, plain)

    def _for(self, shape: tuple, plain: dict[str, int | str]) -> _Compiled:
        key = _key(shape, plain)
        compiled = self._compiled.get(key)
        if compiled is None:
            # Two threads may both compile a new shape: the same SQL, kept once.
            compiled = self._compiled[key] = self._compile(shape, plain)
        return compiled

    def _run(self, compiled: _Compiled, plain: dict[str, int | str]) -> list[tuple]:
        params = list(compiled.params)
        for place, name in compiled.slots:
            params[place] = plain[name]
        connection = connections[compiled.using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        return [_converted(row, compiled.converters, connection) for row in rows]

    def _compile(self, shape: tuple, plain: dict[str, int | str]) -> _Compiled:
        stand_ins = {
            name: _NUMBER_STAND_IN + i if isinstance(value, int) else _TEXT_STAND_IN.format(i)
            for i, (name, value) in enumerate(plain.items())
        }
        queryset = self.build(*shape, **stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = []
        for name, stand_in in stand_ins.items():
            places = [i for i, param in enumerate(params) if param == stand_in]
            if not places:
                raise ValueError(f"{name!r} is not a parameter of the query as it is sent.")
            slots += [(place, name) for place in places]
        expected = list(params)
        for place, name in slots:
            expected[place] = plain[name]
        real = self.build(*shape, **plain)
        if real.query.get_compiler(using=real.db).as_sql() != (sql, tuple(expected)):
            raise ValueError("The query changes its values on the way: it cannot be compiled.")
        # The fields' own conversions (a date read from SQLite's text, say), as the
        # QuerySet applies them.
        fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = tuple(
            (place, tuple(functions), expression)
            for place, (functions, expression) in compiler.get_converters(fields).items()
        )
        names = tuple(queryset.query.values_select)
        return _Compiled(
            sql, tuple(params), tuple(slots), converters, queryset.db, queryset.model, names
        )


def _key(shape: tuple, plain: dict[str, int | str]) -> Hashable:
    return (shape, tuple((name, type(value)) for name, value in plain.items()))


def _plain(value: int | str) -> int | str:
    """The value as the driver is sent it (a choice as its string)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"A compiled query's values are whole numbers and strings: {value!r}")
    if isinstance(value, int):
        return int(value)
    return value.value if hasattr(value, "value") else str(value)  # a TextChoices member


def _layout(compiled: _Compiled) -> tuple[_Group, tuple[tuple[Any, _Group], ...]]:
    """Which columns of a row make the model's instance and each related object."""
    groups: dict[str, dict[str, int]] = {}
    for place, name in enumerate(compiled.names):
        relation, _, column = name.rpartition("__")
        groups.setdefault(relation, {})[column] = place
    own = _group(compiled.model, groups.pop("", {}))
    related = []
    for relation, given in groups.items():
        field = compiled.model._meta.get_field(relation)
        if not field.is_relation or "__" in relation:
            raise ValueError(f"{relation!r} is not a relation of {compiled.model.__name__}.")
        related.append((field, _group(field.related_model, given, needs_key=True)))
    return own, tuple(related)


def _group(model: Any, given: dict[str, int], *, needs_key: bool = False) -> _Group:
    names = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    if len(names) != len(given):
        unknown = sorted(set(given) - set(names))
        raise ValueError(f"Not columns of {model.__name__} by attname: {unknown}.")
    key = model._meta.pk.attname
    if needs_key and key not in given:
        raise ValueError(f"The primary key of {model.__name__} is not among the query's columns.")
    return names, [given[name] for name in names], names.index(key) if key in given else -1


def _converted(row: tuple, converters: Iterable[tuple[int, tuple, Any]], connection) -> tuple:
    values = list(row)
    for place, functions, expression in converters:
        value = values[place]
        for function in functions:
            value = function(value, expression, connection)
        values[place] = value
    return tuple(values)


def columns(model: type[Model], *, leaving_out: Iterable[str] = ()) -> tuple[str, ...]:
    """The model's columns by ``attname``, for a query that ``instances`` reads."""
    left_out = set(leaving_out)
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in left_out)


def related_columns(model: type[Model], relation: str) -> tuple[str, ...]:
    """The columns of the object ``relation`` reaches from ``model`` (found by name: a
    reverse relation of an app above), as ``instances`` reads them."""
    related = model._meta.get_field(relation).related_model
    assert isinstance(related, type)  # a model, not a lazy reference, once apps are ready
    return tuple(f"{relation}__{name}" for name in columns(related))
