"""Property-based abuse of every JSON entry point: whatever arrives, the answer is
a clear 4xx (or a success), never a 5xx, and a refused request writes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.models import AIInsight, Interview, InterviewEvent, Transcript
from interviews.tests.deepgram_messages import results
from tests.factories import AIInsightFactory

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)

# Deepgram-shaped messages with one field replaced by anything.
FIELDS = ["type", "start", "duration", "is_final", "channel", "metadata", "channel_index"]


@st.composite
def mutated_results(draw):
    message = results(draw(st.text(max_size=40)), start=draw(st.floats(0, 1000)))
    key = draw(st.sampled_from(FIELDS))
    message[key] = draw(json_values)
    if draw(st.booleans()) and key != "channel":
        for word in message["channel"]["alternatives"][0]["words"][:1]:
            word[draw(st.sampled_from(["speaker", "start", "confidence", "word"]))] = draw(
                json_values
            )
    return message


def counts(interview: Interview) -> tuple[int, int, int]:
    return (
        Transcript.objects.filter(interview=interview).count(),
        InterviewEvent.objects.filter(interview=interview).count(),
        Interview.objects.get(pk=interview.pk).last_seq,
    )


def assert_clear_answer(response) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and body["error"].strip()


@given(body=st.one_of(json_values, mutated_results(), st.lists(mutated_results(), max_size=3)))
def test_ingest_answers_any_json_clearly_and_writes_nothing_when_refusing(
    alice_client, live_interview, body
):
    before = counts(live_interview)
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/transcripts/",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert_clear_answer(response)
    if response.status_code >= 400:
        assert counts(live_interview) == before


@given(raw=st.binary(max_size=200))
def test_ingest_answers_any_bytes_clearly(alice_client, live_interview, raw):
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/transcripts/",
        data=raw,
        content_type="application/json",
    )
    assert_clear_answer(response)


@given(body=json_values)
def test_transition_answers_any_json_clearly(alice_client, interview, body):
    before = Interview.objects.values_list("status", "last_seq").get(pk=interview.pk)
    response = alice_client.post(
        f"/api/interviews/{interview.pk}/transition/",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert_clear_answer(response)
    if response.status_code >= 400:
        assert Interview.objects.values_list("status", "last_seq").get(pk=interview.pk) == before


@given(body=json_values)
def test_insight_patch_answers_any_json_clearly(alice_client, interview, body):
    insight = AIInsightFactory(interview=interview)
    response = alice_client.patch(
        f"/api/insights/{insight.pk}/", data=json.dumps(body), content_type="application/json"
    )
    assert_clear_answer(response)
    if response.status_code >= 400:
        row = AIInsight.objects.get(pk=insight.pk)
        assert (row.used, row.dismissed) == (False, False)


@given(
    body=json_values
    | st.fixed_dictionaries(
        {"decision": json_values | st.sampled_from(["agreed", "declined"])},
        optional={"channel": json_values | st.sampled_from(["spoken", "written", "email"])},
    )
)
def test_notice_answers_any_json_clearly(alice_client, interview, body):
    from interviews.models import CandidateNotice

    before = (
        CandidateNotice.objects.filter(interview=interview).count(),
        Interview.objects.values_list("notice_decision", "last_seq").get(pk=interview.pk),
    )
    response = alice_client.post(
        f"/api/interviews/{interview.pk}/notice/",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert_clear_answer(response)
    if response.status_code >= 400:
        assert before == (
            CandidateNotice.objects.filter(interview=interview).count(),
            Interview.objects.values_list("notice_decision", "last_seq").get(pk=interview.pk),
        )


@given(body=json_values)
def test_roles_answer_any_json_clearly(alice_client, live_interview, body):
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/roles/",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert_clear_answer(response)


@given(
    payload=json_values,
    event_type=st.sampled_from(["user.created", "user.updated", "user.deleted", "x"]),
)
def test_signed_webhooks_of_any_shape_never_fail_with_a_5xx(client, settings, payload, event_type):
    import base64
    import secrets
    from datetime import UTC, datetime

    from svix.webhooks import Webhook

    from accounts.models import User

    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    settings.CLERK_WEBHOOK_SECRET = secret
    body = json.dumps({"type": event_type, "data": payload, "object": "event"})
    msg_id = "msg_" + secrets.token_hex(8)
    now = datetime.now(tz=UTC)
    signature = Webhook(secret).sign(msg_id, now, body)
    users_before = User.objects.count()
    response = client.post(
        "/webhooks/clerk/",
        data=body,
        content_type="application/json",
        headers={
            "svix-id": msg_id,
            "svix-timestamp": str(int(now.timestamp())),
            "svix-signature": signature,
        },
    )
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert User.objects.count() == users_before


# --- Shapes that once reached a 500 (issue 17) ----------------------------------------
# Nesting past what Python's JSON parser recurses through (RecursionError), and text
# PostgreSQL cannot store (NUL, a surrogate with no pair): the first failed on every
# database, the second on PostgreSQL only.

DEEP = "[" * 100_000 + "]" * 100_000
UNSTORABLE = ["\x00", "\ud800", "\udfff", "a\x00b", "x\udc80y"]


@st.composite
def deep_json(draw) -> bytes:
    """Arrays or objects nested from a little past the parser's limit to far past it,
    closed or cut short."""
    depth = draw(st.integers(min_value=900, max_value=150_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"a":', "}]")]))
    inner = draw(st.sampled_from(["1", '"x"', "[]", ""]))
    closing = closer * (depth if draw(st.booleans()) else draw(st.integers(0, depth)))
    return (opener * depth + inner + closing).encode()


unstorable_text = st.builds(
    lambda before, bad, after: before + bad + after,
    st.text(max_size=8),
    st.sampled_from(UNSTORABLE),
    st.text(max_size=8),
)


@st.composite
def unstorable_json(draw) -> bytes:
    """A JSON value with NUL or a lone surrogate somewhere: as a `\\u` escape, or (for
    a surrogate) as the raw UTF-8 bytes json.loads decodes with surrogatepass."""
    value = draw(json_values)
    bad = draw(unstorable_text)
    value = draw(
        st.sampled_from([bad, [value, bad], {"to": bad}, {bad: value}, {"host": bad, "guest": bad}])
    )
    if draw(st.booleans()):
        return json.dumps(value).encode()
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


API_POSTS = ["transition", "roles", "transcripts", "notice"]


def api_send(client, interview, insight, endpoint: str, raw: bytes):
    if endpoint == "insight":
        return client.patch(
            f"/api/insights/{insight.pk}/", data=raw, content_type="application/json"
        )
    return client.post(
        f"/api/interviews/{interview.pk}/{endpoint}/", data=raw, content_type="application/json"
    )


def api_state(interview, insight) -> tuple:
    row = AIInsight.objects.get(pk=insight.pk)
    return (
        counts(interview),
        Interview.objects.values_list("status", "roles", "notice_decision").get(pk=interview.pk),
        (row.used, row.dismissed),
    )


@pytest.mark.parametrize("endpoint", [*API_POSTS, "insight"])
def test_json_nested_a_hundred_thousand_deep_is_a_400_with_a_message(
    alice_client, live_interview, endpoint, settings
):
    settings.LANGUAGE_CODE = "en"  # the message is asserted in English
    insight = AIInsightFactory(interview=live_interview)
    before = api_state(live_interview, insight)

    response = api_send(alice_client, live_interview, insight, endpoint, DEEP.encode())

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]
    assert api_state(live_interview, insight) == before


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_a_chunk_with_nul_or_a_lone_surrogate_on_the_session_path_is_a_400(
    alice_client, live_interview, bad
):
    before = counts(live_interview)
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/transcripts/",
        data=json.dumps(results(f"hola {bad} mundo", start=1.0)),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    assert counts(live_interview) == before


@given(
    endpoint=st.sampled_from([*API_POSTS, "insight"]),
    raw=st.one_of(deep_json(), unstorable_json()),
)
def test_the_api_answers_deep_or_unstorable_json_clearly_and_writes_nothing(
    alice_client, live_interview, endpoint, raw
):
    insight = AIInsight.objects.filter(interview=live_interview).first() or AIInsightFactory(
        interview=live_interview
    )
    before = api_state(live_interview, insight)
    response = api_send(alice_client, live_interview, insight, endpoint, raw)
    assert_clear_answer(response)
    assert response.status_code == 400
    assert api_state(live_interview, insight) == before


@given(text=unstorable_text, start=st.floats(0, 1000))
def test_transcripts_with_unstorable_text_are_refused_and_write_nothing(
    alice_client, live_interview, text, start
):
    before = counts(live_interview)
    body = json.dumps([results(text, start=start)])
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/transcripts/",
        data=body,
        content_type="application/json",
    )
    assert_clear_answer(response)
    assert response.status_code == 400
    assert counts(live_interview) == before


# --- Uploads: a JSON Resume, a LinkedIn export, a Deepgram transcript ------------------


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@given(raw=st.one_of(deep_json(), unstorable_json()))
def test_a_json_resume_nested_too_deep_or_holding_nul_is_a_form_error(alice_client, raw):
    from candidates.models import Candidate

    before = Candidate.objects.count()
    response = alice_client.post(
        "/candidates/new/", {"name": "Ana Prueba", "cv": _upload("cv.json", raw)}
    )
    assert response.status_code == 200  # the form again, with the error by the field
    assert response.context["form"].errors["cv"]
    assert Candidate.objects.count() == before


def test_a_linkedin_export_with_a_200_kb_field_is_a_form_error(alice_client):
    from candidates.models import Candidate
    from candidates.tests.cv_samples import LINKEDIN_FILES, linkedin_zip

    profile = {**LINKEDIN_FILES["Profile.csv"][0], "Summary": "x" * 200_000}
    archive = linkedin_zip({**LINKEDIN_FILES, "Profile.csv": [profile]})

    response = alice_client.post(
        "/candidates/new/", {"name": "Ana Prueba", "cv": _upload("export.zip", archive)}
    )

    assert response.status_code == 200
    assert "LinkedIn" in " ".join(response.context["form"].errors["cv"])
    assert not Candidate.objects.exists()


@given(raw=st.one_of(deep_json(), unstorable_json()))
def test_a_transcript_import_nested_too_deep_or_holding_nul_is_refused(
    alice_client, interview, raw
):
    before = (Interview.objects.get(pk=interview.pk).status, counts(interview))
    response = alice_client.post(
        f"/interviews/{interview.pk}/import/", {"transcript": _upload("t.json", raw)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["transcript"]
    assert (Interview.objects.get(pk=interview.pk).status, counts(interview)) == before


# --- The Clerk webhook: validly signed, malformed --------------------------------------


def _signed_post(client, settings, body: bytes | str, msg_id: str | None = None):
    import base64
    import secrets
    from datetime import UTC, datetime

    from svix.webhooks import Webhook

    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    settings.CLERK_WEBHOOK_SECRET = secret
    body = body.decode() if isinstance(body, bytes) else body
    msg_id = msg_id or "msg_" + secrets.token_hex(8)
    now = datetime.now(tz=UTC)
    signature = Webhook(secret).sign(msg_id, now, body)
    return client.post(
        "/webhooks/clerk/",
        data=body,
        content_type="application/json",
        headers={
            "svix-id": msg_id,
            "svix-timestamp": str(int(now.timestamp())),
            "svix-signature": signature,
        },
    )


def _clerk_user_event(**changes) -> dict:
    from accounts.tests.conftest import clerk_event, clerk_user

    data = clerk_user()
    data.update(changes)
    return clerk_event("user.created", data)


@given(
    body=st.one_of(
        deep_json(),
        # svix signs text: a raw surrogate cannot be signed, so only `\u` escapes here.
        unstorable_json().filter(lambda raw: b"\xed" not in raw),
        unstorable_text.map(lambda t: json.dumps(_clerk_user_event(id="user_" + t))),
        unstorable_text.map(lambda t: json.dumps(_clerk_user_event(first_name=t))),
        st.integers(2**53, 10**40).map(lambda n: json.dumps(_clerk_user_event(updated_at=n))),
        st.integers(2**53, 10**40).map(lambda n: json.dumps(_clerk_user_event(created_at=n))),
        st.integers(2**53, 10**40).map(
            lambda n: json.dumps(
                {"type": "user.deleted", "timestamp": n, "data": {"id": "user_1", "object": "user"}}
            )
        ),
    )
)
def test_a_validly_signed_but_malformed_clerk_event_is_a_400(client, settings, body):
    from accounts.models import ProcessedWebhook, User

    before = (User.objects.count(), ProcessedWebhook.objects.count())
    response = _signed_post(client, settings, body)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"].startswith("Not a Clerk event")
    assert (User.objects.count(), ProcessedWebhook.objects.count()) == before


def test_a_signed_clerk_event_with_nul_in_its_svix_id_is_a_400(client, settings):
    response = _signed_post(client, settings, json.dumps(_clerk_user_event()), msg_id="msg_\x00")
    assert response.status_code == 400
    assert "svix-id" in response.json()["error"]
