"""The full-text index of proposals on SQLite (FTS5). PostgreSQL searches the proposals table itself with
its own full-text search, so this migration does nothing there. The actions keep the index in step."""

from django.db import migrations


class SqliteOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [
        SqliteOnly(
            sql=(
                "CREATE VIRTUAL TABLE IF NOT EXISTS proposals_proposal_fts USING fts5("
                "title, body, tokenize='unicode61 remove_diacritics 2')"
            ),
            reverse_sql="DROP TABLE IF EXISTS proposals_proposal_fts",
        )
    ]
