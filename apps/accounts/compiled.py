"""Queries of the busiest paths, with their SQL worked out once per process.

Django builds and compiles a query's SQL anew each time it is evaluated. For the queries
every reader page and every save asks (the member, the article, the codebook, the
article's passages and their tags) that cost 0.5–1.4 ms each on the machines measured,
more than the database takes to answer them (docs/benchmarks.md). A ``CompiledQuery``
keeps the QuerySet as the one definition of its query: it builds it once per database
and shape with stand-in values where a request's values go, keeps Django's SQL, and
sends that SQL with each call's values. The rows come back as ``values_list`` gives
them (the fields' converters applied), or as model instances (``instances``).

Only whole numbers and strings can be values (ids, slugs, choices): Django sends those
to the database as they are, so each stand-in is found unchanged among the compiled
parameters and its place is known. Anything that changes the SQL itself (whether blind
coding hides passages, say) is part of the shape, not a value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Values no query is ever asked with: ids are positive, slugs and choices are printable.
_NUMBER_STAND_IN = -7_000_000_000_000
_TEXT_STAND_IN = "\x00stand-in {}\x00"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (place among the parameters, name of the value)
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]
    using: str
    # For ``instances``: the model's own columns and their places in a row; each related
    # object's field, columns, places and which of them is its primary key.
    own: tuple[list[str], list[int]]
    related: tuple[tuple[Any, list[str], list[int], int], ...]


class CompiledQuery:
    """``build(*shape, **values)`` returns the query as a ``values_list`` QuerySet; it is
    called once per database and shape, with stand-ins for the values."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._compiled: dict[Hashable, _Compiled] = {}

    def rows(self, *shape: Hashable, **values: int | str) -> list[tuple]:
        return self._run(self._for(shape, values), values)

    def instances(self, model: type[M], *shape: Hashable, **values: int | str) -> list[M]:
        """The rows as instances of ``model``, the query's model, which lists its
        columns by ``attname`` (those left out are deferred, as with ``only``), and
        those of a related object as ``relation__attname``, its primary key among them:
        the object (or None, where the join found none) is then cached on the instance,
        as ``select_related`` leaves it."""
        compiled = self._for(shape, values)
        if any(key < 0 for *_, key in compiled.related):
            raise ValueError("A related object's primary key is not among the query's columns.")
        using, found = compiled.using, []
        for row in self._run(compiled, values):
            instance = model.from_db(using, compiled.own[0], [row[i] for i in compiled.own[1]])
            for field, names, places, key in compiled.related:
                related = None
                if row[places[key]] is not None:
                    related = field.related_model.from_db(using, names, [row[i] for i in places])
                field.set_cached_value(instance, related)
            found.append(instance)
        return found

    def _for(self, shape: tuple, values: dict[str, int | str]) -> _Compiled:
        key = (shape, *values)
        compiled = self._compiled.get(key)
        if compiled is None:
            # Two threads may both compile a new shape: the same SQL, kept once.
            compiled = self._compiled[key] = self._compile(shape, values)
        return compiled

    def _run(self, compiled: _Compiled, values: dict[str, int | str]) -> list[tuple]:
        params = list(compiled.params)
        for place, name in compiled.slots:
            params[place] = _plain(values[name])
        connection = connections[compiled.using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        return [_converted(row, compiled.converters, connection) for row in rows]

    def _compile(self, shape: tuple, values: dict[str, int | str]) -> _Compiled:
        stand_ins = _stand_ins(values)
        queryset = self.build(*shape, **stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = []
        for name, stand_in in stand_ins.items():
            places = [i for i, param in enumerate(params) if param == stand_in]
            if not places:
                raise ValueError(f"{name!r} is not a parameter of the query as it is sent.")
            slots += [(place, name) for place in places]
        # The fields' own conversions (a date read from SQLite's text, say), as the
        # QuerySet applies them.
        fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = tuple(
            (place, tuple(functions), expression)
            for place, (functions, expression) in compiler.get_converters(fields).items()
        )
        own, related = _layout(queryset)
        return _Compiled(sql, tuple(params), tuple(slots), converters, queryset.db, own, related)


def _layout(queryset: QuerySet) -> tuple[tuple[list[str], list[int]], tuple]:
    groups: dict[str, tuple[list[str], list[int]]] = {}
    for place, name in enumerate(queryset.query.values_select):
        relation, _, column = name.rpartition("__")
        names, places = groups.setdefault(relation, ([], []))
        names.append(column)
        places.append(place)
    own = groups.pop("", ([], []))
    related = []
    for name, (names, places) in groups.items():
        # Only what ``instances`` can build: a relation of the model itself, with its
        # primary key (``rows`` reads any column).
        field = None if "__" in name else queryset.model._meta.get_field(name)
        key = field and field.related_model._meta.pk.attname
        related.append((field, names, places, names.index(key) if key in names else -1))
    return own, tuple(related)


def _stand_ins(values: dict[str, int | str]) -> dict[str, int | str]:
    return {
        name: _NUMBER_STAND_IN - i if isinstance(_plain(value), int) else _TEXT_STAND_IN.format(i)
        for i, (name, value) in enumerate(values.items())
    }


def _plain(value: int | str) -> int | str:
    """The value as the driver is sent it (a choice as its string)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"A compiled query's values are whole numbers and strings: {value!r}")
    return int(value) if isinstance(value, int) else str(value)


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
