"""The seed's rules hold in PostgreSQL itself, not only in Django.

Every statement here is raw SQL (or an ORM path that skips model validation:
`bulk_create`, `QuerySet.update()`) run in its own committed transaction, so a rule
that fired only at COMMIT would still be caught, and a rule Django merely emulates
in Python (on_delete, choices, validators) would be caught missing.

The expected values are written out here from the seed (`seed/data-model.md`) and
SPEC, on purpose not imported from the models or from
`interview_companion/db_rules.py`: a model or migration that drifts from the seed
must fail this file, not silently move the expectation with it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from accounts.models import User
from interviews.models import AIInsight, Interview, Scorecard, Transcript

pytestmark = pytest.mark.postgres
# Writes run in committed transactions; reading the catalogue needs no commit and
# keeps the cheaper rollback-per-test isolation.
committed = pytest.mark.django_db(transaction=True)
catalogue = pytest.mark.django_db

# The project's tables: the seed's seven plus the ones added for state the seed has
# no place for, and Django auth's many-to-many tables of the custom user.
PROJECT_TABLES = (
    "users",
    "candidates",
    "job_positions",
    "interviews",
    "transcripts",
    "ai_insights",
    "scorecards",
    "scorecard_versions",
    "interview_events",
    "api_tokens",
    "processed_webhooks",
    "clerk_tombstones",
    "users_groups",
    "users_user_permissions",
)


# --- Raw SQL, each call its own committed transaction -------------------------------


def sql(statement: str, params: tuple | list = ()) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _placeholder(value: Any) -> tuple[str, Any]:
    # psycopg does not adapt a dict or list on its own: send JSON text, cast to jsonb.
    if isinstance(value, dict | list):
        return "%s::jsonb", json.dumps(value)
    return "%s", value


def insert(table: str, **columns: Any) -> int:
    placeholders, params = zip(*(_placeholder(v) for v in columns.values()), strict=True)
    return sql(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(placeholders)}) RETURNING id",
        params,
    )[0][0]


def update(table: str, row_id: int, column: str, value: Any) -> None:
    placeholder, param = _placeholder(value)
    sql(f"UPDATE {table} SET {column} = {placeholder} WHERE id = %s", (param, row_id))


def value_of(table: str, row_id: int, column: str) -> Any:
    return sql(f"SELECT {column} FROM {table} WHERE id = %s", (row_id,))[0][0]


def count(table: str, where: str = "TRUE", params: tuple = ()) -> int:
    return sql(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]


def refused(call, *args: Any, **kwargs: Any) -> psycopg.errors.IntegrityError:
    """Run a committed write that must be refused; return the database's error."""
    with pytest.raises(IntegrityError) as info:
        call(*args, **kwargs)
    cause = info.value.__cause__
    assert isinstance(cause, psycopg.errors.IntegrityError), repr(cause)
    return cause


def clock() -> datetime:
    return sql("SELECT clock_timestamp()")[0][0]


def new_user(email: str, clerk_id: str | None = None) -> int:
    # password, is_superuser and time_zone are Django's columns without a database
    # default (see test_a_seed_shaped_user_insert_works below).
    return insert(
        "users",
        clerk_id=clerk_id or f"user_{email}",
        email=email,
        password="!",
        is_superuser=False,
        time_zone="",
    )


@pytest.fixture
def rows() -> dict[str, int]:
    """One row in every table, written with raw SQL: an interview with everything
    the pipeline produces."""
    ids: dict[str, int] = {}
    ids["users"] = new_user("ana@example.com", "user_2abc")
    ids["candidates"] = insert("candidates", name="Lucía Fernández", jira_ticket="CAND-7")
    ids["job_positions"] = insert("job_positions", title="Backend Developer", jira_epic="HR-12")
    ids["interviews"] = insert(
        "interviews",
        candidate_id=ids["candidates"],
        interviewer_id=ids["users"],
        job_position_id=ids["job_positions"],
    )
    ids["transcripts"] = insert(
        "transcripts", interview_id=ids["interviews"], text="Hola", request_id="req-1"
    )
    ids["ai_insights"] = insert(
        "ai_insights",
        interview_id=ids["interviews"],
        transcript_id=ids["transcripts"],
        type="note",
        content="Saludo",
    )
    ids["scorecards"] = insert("scorecards", interview_id=ids["interviews"])
    ids["scorecard_versions"] = insert(
        "scorecard_versions", scorecard_id=ids["scorecards"], version=1, snapshot={}
    )
    ids["interview_events"] = insert(
        "interview_events",
        interview_id=ids["interviews"],
        seq=1,
        type="transcript",
        object_id=ids["transcripts"],
        data={},
    )
    return ids


# --- CHECK constraints -----------------------------------------------------------------

JIRA_BAD = ["abc-123", "ABC123", "ABC-0", "ABC-012", "A-1", "1AB-2", "ABC-12 ", "ABC-"]
JIRA_GOOD = ["ABC-123", "AB-1", "HR2_X-99", "", None]

# (constraint, table, column, values the database must refuse, values it must take)
CHECKS: list[tuple[str, str, str, list, list]] = [
    (
        "interviews_status_valid",
        "interviews",
        "status",
        ["paused", "Scheduled", "", "in_progress"],
        ["scheduled", "live", "completed", "cancelled"],
    ),
    (
        "interviews_language_valid",
        "interviews",
        "language",
        ["fr", "ES", "es-ES"],
        ["es", "en", None],
    ),
    (
        "interviews_roles_confidence_range",
        "interviews",
        "roles_confidence",
        [101, 1000],
        [0, 100, None],
    ),
    ("interviews_roles_confidence_check", "interviews", "roles_confidence", [-1], [0]),
    ("interviews_last_seq_check", "interviews", "last_seq", [-1], [0, 7]),
    (
        "interviews_notice_decision_valid",
        "interviews",
        "notice_decision",
        ["maybe", "Agreed", ""],
        ["agreed", "declined", None],
    ),
    (
        "job_positions_status_valid",
        "job_positions",
        "status",
        ["draft", "OPEN", "on-hold", ""],
        ["open", "closed", "on_hold"],
    ),
    ("job_positions_jira_epic_format", "job_positions", "jira_epic", JIRA_BAD, JIRA_GOOD),
    ("candidates_jira_ticket_format", "candidates", "jira_ticket", JIRA_BAD, JIRA_GOOD),
    (
        "transcripts_speaker_role_valid",
        "transcripts",
        "speaker_role",
        ["speaker_0", "HOST", "interviewer", "candidate", ""],
        ["host", "guest", None],
    ),
    ("transcripts_confidence_range", "transcripts", "confidence", [-1, 101], [0, 100, None]),
    ("transcripts_channel_index_check", "transcripts", "channel_index", [-1], [0, 1]),
    ("transcripts_run_check", "transcripts", "run", [-1], [0, 2]),
    (
        "ai_insights_type_valid",
        "ai_insights",
        "type",
        ["red_flag", "redflag", "warning", "Note", ""],
        ["red-flag", "green-flag", "suggestion", "note", "contradiction"],
    ),
    (
        "ai_insights_severity_valid",
        "ai_insights",
        "severity",
        ["error", "Critical", "high", ""],
        ["critical", "warning", "info", "success", None],
    ),
    (
        "ai_insights_sentiment_valid",
        "ai_insights",
        "sentiment",
        ["happy", "Positive", ""],
        ["positive", "negative", "neutral", "evasive", None],
    ),
    (
        "ai_insights_response_quality_range",
        "ai_insights",
        "response_quality",
        [0, 11, -3],
        [1, 10, None],
    ),
    *[
        (f"scorecards_{dim}_range", "scorecards", dim, [0, 11, -1, 100], [1, 10, None])
        for dim in ("attitude", "communication", "technical", "strategic", "leadership", "english")
    ],
    (
        "scorecards_overall_score_range",
        "scorecards",
        "overall_score",
        [0.0, 0.99, 10.01, 11.0, -5.0],
        [1.0, 5.5, 10.0, None],
    ),
    (
        "scorecards_recommendation_format",
        "scorecards",
        "recommendation",
        [
            "hire",
            "Hire: strong answers",
            "no hire: evasive",
            "strong_hire: great",
            "hire:no space",
            "maybe - unsure",
            " hire: leading space",
            "",
        ],
        ["hire: strong answers", "no_hire: evasive", "maybe: needs a second interview", None],
    ),
    (
        "scorecards_state_valid",
        "scorecards",
        "state",
        ["done", "READY", ""],
        ["pending", "generating", "ready", "failed"],
    ),
    (
        "scorecards_decision_valid",
        "scorecards",
        "decision",
        ["yes", "hire: good", "strong_hire", ""],
        ["hire", "no_hire", "maybe", None],
    ),
    ("scorecards_version_check", "scorecards", "version", [-1], [0, 3]),
    ("scorecard_versions_version_check", "scorecard_versions", "version", [-1], [0, 2]),
    ("interview_events_seq_check", "interview_events", "seq", [-1], [0, 5]),
    (
        "interview_events_type",
        "interview_events",
        "type",
        ["chat", "Transcript", ""],
        ["transcript", "insight", "roles", "interview", "scorecard"],
    ),
]


@committed
def test_the_database_refuses_every_value_a_check_forbids_and_takes_the_allowed_ones(rows):
    # One test for the whole table above: each transactional test costs a flush of
    # every table, and the failure list still names each broken rule.
    failures: list[str] = []
    for constraint, table, column, bad, good in CHECKS:
        row_id = rows[table]
        for value in good:
            try:
                update(table, row_id, column, value)
            except IntegrityError as exc:
                failures.append(f"{constraint}: {value!r} refused ({exc.__cause__})")
                continue
            if value_of(table, row_id, column) != value:
                failures.append(f"{constraint}: {value!r} did not read back")
        kept = value_of(table, row_id, column)
        for value in bad:
            try:
                update(table, row_id, column, value)
            except IntegrityError as exc:
                error = exc.__cause__
                if not isinstance(error, psycopg.errors.CheckViolation):
                    failures.append(f"{constraint}: {value!r} refused by {error!r}")
                elif error.diag.constraint_name != constraint:
                    failures.append(
                        f"{constraint}: {value!r} refused by {error.diag.constraint_name}"
                    )
            else:
                failures.append(f"{constraint}: {value!r} was accepted")
        if value_of(table, row_id, column) != kept:
            failures.append(f"{constraint}: a refused write changed the row")

    assert not failures, "\n".join(failures)


@catalogue
def test_every_check_constraint_of_the_project_is_exercised_above():
    """A CHECK added or dropped by a migration must show up here."""
    in_database = {
        name
        for (name,) in sql(
            """
            SELECT c.conname FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'c' AND t.relnamespace = current_schema()::regnamespace
              AND t.relname = ANY (%s)
            """,
            (list(PROJECT_TABLES),),
        )
    }

    assert in_database == {c[0] for c in CHECKS}


@committed
@pytest.mark.parametrize(
    ("table", "columns", "constraint"),
    [
        ("interviews", {"status": "paused"}, "interviews_status_valid"),
        ("ai_insights", {"type": "warning", "content": "x"}, "ai_insights_type_valid"),
        ("scorecards", {"technical": 11}, "scorecards_technical_range"),
        ("transcripts", {"text": "x", "confidence": 150}, "transcripts_confidence_range"),
    ],
    ids=["interview", "insight", "scorecard", "transcript"],
)
def test_an_insert_breaking_a_check_is_refused_and_leaves_nothing(rows, table, columns, constraint):
    parents = {
        "interviews": {"candidate_id": rows["candidates"], "interviewer_id": rows["users"]},
    }.get(table, {"interview_id": rows["interviews"]})
    if table == "scorecards":
        sql("DELETE FROM scorecards")  # one scorecard per interview
    before = count(table)

    error = refused(insert, table, **parents, **columns)

    assert error.diag.constraint_name == constraint
    assert count(table) == before


@committed
def test_bulk_create_cannot_skip_the_checks(rows):
    sql("DELETE FROM scorecards")
    interview_id = rows["interviews"]

    error = refused(
        Scorecard.objects.bulk_create, [Scorecard(interview_id=interview_id, english=0)]
    )
    assert error.diag.constraint_name == "scorecards_english_range"

    error = refused(
        AIInsight.objects.bulk_create,
        [
            AIInsight(interview_id=interview_id, type="note", content="fine"),
            AIInsight(interview_id=interview_id, type="note", content="bad", sentiment="angry"),
        ],
    )
    assert error.diag.constraint_name == "ai_insights_sentiment_valid"
    # The batch is one statement: the good row did not get in either.
    assert count("ai_insights", "content = 'fine'") == 0
    assert count("scorecards") == 0


@committed
def test_queryset_update_cannot_skip_the_checks(rows):
    interviews = Interview.objects.filter(pk=rows["interviews"])
    insights = AIInsight.objects.filter(pk=rows["ai_insights"])
    transcripts = Transcript.objects.filter(pk=rows["transcripts"])

    assert refused(interviews.update, status="paused").diag.constraint_name == (
        "interviews_status_valid"
    )
    assert refused(insights.update, response_quality=0).diag.constraint_name == (
        "ai_insights_response_quality_range"
    )
    assert refused(transcripts.update, speaker_role="speaker_1").diag.constraint_name == (
        "transcripts_speaker_role_valid"
    )
    assert value_of("interviews", rows["interviews"], "status") == "scheduled"


# --- Unique rules ------------------------------------------------------------------------


@committed
def test_an_interview_has_one_scorecard(rows):
    error = refused(insert, "scorecards", interview_id=rows["interviews"])

    assert isinstance(error, psycopg.errors.UniqueViolation)
    assert error.diag.constraint_name == "scorecards_interview_id_key"
    assert count("scorecards") == 1


@committed
def test_a_transcript_chunk_is_stored_once_per_identity(rows):
    identity = {"request_id": "req-1", "channel_index": 0, "start_ms": 0, "run": 0}

    error = refused(
        insert, "transcripts", interview_id=rows["interviews"], text="again", **identity
    )
    assert isinstance(error, psycopg.errors.UniqueViolation)
    assert error.diag.constraint_name == "transcripts_chunk_identity"

    # Any part of the identity that differs makes it another chunk.
    for change in ({"request_id": "req-2"}, {"channel_index": 1}, {"start_ms": 1500}, {"run": 1}):
        insert(
            "transcripts", interview_id=rows["interviews"], text="other", **{**identity, **change}
        )
    other_interview = insert(
        "interviews", candidate_id=rows["candidates"], interviewer_id=rows["users"]
    )
    insert("transcripts", interview_id=other_interview, text="same ids elsewhere", **identity)
    assert count("transcripts") == 6


@committed
def test_user_emails_are_unique_whatever_their_case(rows):
    error = refused(new_user, "Ana@EXAMPLE.com", "user_other")

    assert isinstance(error, psycopg.errors.UniqueViolation)
    assert error.diag.constraint_name == "users_email_ci_unique"
    new_user("ana.maria@example.com", "user_other")


@committed
def test_clerk_ids_are_unique(rows):
    error = refused(new_user, "someone@example.com", "user_2abc")

    assert isinstance(error, psycopg.errors.UniqueViolation)
    assert error.diag.constraint_name == "users_clerk_id_key"


@committed
def test_event_seq_and_scorecard_version_are_unique_per_parent(rows):
    error = refused(
        insert,
        "interview_events",
        interview_id=rows["interviews"],
        seq=1,
        type="insight",
        object_id=1,
        data={},
    )
    assert error.diag.constraint_name == "interview_events_seq"

    error = refused(
        insert, "scorecard_versions", scorecard_id=rows["scorecards"], version=1, snapshot={}
    )
    assert error.diag.constraint_name == "scorecard_versions_unique"


# --- Deletes: cascade, set null, restrict ----------------------------------------------

PRODUCED_BY_AN_INTERVIEW = ("transcripts", "ai_insights", "scorecards", "interview_events")


def _second_interview(rows: dict[str, int]) -> dict[str, int]:
    """Another candidate's interview, which no delete below may touch."""
    candidate = insert("candidates", name="Peter Smith")
    interview = insert("interviews", candidate_id=candidate, interviewer_id=rows["users"])
    transcript = insert("transcripts", interview_id=interview, text="Hello")
    insert("ai_insights", interview_id=interview, type="note", content="Greeting")
    scorecard = insert("scorecards", interview_id=interview)
    insert("scorecard_versions", scorecard_id=scorecard, version=1, snapshot={})
    insert(
        "interview_events",
        interview_id=interview,
        seq=1,
        type="transcript",
        object_id=transcript,
        data={},
    )
    return {"candidates": candidate, "interviews": interview}


def _left_of(interview_id: int) -> dict[str, int]:
    left = {t: count(t, "interview_id = %s", (interview_id,)) for t in PRODUCED_BY_AN_INTERVIEW}
    left["scorecard_versions"] = count(
        "scorecard_versions sv JOIN scorecards s ON s.id = sv.scorecard_id",
        "s.interview_id = %s",
        (interview_id,),
    )
    return left


@committed
def test_deleting_a_candidate_removes_their_interviews_and_all_they_produced(rows):
    other = _second_interview(rows)
    assert set(_left_of(rows["interviews"]).values()) == {1}

    sql("DELETE FROM candidates WHERE id = %s", (rows["candidates"],))

    assert count("interviews", "id = %s", (rows["interviews"],)) == 0
    assert _left_of(rows["interviews"]) == dict.fromkeys(
        (*PRODUCED_BY_AN_INTERVIEW, "scorecard_versions"), 0
    )
    assert set(_left_of(other["interviews"]).values()) == {1}
    assert count("users") == 1
    assert count("job_positions") == 1


@committed
def test_deleting_an_interview_removes_its_transcript_insights_scorecard_and_events(rows):
    other = _second_interview(rows)

    sql("DELETE FROM interviews WHERE id = %s", (rows["interviews"],))

    assert _left_of(rows["interviews"]) == dict.fromkeys(
        (*PRODUCED_BY_AN_INTERVIEW, "scorecard_versions"), 0
    )
    assert set(_left_of(other["interviews"]).values()) == {1}
    assert count("candidates", "id = %s", (rows["candidates"],)) == 1


@committed
def test_deleting_a_job_position_keeps_its_interviews_without_a_position(rows):
    sql("DELETE FROM job_positions WHERE id = %s", (rows["job_positions"],))

    assert count("interviews", "id = %s", (rows["interviews"],)) == 1
    assert value_of("interviews", rows["interviews"], "job_position_id") is None
    assert set(_left_of(rows["interviews"]).values()) == {1}


@committed
def test_deleting_a_transcript_row_keeps_the_insights_it_produced(rows):
    sql("DELETE FROM transcripts WHERE id = %s", (rows["transcripts"],))

    assert value_of("ai_insights", rows["ai_insights"], "transcript_id") is None


@committed
def test_deleting_a_user_without_interviews_keeps_the_scorecards_they_decided(rows):
    recruiter = new_user("rita@example.com")
    update("scorecards", rows["scorecards"], "decided_by_id", recruiter)
    insert("api_tokens", user_id=recruiter, name="ci", token_hash="f" * 64, prefix="ic_abcd")
    group = insert("auth_group", name="Recruiters")
    sql("INSERT INTO users_groups (user_id, group_id) VALUES (%s, %s)", (recruiter, group))

    sql("DELETE FROM users WHERE id = %s", (recruiter,))

    assert value_of("scorecards", rows["scorecards"], "decided_by_id") is None
    assert count("api_tokens") == 0
    assert count("users_groups") == 0
    assert count("auth_group") == 1


@committed
def test_deleting_a_user_with_interviews_is_refused_by_the_delete_statement_itself(rows):
    with transaction.atomic(), connection.cursor() as cursor:
        # Even asking for every constraint to wait until COMMIT: RESTRICT does not wait.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with pytest.raises(IntegrityError) as info:
            cursor.execute("DELETE FROM users WHERE id = %s", (rows["users"],))
        transaction.set_rollback(True)

    error = info.value.__cause__
    assert isinstance(error, psycopg.errors.ForeignKeyViolation)
    assert error.diag.table_name == "interviews"
    assert error.diag.constraint_name.startswith("interviews_interviewer_id")
    assert count("users", "id = %s", (rows["users"],)) == 1
    assert count("interviews") == 1


@committed
def test_the_orm_refuses_it_too(rows):
    with pytest.raises(ProtectedError):
        User.objects.get(pk=rows["users"]).delete()

    assert count("users", "id = %s", (rows["users"],)) == 1


# --- What pg_constraint says --------------------------------------------------------

# Every foreign key from or to a project table: (table, column) -> (referenced, rule).
# ON DELETE as the seed says; the added tables follow their parent; Django's own keys
# into and out of users cascade as the ORM's collector does.
EXPECTED_FOREIGN_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("interviews", "candidate_id"): ("candidates", "CASCADE"),
    ("interviews", "interviewer_id"): ("users", "RESTRICT"),
    ("interviews", "job_position_id"): ("job_positions", "SET NULL"),
    ("transcripts", "interview_id"): ("interviews", "CASCADE"),
    ("ai_insights", "interview_id"): ("interviews", "CASCADE"),
    ("ai_insights", "transcript_id"): ("transcripts", "SET NULL"),
    ("scorecards", "interview_id"): ("interviews", "CASCADE"),
    ("scorecards", "decided_by_id"): ("users", "SET NULL"),
    ("scorecard_versions", "scorecard_id"): ("scorecards", "CASCADE"),
    ("interview_events", "interview_id"): ("interviews", "CASCADE"),
    ("api_tokens", "user_id"): ("users", "CASCADE"),
    ("candidate_notices", "interview_id"): ("interviews", "CASCADE"),
    ("candidate_notices", "candidate_id"): ("candidates", "CASCADE"),
    ("candidate_notices", "recorded_by_id"): ("users", "SET NULL"),
    # (candidate_notices.notice_text_id -> notice_texts RESTRICT joins two tables
    # outside PROJECT_TABLES, so the catalogue query does not list it.)
    ("users_groups", "user_id"): ("users", "CASCADE"),
    ("users_groups", "group_id"): ("auth_group", "CASCADE"),
    ("users_user_permissions", "user_id"): ("users", "CASCADE"),
    ("users_user_permissions", "permission_id"): ("auth_permission", "CASCADE"),
    ("django_admin_log", "user_id"): ("users", "CASCADE"),
}
CONFDELTYPE = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


@catalogue
def test_every_foreign_key_has_the_delete_rule_the_seed_gives_it():
    """Django 5.2 creates every foreign key as NO ACTION and a later AlterField
    recreates it so: this is where a lost rule, or a new key nobody decided a rule
    for, shows up."""
    found = {}
    for table, columns, referenced, rule in sql(
        """
        SELECT t.relname, array_agg(a.attname::text), r.relname, c.confdeltype::text
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_class r ON r.oid = c.confrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
          AND (t.relname = ANY (%(tables)s) OR r.relname = ANY (%(tables)s))
        GROUP BY c.oid, t.relname, r.relname, c.confdeltype
        """,
        {"tables": list(PROJECT_TABLES)},
    ):
        assert len(columns) == 1, f"multi-column foreign key on {table}{columns}"
        found[(table, columns[0])] = (referenced, CONFDELTYPE[rule])

    unknown = {k: v for k, v in found.items() if k not in EXPECTED_FOREIGN_KEYS}
    assert not unknown, f"foreign keys nobody decided a delete rule for: {unknown}"
    assert found == EXPECTED_FOREIGN_KEYS


@catalogue
def test_the_restrict_rule_is_not_deferred():
    (deferrable,) = sql(
        """
        SELECT c.condeferrable FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.conrelid = 'interviews'::regclass
          AND a.attname = 'interviewer_id'
        """
    )[0]

    assert deferrable is False


# --- The seed's indexes and column defaults ----------------------------------------


@catalogue
def test_the_seeds_indexes_exist_with_their_names_and_columns():
    found = {
        name: (table, columns, partial)
        for name, table, columns, partial in sql(
            """
            SELECT i.relname, t.relname,
                   array_agg(a.attname::text ORDER BY k.ord), x.indpred IS NOT NULL
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
            WHERE i.relname = ANY (%s) AND i.relnamespace = current_schema()::regnamespace
            GROUP BY i.relname, t.relname, x.indpred IS NOT NULL
            """,
            (
                [
                    "idx_transcripts_interview_ts",
                    "idx_insights_interview_ts",
                    "idx_insights_interview_type",
                ],
            ),
        )
    }

    assert found == {
        "idx_transcripts_interview_ts": ("transcripts", ["interview_id", "timestamp"], False),
        "idx_insights_interview_ts": ("ai_insights", ["interview_id", "timestamp"], False),
        "idx_insights_interview_type": ("ai_insights", ["interview_id", "type"], False),
    }


def _row(table: str, row_id: int, columns: str) -> dict[str, Any]:
    names = [c.strip() for c in columns.split(",")]
    return dict(
        zip(names, sql(f"SELECT {columns} FROM {table} WHERE id = %s", (row_id,))[0], strict=True)
    )


@committed
def test_rows_inserted_with_only_the_seeds_required_columns_get_the_seeds_defaults():
    before = clock()
    user = new_user("ana@example.com")
    candidate = insert("candidates", name="Lucía Fernández")
    position = insert("job_positions", title="Backend Developer")
    interview = insert("interviews", candidate_id=candidate, interviewer_id=user)
    transcript = insert("transcripts", interview_id=interview, text="Hola")
    insight = insert("ai_insights", interview_id=interview, type="note", content="Saludo")
    scorecard = insert("scorecards", interview_id=interview)
    after = clock()

    def fresh(moment: datetime) -> bool:
        return before <= moment <= after

    got = _row("interviews", interview, "status, language, roles_assigned, created_at, updated_at")
    assert (got["status"], got["language"], got["roles_assigned"]) == ("scheduled", "es", False)
    assert fresh(got["created_at"]) and fresh(got["updated_at"])

    got = _row("job_positions", position, "status, created_at, updated_at")
    assert got["status"] == "open"
    assert fresh(got["created_at"]) and fresh(got["updated_at"])

    got = _row("transcripts", transcript, "is_interim, timestamp")
    assert got["is_interim"] is False
    assert fresh(got["timestamp"])

    got = _row("ai_insights", insight, "used, timestamp")
    assert got["used"] is False
    assert fresh(got["timestamp"])

    assert fresh(value_of("scorecards", scorecard, "updated_at"))
    assert fresh(value_of("candidates", candidate, "created_at"))
    assert fresh(value_of("users", user, "created_at"))


@committed
def test_a_seed_shaped_user_insert_works():
    user = insert("users", clerk_id="user_2xyz", email="eva@example.com", name="Eva")

    assert value_of("users", user, "is_active") is True
