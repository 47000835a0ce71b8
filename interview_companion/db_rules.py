"""Delete rules enforced by PostgreSQL itself, not only by Django's collector.

Django 5.2 emulates `on_delete` in Python and creates every foreign key as plain
NO ACTION, so `DELETE FROM candidates` in psql would fail or leave orphans. The seed
says the database cascades, sets null and restricts; these rules make it so. A later
AlterField on one of these columns recreates the constraint without its rule, which
`interviews/tests/test_database_rules.py` catches by reading pg_constraint.
"""

from __future__ import annotations

# (table, column, referenced table, ON DELETE rule)
FOREIGN_KEY_RULES: list[tuple[str, str, str, str]] = [
    ("interviews", "candidate_id", "candidates", "CASCADE"),
    ("interviews", "interviewer_id", "users", "RESTRICT"),
    ("interviews", "job_position_id", "job_positions", "SET NULL"),
    ("transcripts", "interview_id", "interviews", "CASCADE"),
    ("ai_insights", "interview_id", "interviews", "CASCADE"),
    ("ai_insights", "transcript_id", "transcripts", "SET NULL"),
    ("scorecards", "interview_id", "interviews", "CASCADE"),
    ("scorecards", "decided_by_id", "users", "SET NULL"),
    ("scorecard_versions", "scorecard_id", "scorecards", "CASCADE"),
    ("interview_events", "interview_id", "interviews", "CASCADE"),
    ("api_tokens", "user_id", "users", "CASCADE"),
    ("candidate_notices", "interview_id", "interviews", "CASCADE"),
    ("candidate_notices", "candidate_id", "candidates", "CASCADE"),
    ("candidate_notices", "recorded_by_id", "users", "SET NULL"),
    # The text a candidate was read stays while any notice refers to it.
    ("candidate_notices", "notice_text_id", "notice_texts", "RESTRICT"),
    ("users_groups", "user_id", "users", "CASCADE"),
    ("users_user_permissions", "user_id", "users", "CASCADE"),
    # Django's own keys into and out of users, as its collector treats them, so a
    # plain DELETE of a user (or a group) behaves like the ORM's.
    ("users_groups", "group_id", "auth_group", "CASCADE"),
    ("users_user_permissions", "permission_id", "auth_permission", "CASCADE"),
    ("django_admin_log", "user_id", "users", "CASCADE"),
]


def apply_foreign_key_rules(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: Django's collector applies the same rules.
    with schema_editor.connection.cursor() as cursor:
        for table, column, ref_table, rule in FOREIGN_KEY_RULES:
            # An earlier migration re-running the list meets tables a later one
            # creates; that later migration applies their rules.
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(
                """
                SELECT c.conname FROM pg_constraint c
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s
                """,
                [table, column],
            )
            names = [row[0] for row in cursor.fetchall()]
            if len(names) != 1:
                raise RuntimeError(f"Expected one foreign key on {table}.{column}, got {names}")
            name = names[0]
            # RESTRICT is checked at once even on a deferrable constraint; the others
            # stay deferrable as Django creates them.
            deferral = "" if rule == "RESTRICT" else " DEFERRABLE INITIALLY DEFERRED"
            cursor.execute(
                f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}", '
                f'ADD CONSTRAINT "{name}" FOREIGN KEY ("{column}") '
                f'REFERENCES "{ref_table}" ("id") ON DELETE {rule}{deferral}'
            )
