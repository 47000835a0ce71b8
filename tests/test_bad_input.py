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
