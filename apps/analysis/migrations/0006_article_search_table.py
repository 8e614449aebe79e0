"""PostgreSQL: the articles' search vectors move from a column of ``corpus_article`` into
a table of their own, ``search_article``, where they are kept in the row.

In the article row, a vector (5.6 kB on average) was stored out of line (TOAST), and
ranking a word found in most articles read each one back through the TOAST index: 33 of
the 49 ms of ranking 9,400 articles. Kept in the row of a narrow table
(``toast_tuple_target`` at its highest, the column's storage ``MAIN``), the same ranking
reads the table's pages in order: 25 ms. In ``corpus_article`` itself the rows would
have grown to a page each, and every scan of the articles with them.

Triggers keep the table whole: on insert, on a change of title or text, on delete and on
truncate of ``corpus_article`` (truncating is how test runs and ``flush`` empty it, and a
foreign key would forbid that; the table is then emptied with DELETE, see below). The words are split as before (``0001``), so the same
query finds the same articles on both engines. SQLite is unchanged (its FTS5 table of the
same name).
"""

from django.db import migrations

WORDS = "regexp_replace({}, '[^[:alnum:]]+', ' ', 'g')"
VECTOR = "to_tsvector('simple', " + WORDS.format("NEW.title || ' ' || NEW.text") + ")"

FORWARDS = [
    # No article written between the copy below and the triggers goes without its row.
    "LOCK TABLE corpus_article IN SHARE ROW EXCLUSIVE MODE",
    """CREATE TABLE search_article (
        article_id bigint PRIMARY KEY,
        search tsvector NOT NULL
    ) WITH (toast_tuple_target = 8160)""",
    "ALTER TABLE search_article ALTER COLUMN search SET STORAGE MAIN",
    "INSERT INTO search_article (article_id, search) SELECT id, search FROM corpus_article",
    "CREATE INDEX search_article_search ON search_article USING gin (search)",
    f"""CREATE FUNCTION search_article_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_article (article_id, search) VALUES (NEW.id, {VECTOR})
        ON CONFLICT (article_id) DO UPDATE SET search = EXCLUDED.search;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_article_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM search_article WHERE article_id = OLD.id;
        RETURN NULL;
    END $$""",
    # DELETE, not TRUNCATE: a request still reading the table (a test's last htmx
    # request, say) holds a lock that TRUNCATE's would wait for while the truncation of
    # the articles, which that request waits for, holds its own: a deadlock.
    """CREATE FUNCTION search_article_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM search_article;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_article_insert AFTER INSERT ON corpus_article
    FOR EACH ROW EXECUTE FUNCTION search_article_write()""",
    """CREATE TRIGGER search_article_update AFTER UPDATE OF title, text ON corpus_article
    FOR EACH ROW EXECUTE FUNCTION search_article_write()""",
    """CREATE TRIGGER search_article_delete AFTER DELETE ON corpus_article
    FOR EACH ROW EXECUTE FUNCTION search_article_delete()""",
    """CREATE TRIGGER search_article_truncate AFTER TRUNCATE ON corpus_article
    FOR EACH STATEMENT EXECUTE FUNCTION search_article_truncate()""",
    "ALTER TABLE corpus_article DROP COLUMN search",
]

BACKWARDS = [
    f"""ALTER TABLE corpus_article ADD COLUMN search tsvector GENERATED ALWAYS AS
    (to_tsvector('simple', {WORDS.format("title || ' ' || text")})) STORED""",
    "CREATE INDEX corpus_article_search ON corpus_article USING gin (search)",
    "DROP TRIGGER search_article_insert ON corpus_article",
    "DROP TRIGGER search_article_update ON corpus_article",
    "DROP TRIGGER search_article_delete ON corpus_article",
    "DROP TRIGGER search_article_truncate ON corpus_article",
    "DROP FUNCTION search_article_write()",
    "DROP FUNCTION search_article_delete()",
    "DROP FUNCTION search_article_truncate()",
    "DROP TABLE search_article",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("analysis", "0005_rejection_per_text")]

    operations = [migrations.RunPython(_run(FORWARDS), _run(BACKWARDS))]
