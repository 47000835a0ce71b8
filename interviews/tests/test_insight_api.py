from __future__ import annotations

import json

import pytest

from interviews.models import InterviewEvent
from tests.factories import AIInsightFactory

pytestmark = pytest.mark.django_db


def patch(client, insight, body):
    return client.patch(
        f"/api/insights/{insight.pk}/", data=json.dumps(body), content_type="application/json"
    )


def test_marking_a_suggestion_used_answers_the_feed_shape_and_broadcasts(alice_client, interview):
    insight = AIInsightFactory(interview=interview, type="suggestion", severity="info")
    response = patch(alice_client, insight, {"used": True})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == insight.pk and body["data"]["used"] is True
    insight.refresh_from_db()
    assert insight.used is True
    event = InterviewEvent.objects.get(interview=interview, type="insight")
    # The event also says whether the page's flag count included the insight.
    assert event.object_id == insight.pk and event.data == {**body["data"], "was_counted": True}


def test_dismissing_keeps_the_insight_but_leaves_it_out_of_counting(alice_client, interview):
    from interviews.models import AIInsight

    insight = AIInsightFactory(interview=interview, type="red-flag", severity="warning")
    assert patch(alice_client, insight, {"dismissed": True}).status_code == 200
    assert AIInsight.objects.filter(pk=insight.pk).exists()
    assert not AIInsight.objects.counting().filter(pk=insight.pk).exists()


def test_an_unchanged_value_logs_nothing(alice_client, interview):
    insight = AIInsightFactory(interview=interview)
    patch(alice_client, insight, {"used": False})
    assert not InterviewEvent.objects.filter(type="insight").exists()


@pytest.mark.parametrize("body", [{}, {"used": "yes"}, {"score": 3}, [True], {"used": None}])
def test_bad_bodies_are_a_400(alice_client, interview, body):
    insight = AIInsightFactory(interview=interview)
    response = patch(alice_client, insight, body)
    assert response.status_code == 400
    assert response.json()["error"]


def test_another_interviewer_may_not_change_insights(client, bob, interview):
    insight = AIInsightFactory(interview=interview)
    client.force_login(bob)
    assert patch(client, insight, {"used": True}).status_code == 403
    insight.refresh_from_db()
    assert insight.used is False


def test_roles_can_be_swapped_and_rows_relabelled(alice_client, live_interview):
    from interviews.services import interview_set_roles
    from tests.factories import TranscriptFactory

    TranscriptFactory(interview=live_interview, speaker="speaker_0", text="¿Qué tal?")
    TranscriptFactory(interview=live_interview, speaker="speaker_1", text="Bien")
    interview_set_roles(
        interview=live_interview, host="speaker_0", guest="speaker_1", confidence=60
    )
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/roles/",
        data='{"swap": true}',
        content_type="application/json",
    )
    assert response.status_code == 200
    live_interview.refresh_from_db()
    assert live_interview.roles == {"host": "speaker_1", "guest": "speaker_0"}
    assert live_interview.roles_confidence == 100
    roles = dict(live_interview.transcripts.values_list("speaker", "speaker_role"))
    assert roles == {"speaker_0": "guest", "speaker_1": "host"}
    assert InterviewEvent.objects.filter(interview=live_interview, type="roles").count() == 2


def test_roles_need_two_different_speakers(alice_client, live_interview):
    response = alice_client.post(
        f"/api/interviews/{live_interview.pk}/roles/",
        data='{"host": "speaker_0", "guest": "speaker_0"}',
        content_type="application/json",
    )
    assert response.status_code == 400
