"""Full-text search structures: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

from django.db import migrations

from temoin.cases.search import POSTGRES_SETUP, SQLITE_SETUP


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = POSTGRES_SETUP if schema_editor.connection.vendor == "postgresql" else SQLITE_SETUP
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_searchentry_tsv")
    else:
        for name in ("cases_search_ai", "cases_search_ad", "cases_search_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS cases_search_fts")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
