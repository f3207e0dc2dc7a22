"""The search documents and the full-text index over them, which depends on the database:
a GIN index on `search_vector` on PostgreSQL, an FTS5 table kept equal to the documents
by triggers on SQLite.

On SQLite, Django makes a table anew for most changes to it (copy, drop, rename), and
dropping it drops its triggers: a later migration that alters SearchDocument must run
`create_fts_index` of this migration again afterwards.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FTS_TABLE = "search_searchdocument_fts"
DOCUMENTS = "search_searchdocument"
COLUMNS = "title, lead, text"
FTS_SQL = [
    # unicode61 folds case and (remove_diacritics 2) accents: "prive" finds "privé".
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        {COLUMNS}, content='{DOCUMENTS}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES (new.id, new.title, new.lead, new.text);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.lead, old.text);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF {COLUMNS} ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.lead, old.text);
        INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES (new.id, new.title, new.lead, new.text);
    END""",
    # Whatever the table holds already.
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
DROP_FTS_SQL = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{event}" for event in ("insert", "delete", "update")
] + [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
GIN_INDEX = "search_searchdocument_vector_gin"


def create_fts_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in FTS_SQL:
            schema_editor.execute(statement)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {GIN_INDEX} ON {DOCUMENTS} USING gin (search_vector)")


def drop_fts_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP_FTS_SQL:
            schema_editor.execute(statement)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0003_discussion_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.TextField(verbose_name="title")),
                ("lead", models.TextField(verbose_name="lead")),
                ("text", models.TextField(verbose_name="text")),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_document",
                        to="articles.article",
                        verbose_name="article",
                    ),
                ),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        migrations.RunPython(create_fts_index, drop_fts_index),
    ]
