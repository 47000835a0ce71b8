"""The batched ingest path: API-token posts taken before Django and written by one
writer thread in group commits (interviews/live/ingest_http.py), and the batch service
under it (`transcript_ingest_many`).

The fast path must answer exactly as the Django view does; the view is the
reference, driven by the test client on a twin interview."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import api_token_create
from interview_companion.asgi import application
from interviews.live.deepgram import ParsedResult, Segment
from interviews.live.ingest import (
    IngestItem,
    IngestOutcome,
    InterviewNotLive,
    parse_batch,
    transcript_ingest_many,
)
from interviews.live.ingest_http import (
    Delivery,
    IngestWriter,
    NotStorable,
    Raced,
    Refusal,
    WriteFailed,
    wants_fast_path,
)
from interviews.models import InterviewEvent, Transcript
from interviews.selectors import InterviewNotFound, NotAllowed
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_path_on(settings):
    """These tests are about the fast path itself: on, whatever INGEST_FAST_PATH the
    run has (CI runs the end-to-end ingest tests with it off as well)."""
    settings.INGEST_FAST_PATH = True


def live_for(user):
    from interviews.services import interview_transition

    return interview_transition(interview=InterviewFactory(interviewer=user), to="live")


def fast_post(interview_id, body, token, *, raw=None, headers=()):
    """A POST through the ASGI application (Daphne's view of the app)."""
    payload = raw if raw is not None else json.dumps(body).encode()
    communicator = HttpCommunicator(
        application,
        "POST",
        f"/api/interviews/{interview_id}/transcripts/",
        body=payload,
        headers=[
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            *headers,
        ],
    )
    response = async_to_sync(communicator.get_response)(timeout=10)
    headers = {k.decode().lower(): v.decode() for k, v in response["headers"]}
    return response["status"], json.loads(response["body"]), headers


def view_post(client, interview_id, body, token):
    response = client.post(
        f"/api/interviews/{interview_id}/transcripts/",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code, response.json()


SCENARIO = [
    results("Hola qué", is_final=False, start=1.0),
    results("Hola qué tal", is_final=False, start=1.0),
    results("Hola, ¿qué tal estás?", start=1.0),
    results("Hola, ¿qué tal estás?", start=1.0),  # re-delivered
    results("Tengo", is_final=False, start=4.0, speaker=1),
    results([(1, "Tengo"), (1, "cinco"), (0, "¿Cinco?"), (1, "Sí.")], start=4.0),
    results("eh", is_final=False, start=9.0),
    results([], start=9.0),  # the final says there was no speech
    [results("Uno", start=12.0), results("Dos", start=14.0, request_id="req-2")],
    {"type": "Metadata", "request_id": "req-1"},
]


def rows_of(interview):
    return [
        (r.request_id, r.start_ms, r.run, r.text, r.speaker, r.is_interim, r.offset_ms)
        for r in Transcript.objects.filter(interview=interview).order_by("offset_ms", "run")
    ]


def events_of(interview):
    return [
        (e.seq, e.type, e.data["text"], e.data["is_interim"], e.data.get("deleted", False))
        for e in InterviewEvent.objects.filter(interview=interview, type="transcript").order_by(
            "seq"
        )
    ]


def without_ids(body):
    return {**body, "transcripts": len(body["transcripts"])} if "transcripts" in body else body


def test_the_fast_path_answers_and_writes_as_the_django_view_does(client, alice):
    _row, token = api_token_create(user=alice, name="t")
    by_view, by_fast = live_for(alice), live_for(alice)
    # Same start, so both connections get the same offsets; a start still to come,
    # so every offset is the chunk's own start however slowly a loaded machine
    # gets to each post (a connection first heard after its audio began is placed
    # at the interview's elapsed time, which differs between the two posts).
    by_view.started_at = by_fast.started_at = timezone.now() + timedelta(minutes=5)
    by_view.save(update_fields=["started_at"])
    by_fast.save(update_fields=["started_at"])

    for message in SCENARIO:
        status, body = view_post(client, by_view.pk, message, token)
        fast_status, fast_body, _headers = fast_post(by_fast.pk, message, token)
        assert (fast_status, without_ids(fast_body)) == (status, without_ids(body)), message

    assert rows_of(by_fast) == rows_of(by_view)
    assert len(rows_of(by_fast)) == 6
    assert events_of(by_fast) == events_of(by_view)


def test_refusals_carry_the_same_status_and_message(client, alice, bob):
    _row, alice_token = api_token_create(user=alice, name="t")
    _row, bob_token = api_token_create(user=bob, name="t")
    interview = live_for(alice)
    scheduled = InterviewFactory(interviewer=alice)
    message = results("Hola", start=1.0)
    cases = [
        (interview.pk, message, bob_token, 403),  # not bob's interview
        (scheduled.pk, message, alice_token, 409),  # not live
        (interview.pk, [], alice_token, 400),
        (interview.pk, [message, 3], alice_token, 400),
        (interview.pk, message, "ic_" + "A" * 40, 401),
    ]
    for interview_id, body, token, expected in cases:
        status, answer = view_post(client, interview_id, body, token)
        fast_status, fast_answer, _ = fast_post(interview_id, body, token)
        assert status == fast_status == expected, (body, answer, fast_answer)
        assert fast_answer == answer
    # A missing interview: 404 with a message (the view answers with Django's page).
    status, answer, _ = fast_post(999_999, message, alice_token)
    assert status == 404 and answer["error"]
    assert not Transcript.objects.exists()


def test_bad_bodies_are_refused_before_anything_is_written(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _row, token = api_token_create(user=alice, name="t")
    interview = live_for(alice)

    status, answer, _ = fast_post(interview.pk, None, token, raw=b"{nope")
    assert status == 400 and "JSON válido" in answer["error"]
    status, answer, _ = fast_post(interview.pk, None, token, raw=b"")
    assert status == 400
    status, answer, _ = fast_post(interview.pk, results("x " * 400, start=1.0), token)
    assert status == 413 and answer["error"]
    assert not Transcript.objects.exists()


def test_repeated_bad_tokens_are_rate_limited_by_address(alice, settings):
    settings.AUTH_RATE_LIMIT = 3
    interview = live_for(alice)
    _row, good = api_token_create(user=alice, name="t")
    answers = [fast_post(interview.pk, results("x", start=1.0), "ic_" + "B" * 40) for _ in range(4)]
    assert [status for status, _a, _h in answers] == [401, 401, 401, 429]
    # How long to wait: the counter's window.
    assert answers[-1][2]["retry-after"] == str(settings.AUTH_RATE_WINDOW_SECONDS)
    assert not Transcript.objects.exists()
    # Over the budget, a valid token from that address is still written.
    status, answer, _ = fast_post(interview.pk, results("x", start=1.0), good)
    assert status == 201 and len(answer["transcripts"]) == 1


def test_replies_are_in_the_language_asked_for_and_carry_the_security_headers(alice):
    _row, token = api_token_create(user=alice, name="t")
    scheduled = InterviewFactory(interviewer=alice)
    body = results("Hola", start=1.0)

    _s, spanish, headers = fast_post(
        scheduled.pk, body, token, headers=[(b"accept-language", b"es")]
    )
    _s, english, _h = fast_post(scheduled.pk, body, token, headers=[(b"accept-language", b"en")])

    assert english["error"] == (
        "Transcripts are accepted only while the interview is live (it is “scheduled”)."
    )
    assert spanish["error"] == (
        "Solo se aceptan transcripciones mientras la entrevista está en directo («live»);"
        " ahora está «scheduled»."
    )
    assert headers["content-language"] == "es"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]


def scope(path="/api/interviews/1/transcripts/", method="POST", headers=()):
    return {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": "http",
        "headers": [(b"host", b"127.0.0.1"), *headers],
    }


def test_only_api_token_posts_take_the_fast_path(settings):
    token = (b"authorization", b"Bearer ic_" + b"A" * 40)
    assert wants_fast_path(scope(headers=[token]))
    assert not wants_fast_path(scope(headers=[]))  # a session: Django, CSRF and all
    assert not wants_fast_path(scope(headers=[(b"authorization", b"Bearer eyJhbGciOi")]))  # Clerk
    assert not wants_fast_path(scope(method="GET", headers=[token]))
    assert not wants_fast_path(scope(path="/api/interviews/1/roles/", headers=[token]))
    evil_host = scope(headers=[token])
    evil_host["headers"][0] = (b"host", b"evil.example")
    assert not wants_fast_path(evil_host)  # Django answers 400 for a host it does not serve
    settings.SECURE_SSL_REDIRECT = True
    assert not wants_fast_path(scope(headers=[token]))  # Django redirects plain HTTP
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert wants_fast_path(scope(headers=[token, (b"x-forwarded-proto", b"https")]))


def test_requests_without_an_api_token_still_reach_django(client):
    communicator = HttpCommunicator(
        application,
        "POST",
        "/api/interviews/1/transcripts/",
        body=b"{}",
        headers=[(b"host", b"127.0.0.1"), (b"content-type", b"application/json")],
    )
    response = async_to_sync(communicator.get_response)(timeout=10)
    # Django's answer: an anonymous POST fails its CSRF check first, which under
    # /api/ says 401 in JSON (interview_companion.views.csrf_failure).
    assert response["status"] == 401
    assert json.loads(response["body"]) == {"error": "Authentication required."}


# --- The batch service --------------------------------------------------------


def test_one_batch_writes_many_interviews_and_refuses_only_what_it_must(alice, bob):
    mine = [live_for(alice) for _ in range(3)]
    bobs = live_for(bob)
    scheduled = InterviewFactory(interviewer=alice)
    items = [IngestItem(iv.pk, *parse_batch(results("Hola", start=1.0)), user=alice) for iv in mine]
    items += [
        IngestItem(bobs.pk, *parse_batch(results("Hola", start=1.0)), user=alice),
        IngestItem(scheduled.pk, *parse_batch(results("Hola", start=1.0)), user=alice),
        IngestItem(999_999, *parse_batch(results("Hola", start=1.0))),
    ]

    outcomes = transcript_ingest_many(items)

    assert [type(o) for o in outcomes] == [IngestOutcome] * 3 + [
        NotAllowed,
        InterviewNotLive,
        InterviewNotFound,
    ]
    assert all(o.changed_anything for o in outcomes[:3])
    for iv in mine:
        assert [r[3] for r in rows_of(iv)] == ["Hola"]
        assert list(
            InterviewEvent.objects.filter(interview=iv).values_list("seq", flat=True)
        ) == list(range(1, InterviewEvent.objects.filter(interview=iv).count() + 1))
    assert not Transcript.objects.filter(interview__in=[bobs, scheduled]).exists()


def test_a_batch_costs_the_same_statements_for_2_or_40_interviews(alice):
    def statements(count, start):
        interviews = [live_for(alice) for _ in range(count)]
        items = [
            IngestItem(iv.pk, *parse_batch(results("Hola qué tal", start=start)))
            for iv in interviews
        ]
        with CaptureQueriesContext(connection) as queries:
            transcript_ingest_many(items)
        return len(queries)

    assert statements(2, 1.0) == statements(40, 1.0)


def test_two_deliveries_to_one_interview_cannot_share_a_batch(alice):
    interview = live_for(alice)
    items = [IngestItem(interview.pk, *parse_batch(results("a", start=1.0)))] * 2
    with pytest.raises(ValueError):
        transcript_ingest_many(items)


# --- The writer ---------------------------------------------------------------


def delivery(interview, token, message):
    body = json.dumps(message).encode()
    return Delivery(token, "127.0.0.1", interview.pk, body, "en", loop=None, future=None)


def test_the_writer_keeps_one_interview_s_deliveries_in_order_across_batches(alice):
    _row, token = api_token_create(user=alice, name="t")
    one, two = live_for(alice), live_for(alice)
    writer = IngestWriter()
    writer.pending.extend(
        [
            delivery(one, token, results("Hola", is_final=False, start=1.0)),
            delivery(one, token, results("Hola, buenas.", start=1.0)),
            delivery(two, token, results("Buenas", start=1.0)),
        ]
    )

    first = writer._take()
    second = writer._take()

    assert [d.interview_id for d in first] == [one.pk, two.pk]
    assert [d.interview_id for d in second] == [one.pk]
    writer.write(first)
    writer.write(second)
    assert [(r[3], r[5]) for r in rows_of(one)] == [("Hola, buenas.", False)]


@pytest.mark.postgres
def test_a_delivery_the_database_refuses_fails_alone_and_the_rest_of_its_batch_lands(alice):
    """A unique violation raised by PostgreSQL for one delivery (as when another
    server process stored the same chunk first) rolls back the batch; the writer
    retries the deliveries one by one, so only that one is refused (409, retry)."""
    _row, token = api_token_create(user=alice, name="t")
    interviews = [live_for(alice) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.text = 'boom' THEN
                RAISE EXCEPTION 'taken' USING ERRCODE = 'unique_violation';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_boom BEFORE INSERT ON transcripts
              FOR EACH ROW EXECUTE FUNCTION refuse_boom();
            """
        )
    try:
        batch = [
            delivery(interviews[0], token, results("uno", start=1.0)),
            delivery(interviews[1], token, results("boom", start=1.0)),
            delivery(interviews[2], token, results("tres", start=1.0)),
        ]
        outcomes = IngestWriter().write(batch)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_boom ON transcripts; DROP FUNCTION refuse_boom();")

    assert isinstance(outcomes[0], IngestOutcome) and outcomes[0].changed_anything
    assert isinstance(outcomes[1], Raced) and outcomes[1].status == 409
    assert isinstance(outcomes[2], IngestOutcome) and outcomes[2].changed_anything
    assert [r[3] for r in rows_of(interviews[0])] == ["uno"]
    assert rows_of(interviews[1]) == []
    assert not InterviewEvent.objects.filter(interview=interviews[1], type="transcript").exists()
    assert [r[3] for r in rows_of(interviews[2])] == ["tres"]


def refuse_boom_with(errcode: str):
    """A trigger making PostgreSQL refuse the row whose text is 'boom' with `errcode`:
    a failure the checks before the write cannot see."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.text = 'boom' THEN
                RAISE EXCEPTION 'refused' USING ERRCODE = '{errcode}';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_boom BEFORE INSERT ON transcripts
              FOR EACH ROW EXECUTE FUNCTION refuse_boom();
            """
        )


def drop_boom():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_boom ON transcripts; DROP FUNCTION refuse_boom();")


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("errcode", "refusal", "status"),
    [
        ("numeric_value_out_of_range", NotStorable, 400),  # a DataError
        ("P0001", WriteFailed, 500),  # any other database error
    ],
)
def test_any_database_error_of_one_delivery_is_its_answer_alone(alice, errcode, refusal, status):
    """Before: a DataError or any other database error was re-raised for the whole
    batch, and every delivery in it was answered 503."""
    _row, token = api_token_create(user=alice, name="t")
    interviews = [live_for(alice) for _ in range(3)]
    refuse_boom_with(errcode)
    try:
        outcomes = IngestWriter().write(
            [
                delivery(interviews[0], token, results("uno", start=1.0)),
                delivery(interviews[1], token, results("boom", start=1.0)),
                delivery(interviews[2], token, results("tres", start=1.0)),
            ]
        )
    finally:
        drop_boom()

    assert isinstance(outcomes[1], refusal) and outcomes[1].status == status
    assert str(outcomes[1])
    assert rows_of(interviews[1]) == []
    assert not InterviewEvent.objects.filter(interview=interviews[1], type="transcript").exists()
    for i, text in ((0, "uno"), (2, "tres")):
        assert isinstance(outcomes[i], IngestOutcome) and outcomes[i].changed_anything
        assert [r[3] for r in rows_of(interviews[i])] == [text]


def test_a_delivery_failing_outside_the_database_fails_alone(alice):
    """A value the checks missed that fails in Python (here a lone surrogate, which
    the driver cannot encode). Before: the one-by-one retry re-raised it, so the
    deliveries already written again were answered 500 though stored, and the rest
    were never written."""
    interviews = [live_for(alice) for _ in range(3)]
    unencodable = ParsedResult(
        [Segment("req-1", 0, 1000, 0, 2000, 1000, "hola \ud800", "speaker_0", 90, True)],
        True,
        "req-1",
        0,
        1000,
    )
    items = [IngestItem(iv.pk, *parse_batch(results("uno", start=1.0))) for iv in interviews]
    items[1] = IngestItem(interviews[1].pk, [unencodable])

    outcomes = IngestWriter()._ingest(items)

    assert isinstance(outcomes[1], Refusal) and outcomes[1].status in (400, 500)
    assert rows_of(interviews[1]) == []
    for i in (0, 2):
        assert isinstance(outcomes[i], IngestOutcome) and outcomes[i].changed_anything
        assert [r[3] for r in rows_of(interviews[i])] == ["uno"]


def test_an_invalid_token_is_refused_before_its_body_is_parsed(alice):
    interview = live_for(alice)
    status, answer, _ = fast_post(interview.pk, None, "ic_" + "C" * 40, raw=b"{nope")
    assert status == 401 and answer["error"]  # before: 400, the body parsed for anyone


def test_a_token_revoked_after_use_is_refused_at_its_next_delivery(alice):
    """A token seen valid has its bodies parsed on arrival; its authorization is
    still checked by the writer for every delivery."""
    row, token = api_token_create(user=alice, name="t")
    interview = live_for(alice)
    assert fast_post(interview.pk, results("Hola", start=1.0), token)[0] == 201
    assert fast_post(interview.pk, None, token, raw=b"{nope")[0] == 400  # parsed on arrival
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])

    status, answer, _ = fast_post(interview.pk, results("Adiós", start=3.0), token)
    assert status == 401 and answer["error"]
    assert fast_post(interview.pk, None, token, raw=b"{nope")[0] == 401  # no longer parsed first
    assert [r[3] for r in rows_of(interview)] == ["Hola"]


def test_a_full_writer_queue_answers_503_with_retry_after_and_stores_nothing(alice, settings):
    _row, token = api_token_create(user=alice, name="t")
    interview = live_for(alice)
    settings.INGEST_QUEUE_MAX = 0
    status, answer, headers = fast_post(interview.pk, results("Hola", start=1.0), token)
    assert status == 503 and int(headers["retry-after"]) > 0 and answer["error"]
    settings.INGEST_QUEUE_MAX = 1000
    settings.INGEST_QUEUE_MAX_BYTES = 10
    status, _answer, headers = fast_post(interview.pk, results("Hola", start=1.0), token)
    assert status == 503 and int(headers["retry-after"]) > 0
    assert not Transcript.objects.exists()
    settings.INGEST_QUEUE_MAX_BYTES = 1 << 20
    assert fast_post(interview.pk, results("Hola", start=1.0), token)[0] == 201


def test_the_writer_queue_is_bounded_by_deliveries_and_bytes(alice, settings):
    settings.INGEST_QUEUE_MAX = 2
    interviews = [live_for(alice) for _ in range(3)]
    queue = IngestWriter()
    queue.thread = threading.Thread(target=lambda: None)  # no writer: the queue only fills
    queue.thread.is_alive = lambda: True
    assert [queue.submit(delivery(iv, "t", results("Hola"))) for iv in interviews] == [
        True,
        True,
        False,
    ]
    queue._take()
    assert queue.pending_bytes == 0
    settings.INGEST_QUEUE_MAX_BYTES = 100
    assert not queue.submit(delivery(interviews[0], "t", results("Hola")))  # ~600 bytes


def test_with_the_fast_path_off_every_post_goes_to_django(client, alice, settings):
    settings.INGEST_FAST_PATH = False
    token = (b"authorization", b"Bearer ic_" + b"A" * 40)
    assert not wants_fast_path(scope(headers=[token]))
    _row, token = api_token_create(user=alice, name="t")
    interview = live_for(alice)
    status, answer, headers = fast_post(interview.pk, results("Hola", start=1.0), token)
    assert status == 201 and len(answer["transcripts"]) == 1
    # Django's middleware answered (the fast path sets its own, shorter, set of headers).
    assert "permissions-policy" in headers and "cache-control" not in headers
