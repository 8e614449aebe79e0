"""Keeping SQLite's search index whole (``migrations/0001_search_index.py``).

On SQLite the index is kept by triggers on the indexed tables, and SQLite rebuilds a
table to drop or change a column, which drops its triggers. A migration that does so is
followed by one that makes them again (``0002``); and after every ``migrate`` this check
makes any missing trigger again and refills that table's index, so that no migration,
forwards or back, leaves the search silently stale.
"""

from __future__ import annotations

import importlib

from django.db import connections

_INDEX = importlib.import_module("apps.analysis.migrations.0001_search_index")
# (table, index, its two columns), as the migration made them.
INDEXED = [
    ("corpus_article", "search_article", "title", "text"),
    ("annotations_annotation", "search_annotation", "quote", "note"),
]


def ensure_sqlite_triggers(using: str = "default", **kwargs) -> list[str]:
    """Make again the triggers that a table rebuild dropped, and refill those indexes;
    the indexes whose triggers were missing are returned."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        repaired = []
        for table, name, first, second in INDEXED:
            wanted = {f"{name}_insert", f"{name}_delete", f"{name}_update"}
            if name not in present or wanted <= present:
                continue  # not made yet (before the migration), or whole
            create, _ = _INDEX._fts5(table, name, first, second)
            for statement in _INDEX._split(create):
                if statement.startswith("CREATE TRIGGER"):
                    cursor.execute(
                        statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
                    )
            cursor.execute(f"INSERT INTO {name}({name}) VALUES ('delete-all')")
            body = f"{first} || ' ' || {second}"
            cursor.execute(f"INSERT INTO {name}(rowid, body) SELECT id, {body} FROM {table}")
            repaired.append(name)
    return repaired
