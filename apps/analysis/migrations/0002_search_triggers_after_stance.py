"""SQLite rebuilds a table to drop a column, and the rebuild drops the table's triggers:
annotations 0010 (the stance in two parts) did so to ``annotations_annotation``, so the
search index's triggers on it are made again here, and the index refilled from the table
(its ids did not change, but nothing kept it while the triggers were gone).

Migrating back past annotations 0010 rebuilds the table once more; migrating forward
again comes back here. PostgreSQL keeps its generated column through both: nothing to do.
"""

import importlib

from django.db import migrations

INDEX = importlib.import_module("apps.analysis.migrations.0001_search_index")
TABLE, NAME = "annotations_annotation", "search_annotation"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    create, _ = INDEX._fts5(TABLE, NAME, "quote", "note")
    for statement in INDEX._split(create):
        if statement.startswith("CREATE TRIGGER"):
            schema_editor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    schema_editor.execute(f"INSERT INTO {NAME}({NAME}) VALUES ('delete-all')")
    schema_editor.execute(
        f"INSERT INTO {NAME}(rowid, body) SELECT id, quote || ' ' || note FROM {TABLE}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0001_search_index"),
        ("annotations", "0010_stance_in_two_parts"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
