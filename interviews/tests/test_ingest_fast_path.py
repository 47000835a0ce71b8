"""The batched ingest path: API-token posts taken before Django and written by one
writer thread in group commits (interviews/live/ingest_http.py), and the batch service
under it (`transcript_ingest_many`).

The fast path must answer exactly as the Django view does; the view is the
reference, driven by the test client on a twin interview."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import api_token_create
from interview_companion.asgi import application
from interviews.live.ingest import (
    IngestItem,
    IngestOutcome,
    InterviewNotLive,
    parse_batch,
    transcript_ingest_many,
)
from interviews.live.ingest_http import Delivery, IngestWriter, Raced, wants_fast_path
from interviews.models import InterviewEvent, Transcript
from interviews.selectors import InterviewNotFound, NotAllowed
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory

pytestmark = pytest.mark.django_db(transaction=True)


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
    # Same start, so both connections get the same offsets.
    by_fast.started_at = by_view.started_at
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
    statuses = [
        fast_post(interview.pk, results("x", start=1.0), "ic_" + "B" * 40)[0] for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
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
    parsed, skipped = parse_batch(message)
    return Delivery(token, "127.0.0.1", interview.pk, parsed, skipped, loop=None, future=None)


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

    assert [(d.interview_id, len(d.parsed)) for d in first] == [(one.pk, 1), (two.pk, 1)]
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
