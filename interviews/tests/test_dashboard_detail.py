"""The interview detail page: transcript (latest 200, older on demand), insights
timeline with filters, talk time, topics, flags, scorecard panel."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import Transcript
from interviews.tests.dashboard_support import (
    MAX_PAGE_QUERIES,
    assert_queries,
    completed_interview,
    queries_for,
)
from tests.factories import AIInsightFactory, ScorecardFactory, TranscriptFactory

pytestmark = pytest.mark.django_db


def detail(interview) -> str:
    return reverse("interviews:detail", args=[interview.pk])


def transcript_rows(interview, n: int, start=None) -> list[Transcript]:
    start = start or timezone.now() - timedelta(hours=1)
    return Transcript.objects.bulk_create(
        Transcript(
            interview=interview,
            timestamp=start + timedelta(seconds=k),
            text=f"línea {k}",
            speaker=f"speaker_{k % 2}",
            speaker_role="host" if k % 2 == 0 else "guest",
            request_id=f"r{k}",
            duration_ms=1000,
        )
        for k in range(n)
    )


def test_anonymous_visitor_is_sent_to_sign_in(client, interview):
    response = client.get(detail(interview))
    assert response.status_code == 302


def test_another_interviewer_may_read_but_gets_no_controls(client, bob, interview):
    client.force_login(bob)
    response = client.get(detail(interview))
    assert response.status_code == 200
    assert response.context["can_change"] is False
    assert reverse("interviews:status", args=[interview.pk]) not in response.content.decode()


def test_the_interviewer_sees_start_and_cancel(alice_client, interview):
    html = alice_client.get(detail(interview)).content.decode()
    assert reverse("interviews:status", args=[interview.pk]) in html
    assert reverse("interviews:live", args=[interview.pk]) in html


def test_missing_interview_is_404(alice_client):
    assert alice_client.get(reverse("interviews:detail", args=[999999])).status_code == 404


def test_transcript_shows_speaker_roles_and_times(alice_client, interview):
    TranscriptFactory(interview=interview, text="¿Qué hiciste con Django?", speaker_role="host")
    TranscriptFactory(interview=interview, text="Cinco años de APIs.", speaker_role="guest")

    html = alice_client.get(detail(interview)).content.decode()

    assert "¿Qué hiciste con Django?" in html
    assert 'class="role-host' in html and 'class="role-guest' in html
    assert '<time class="when"' in html


def test_transcript_shows_the_latest_200_rows_and_loads_older_ones(alice_client, interview):
    rows = transcript_rows(interview, 450)

    response = alice_client.get(detail(interview))
    shown = response.context["transcript"]
    assert [r.pk for r in shown] == [r.pk for r in rows[-200:]]
    assert response.context["has_older"] is True
    older_url = reverse("interviews:transcript_older", args=[interview.pk])
    assert f"{older_url}?before={rows[250].pk}" in response.content.decode()

    fragment = alice_client.get(older_url, {"before": rows[250].pk})
    assert fragment.status_code == 200
    assert [r.pk for r in fragment.context["transcript"]] == [r.pk for r in rows[50:250]]
    assert f"before={rows[50].pk}" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()

    last = alice_client.get(older_url, {"before": rows[50].pk})
    assert [r.pk for r in last.context["transcript"]] == [r.pk for r in rows[:50]]
    assert "data-load-older" not in last.content.decode()


def test_older_rows_endpoint_refuses_a_bad_cursor(alice_client, interview):
    url = reverse("interviews:transcript_older", args=[interview.pk])
    assert alice_client.get(url, {"before": "abc"}).status_code == 400


def test_talk_time_is_the_share_of_speech_by_role(alice_client, interview):
    TranscriptFactory(interview=interview, speaker_role="host", duration_ms=30_000)
    TranscriptFactory(interview=interview, speaker_role="guest", duration_ms=90_000)
    # Interim rows are superseded text, not extra speech.
    TranscriptFactory(
        interview=interview, speaker_role="guest", duration_ms=60_000, is_interim=True
    )

    talk = alice_client.get(detail(interview)).context["talk"]

    assert (talk["host_pct"], talk["guest_pct"]) == (25, 75)
    assert talk["guest_ms"] == 90_000


def test_topics_covered_come_from_the_analysis_state(alice_client, interview):
    interview.analysis_state = {"covered_requirements": ["Django"]}
    interview.save()

    topics = alice_client.get(detail(interview)).context["topics"]

    assert {"name": "Django", "key": "django", "covered": True} in topics
    assert {"name": "PostgreSQL", "key": "postgresql", "covered": False} in topics


def test_flag_counts_leave_dismissed_insights_out(alice_client, interview):
    AIInsightFactory(interview=interview, type="red-flag", severity="warning")
    AIInsightFactory(interview=interview, type="red-flag", severity="warning", dismissed=True)
    AIInsightFactory(interview=interview, type="green-flag")

    flags = alice_client.get(detail(interview)).context["flags"]

    assert flags["red_flag"] == 1
    assert flags["green_flag"] == 1
    assert flags["dismissed"] == 1


def test_insights_timeline_filters_by_type_and_severity(alice_client, interview):
    AIInsightFactory(interview=interview, type="red-flag", severity="critical", content="Evasivo")
    AIInsightFactory(interview=interview, type="red-flag", severity="warning", content="Vago")
    AIInsightFactory(interview=interview, type="green-flag", content="Concreto")

    by_type = alice_client.get(detail(interview), {"type": "red-flag"})
    both = alice_client.get(detail(interview), {"type": "red-flag", "severity": "critical"})

    assert {i.content for i in by_type.context["insights"].object_list} == {"Evasivo", "Vago"}
    assert [i.content for i in both.context["insights"].object_list] == ["Evasivo"]
    assert "Concreto" not in both.content.decode()


def test_scorecard_is_shown_with_decision_and_recommendation(alice_client, alice, position):
    done = completed_interview(interviewer=alice, position=position, score=6.4)
    card = done.scorecard
    card.decision = "maybe"
    card.summary = "Buen nivel técnico."
    card.save()

    html = alice_client.get(detail(done)).content.decode()

    assert "Buen nivel técnico." in html
    assert 'id="scorecard"' in html or 'id="sc-h"' in html


def test_detail_runs_the_same_queries_for_small_and_large_interviews(
    alice_client, alice, position, django_assert_num_queries
):
    small = completed_interview(interviewer=alice, position=position)
    large = completed_interview(interviewer=alice, position=position)
    transcript_rows(large, 300)
    for _ in range(60):
        AIInsightFactory(interview=large, type="red-flag")

    count = queries_for(alice_client, detail(small))
    assert count <= MAX_PAGE_QUERIES
    assert_queries(django_assert_num_queries, alice_client, detail(large), count)


def test_a_scorecard_generating_is_said_so(alice_client, alice, interview):
    ScorecardFactory(interview=interview, state="generating", overall_score=None)
    response = alice_client.get(detail(interview))
    assert response.status_code == 200


def test_insights_show_their_codes_in_words_and_their_place_in_the_interview(
    alice_client, interview
):
    interview.started_at = timezone.now() - timedelta(minutes=10)
    interview.save()
    answer = TranscriptFactory(interview=interview, offset_ms=125_000, speaker_role="guest")
    AIInsightFactory(
        interview=interview,
        type="red-flag",
        severity="warning",
        topic="vague_answer",
        response_quality=3,
        transcript=answer,
    )
    AIInsightFactory(
        interview=interview, type="suggestion", severity="info", topic="requirement:django"
    )

    html = alice_client.get(detail(interview)).content.decode()
    timeline = html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", timeline)  # what a person reads

    # Spanish by default: no code, every word translated.
    for code in ("vague_answer", "requirement", "red-flag", "warning", "Warning", "Red flag"):
        assert code not in text, code
    assert "Respuesta vaga" in text and "Requisito: Django" in text
    assert "Calidad de la respuesta 3/10" in text
    assert ">02:05</time>" in timeline  # the answer's place in the interview, mm:ss


def test_one_speakers_consecutive_rows_read_as_one_turn(alice_client, interview):
    first = TranscriptFactory(interview=interview, speaker="speaker_1", offset_ms=1000)
    second = TranscriptFactory(interview=interview, speaker="speaker_1", offset_ms=4000)
    other = TranscriptFactory(interview=interview, speaker="speaker_0", offset_ms=9000)

    html = alice_client.get(detail(interview)).content.decode()

    def classes(row) -> str:
        return html.split(f'id="t-{row.pk}" class="', 1)[1].split('"', 1)[0]

    assert "cont" not in classes(first).split()
    assert "cont" in classes(second).split()
    assert "cont" not in classes(other).split()
    assert "Hablante 2" in html  # an unassigned speaker_1, counted from one
