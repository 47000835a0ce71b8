from __future__ import annotations

import json

import pytest

from interviews.models import Interview, InterviewEvent

pytestmark = pytest.mark.django_db


def transition(client, interview, to):
    return client.post(
        f"/api/interviews/{interview.pk}/transition/",
        data=json.dumps({"to": to}),
        content_type="application/json",
    )


def test_going_live_sets_started_at_and_logs_the_change(alice_client, interview):
    response = transition(alice_client, interview, "live")
    assert response.status_code == 200
    interview.refresh_from_db()
    assert interview.status == "live"
    assert interview.started_at is not None
    event = InterviewEvent.objects.get(interview=interview)
    assert (event.type, event.seq, event.data["status"]) == ("interview", 1, "live")


def test_completing_sets_completed_at(alice_client, interview):
    transition(alice_client, interview, "live")
    response = transition(alice_client, interview, "completed")
    assert response.status_code == 200
    interview.refresh_from_db()
    assert interview.status == "completed" and interview.completed_at >= interview.started_at


def test_a_transition_to_the_current_status_is_a_no_op(alice_client, interview):
    transition(alice_client, interview, "live")
    interview.refresh_from_db()
    started = interview.started_at
    again = transition(alice_client, interview, "live")
    interview.refresh_from_db()
    assert again.status_code == 200
    assert interview.started_at == started
    assert InterviewEvent.objects.filter(interview=interview).count() == 1


@pytest.mark.parametrize(
    ("path", "to"),
    [
        (["live", "completed"], "live"),
        (["live", "completed"], "cancelled"),
        (["cancelled"], "live"),
        ([], "completed"),
    ],
)
def test_illegal_transitions_answer_409_and_change_nothing(alice_client, interview, path, to):
    for step in path:
        assert transition(alice_client, interview, step).status_code == 200
    before = Interview.objects.get(pk=interview.pk)
    response = transition(alice_client, interview, to)
    assert response.status_code == 409
    assert response.json()["error"]
    after = Interview.objects.get(pk=interview.pk)
    assert (after.status, after.last_seq) == (before.status, before.last_seq)


@pytest.mark.parametrize("body", [{"to": "paused"}, {"to": "scheduled"}, {}, [], {"to": 3}])
def test_unknown_targets_are_a_400(alice_client, interview, body):
    response = alice_client.post(
        f"/api/interviews/{interview.pk}/transition/",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "error" in response.json()


def test_only_the_interviewer_or_staff_may_change_the_status(client, bob, charlie, interview):
    client.force_login(bob)
    assert transition(client, interview, "live").status_code == 403
    client.force_login(charlie)
    assert transition(client, interview, "live").status_code == 200


def test_an_unknown_interview_is_a_404(alice_client):
    response = alice_client.post(
        "/api/interviews/424242/transition/", data='{"to": "live"}', content_type="application/json"
    )
    assert response.status_code == 404


def test_anonymous_api_calls_get_a_json_401(client, interview):
    response = transition(client, interview, "live")
    assert response.status_code == 401
    assert response.json()["error"]


def test_session_calls_need_the_csrf_token(alice, interview):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert transition(client, interview, "live").status_code == 403
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_api_tokens_authenticate_without_csrf(alice, interview):
    from django.test import Client

    from accounts.services import api_token_create

    _row, token = api_token_create(user=alice)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/interviews/{interview.pk}/transition/",
        data='{"to": "live"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
