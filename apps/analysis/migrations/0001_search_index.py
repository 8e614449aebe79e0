"""The full-text search index (``analysis/search.py``), one per database engine.

PostgreSQL: a generated ``tsvector`` column on articles (title and text) and on
annotations (quote and note), with a GIN index. The text is split on everything that is
not a letter or a digit before ``to_tsvector('simple', …)``, so that a word is what
SQLite's ``unicode61`` tokenizer calls a word (``US-led`` is ``us`` and ``led``, and
``bbc.co.uk`` three words, on both), and nothing is stemmed: the same query finds the
same articles on both engines.

SQLite: FTS5 tables over the same columns, joined the same way (contentless: the text is
not stored twice), kept up to date by triggers. The models do not know these columns and
tables.
"""

from django.db import NotSupportedError, migrations

WORDS = "regexp_replace({}, '[^[:alnum:]]+', ' ', 'g')"

POSTGRES = [
    (
        f"""ALTER TABLE corpus_article ADD COLUMN search tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', {WORDS.format("title || ' ' || text")})) STORED;
        CREATE INDEX corpus_article_search ON corpus_article USING gin (search);""",
        "ALTER TABLE corpus_article DROP COLUMN search;",
    ),
    (
        f"""ALTER TABLE annotations_annotation ADD COLUMN search tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', {WORDS.format("quote || ' ' || note")})) STORED;
        CREATE INDEX annotations_annotation_search ON annotations_annotation
        USING gin (search);""",
        "ALTER TABLE annotations_annotation DROP COLUMN search;",
    ),
]


def _fts5(table: str, name: str, first: str, second: str) -> tuple[str, str]:
    """A contentless FTS5 table over two text columns of ``table`` joined as one (as on
    PostgreSQL: a phrase may run from the first into the second), and its triggers."""
    body = "{row}.%s || ' ' || {row}.%s" % (first, second)
    new, old = body.format(row="new"), body.format(row="old")
    source = body.format(row=table)
    forwards = f"""
        CREATE VIRTUAL TABLE {name} USING fts5(body, content='', tokenize='unicode61 remove_diacritics 0');
        INSERT INTO {name}(rowid, body) SELECT id, {source} FROM {table};
        CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {name}(rowid, body) VALUES (new.id, {new});
        END;
        CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN
            INSERT INTO {name}({name}, rowid, body) VALUES ('delete', old.id, {old});
        END;
        CREATE TRIGGER {name}_update AFTER UPDATE OF {first}, {second} ON {table} BEGIN
            INSERT INTO {name}({name}, rowid, body) VALUES ('delete', old.id, {old});
            INSERT INTO {name}(rowid, body) VALUES (new.id, {new});
        END;"""
    backwards = f"""
        DROP TRIGGER {name}_insert;
        DROP TRIGGER {name}_delete;
        DROP TRIGGER {name}_update;
        DROP TABLE {name};"""
    return forwards, backwards


SQLITE = [
    _fts5("corpus_article", "search_article", "title", "text"),
    _fts5("annotations_annotation", "search_annotation", "quote", "note"),
]


def _run(statements: list[tuple[str, str]], index: int):
    def run(apps, schema_editor):
        for statement in statements:
            sql = statement[index]
            for part in _split(sql):
                schema_editor.execute(part, params=None)

    return run


def _split(sql: str) -> list[str]:
    """Statements one by one (a trigger's body holds semicolons of its own)."""
    parts, current = [], []
    for line in sql.strip().splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        inside_trigger = text.upper().startswith("CREATE TRIGGER") and not text.endswith("END;")
        if text.endswith(";") and not inside_trigger:
            parts.append(text)
            current = []
    if "\n".join(current).strip():
        parts.append("\n".join(current).strip())
    return parts


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotSupportedError(f"The search index needs PostgreSQL or SQLite, not {vendor}.")
    _run(POSTGRES if vendor == "postgresql" else SQLITE, 0)(apps, schema_editor)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("postgresql", "sqlite"):
        _run(POSTGRES if vendor == "postgresql" else SQLITE, 1)(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0006_historicalarticle_historicalstory"),
        ("annotations", "0009_actor_claim_archived"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
