from __future__ import annotations

import pytest
from django.utils import translation

from interviews.models import (
    AIInsight,
    InterviewEvent,
    Scorecard,
    ScorecardVersion,
    Transcript,
)
from interviews.scorecards.services import (
    ScorecardError,
    scorecard_adjust_score,
    scorecard_generate,
    scorecard_record_decision,
    scorecard_update_notes,
    scorecards_generate_due,
)
from interviews.tests.scorecard_support import (
    ScriptedProvider,
    completed_interview,
    failing,
    paraphrasing,
)
from tests.factories import AIInsightFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; Spanish is the default language.
    with translation.override("en"):
        yield


def scorecard_events(interview):
    return [
        e.data
        for e in InterviewEvent.objects.filter(interview=interview, type="scorecard").order_by(
            "seq"
        )
    ]


def test_generation_writes_scores_verdict_and_verbatim_evidence(interview):
    rows = completed_interview(interview)

    card = scorecard_generate(interview=interview, providers=[ScriptedProvider()])

    card.refresh_from_db()
    assert card.state == "ready"
    assert card.version == 1
    assert card.provider == "scripted"
    assert card.dimension_scores() == {
        "attitude": 8,
        "communication": 7,
        "technical": 9,
        "strategic": 6,
        "leadership": 5,
        "english": None,
    }
    assert card.ai_scores["technical"] == 9
    assert card.recommendation == "hire: scripted says hire"
    assert card.recommendation_verdict == "hire"
    assert card.strengths == [
        {
            "text": "Concrete migration with numbers",
            "quote": rows[1].text[:40],
            "transcript_id": rows[1].pk,
        }
    ]
    assert card.weaknesses == []
    assert card.summary.startswith("Lucía Fernández")
    assert card.generated_at is not None
    assert Scorecard.objects.filter(interview=interview).count() == 1


def test_a_dimension_without_evidence_is_left_out_of_the_overall_score(interview):
    completed_interview(interview)
    provider = ScriptedProvider(scores={"technical": 9, "communication": 6, "english": None})

    card = scorecard_generate(interview=interview, providers=[provider])

    assert card.english is None
    assert card.attitude is None
    # (9 + 6) / 2, not (9 + 6 + 0 ...) / 6
    assert card.overall_score == 7.5


def test_weights_from_the_job_position_shape_the_overall_score(interview):
    interview.job_position.requirements = {
        **interview.job_position.requirements,
        "weights": {"technical": 3, "communication": 1, "leadership": 0},
    }
    interview.job_position.save()
    completed_interview(interview)
    provider = ScriptedProvider(scores={"technical": 9, "communication": 5, "leadership": 2})

    card = scorecard_generate(interview=interview, providers=[provider])

    # (9*3 + 5*1 + 2*0) / 4 = 8.0; with equal weights it would be 5.3
    assert card.overall_score == 8.0


def test_without_weights_every_scored_dimension_counts_the_same(interview):
    completed_interview(interview)
    provider = ScriptedProvider(scores={"technical": 9, "communication": 5, "leadership": 2})

    card = scorecard_generate(interview=interview, providers=[provider])

    assert card.overall_score == 5.3


def test_only_a_completed_interview_gets_a_scorecard(interview):
    with pytest.raises(ScorecardError, match="completed"):
        scorecard_generate(interview=interview, providers=[ScriptedProvider()])
    assert not Scorecard.objects.filter(interview=interview).exists()


def test_the_provider_sees_the_whole_transcript_with_roles_and_only_counting_insights(interview):
    rows = completed_interview(interview)
    Transcript.objects.create(
        interview=interview, text="interim noise", speaker="speaker_0", is_interim=True
    )
    kept = AIInsightFactory(interview=interview, type="green-flag", content="Numbers given")
    AIInsightFactory(interview=interview, type="red-flag", content="Wrong call", dismissed=True)
    AIInsightFactory(
        interview=interview,
        type="note",
        severity="critical",
        topic="protected_question",
        content="Asked about family plans",
    )
    interview.analysis_state = {"scores": {"technical": 8}, "covered_requirements": ["Django"]}
    interview.save()
    provider = ScriptedProvider()

    scorecard_generate(interview=interview, providers=[provider])

    (context,) = provider.contexts
    assert [(u.transcript_id, u.role, u.text) for u in context.utterances] == [
        (r.pk, r.speaker_role, r.text) for r in rows
    ]
    assert [i["id"] for i in context.insights] == [kept.pk]
    assert context.state["scores"] == {"technical": 8}
    assert context.requirements["technical_skills"] == ["Python", "Django", "PostgreSQL"]
    assert context.cv_data["skills"][0]["name"] == "Python"
    assert context.candidate_name == "Lucía Fernández"
    assert context.language == "es"


def test_a_quote_that_is_not_verbatim_is_rejected_and_the_next_provider_writes_it(interview):
    completed_interview(interview)
    liar = paraphrasing()

    card = scorecard_generate(interview=interview, providers=[liar, ScriptedProvider("honest")])

    assert len(liar.contexts) == 2  # retried once, then the next provider
    assert card.state == "ready"
    assert card.provider == "honest"
    assert "(more or less)" not in card.strengths[0]["quote"]


def test_when_every_provider_fails_the_scorecard_is_failed_with_the_reason(interview):
    completed_interview(interview)

    card = scorecard_generate(interview=interview, providers=[paraphrasing(), failing()])

    card.refresh_from_db()
    assert card.state == "failed"
    assert "verbatim" in card.failure_reason
    assert "connection refused" in card.failure_reason
    assert card.recommendation is None
    assert card.version == 0


def test_generation_reports_generating_then_ready_on_the_live_feed(interview):
    completed_interview(interview)

    card = scorecard_generate(interview=interview, providers=[ScriptedProvider()])

    events = scorecard_events(interview)
    assert [e["state"] for e in events] == ["generating", "ready"]
    # The dimensions go out; the verdict waits for the person's decision.
    assert events[-1]["communication"] == card.communication
    assert events[-1]["overall_score"] is None and events[-1]["ai_hidden"]
    assert (
        InterviewEvent.objects.filter(interview=interview, type="scorecard").first().object_id
        == card.pk
    )


def test_a_failed_generation_reports_failed_with_the_reason_on_the_live_feed(interview):
    completed_interview(interview)

    scorecard_generate(interview=interview, providers=[failing()])

    events = scorecard_events(interview)
    assert [e["state"] for e in events] == ["generating", "failed"]
    assert "connection refused" in events[-1]["failure_reason"]


def test_an_interview_without_candidate_answers_fails_with_a_clear_reason(interview):
    completed_interview(interview, lines=[("speaker_1", "¿Me oyes?")])

    card = scorecard_generate(interview=interview, providers=[ScriptedProvider()])

    assert card.state == "failed"
    assert "no candidate answers" in card.failure_reason


def test_regeneration_keeps_notes_hand_scores_and_decision_and_saves_the_old_version(
    interview, alice
):
    completed_interview(interview)
    first = scorecard_generate(interview=interview, providers=[ScriptedProvider("first")])
    scorecard_update_notes(scorecard=first, notes="Muy buena comunicación en persona.")
    scorecard_adjust_score(scorecard=first, dimension="communication", value=10)
    scorecard_record_decision(scorecard=first, decision="hire", reason="Fits the team", by=alice)

    second = scorecard_generate(
        interview=interview,
        providers=[ScriptedProvider("second", verdict="maybe", scores={"communication": 4})],
    )

    second.refresh_from_db()
    assert second.pk == first.pk
    assert second.version == 2
    assert second.notes == "Muy buena comunicación en persona."
    assert second.manual_scores == {"communication": 10}
    assert second.ai_scores["communication"] == 4
    assert second.communication == 10  # the hand adjustment wins over the new AI score
    assert second.overall_score == 10.0
    assert second.recommendation == "maybe: second says maybe"
    assert (second.decision, second.decision_reason, second.decided_by) == (
        "hire",
        "Fits the team",
        alice,
    )
    (old,) = ScorecardVersion.objects.filter(scorecard=second)
    assert old.version == 1
    assert old.snapshot["recommendation"] == "hire: first says hire"
    assert old.snapshot["provider"] == "first"
    assert old.snapshot["ai_scores"]["technical"] == 9
    assert old.snapshot["notes"] == "Muy buena comunicación en persona."


def test_a_failed_regeneration_keeps_the_previous_content(interview):
    completed_interview(interview)
    scorecard_generate(interview=interview, providers=[ScriptedProvider()])

    card = scorecard_generate(interview=interview, providers=[failing()])

    card.refresh_from_db()
    assert card.state == "failed"
    assert card.recommendation == "hire: scripted says hire"
    assert card.technical == 9
    assert card.version == 1
    assert not ScorecardVersion.objects.filter(scorecard=card).exists()


def test_the_runner_step_generates_due_scorecards_once_analysis_is_done(interview):
    completed_interview(interview, analyzed=False)
    provider = ScriptedProvider()

    assert scorecards_generate_due(providers=[provider]) == 0  # chunks still pending
    Transcript.objects.filter(interview=interview).update(analyzed_at="2026-01-01T00:00:00Z")
    assert scorecards_generate_due(providers=[provider]) == 1
    assert scorecards_generate_due(providers=[provider]) == 0  # ready: not due again

    card = Scorecard.objects.get(interview=interview)
    assert card.state == "ready"
    assert len(provider.contexts) == 1


def test_the_runner_step_picks_up_a_pending_scorecard_but_leaves_failed_ones(interview):
    completed_interview(interview)
    scorecard_generate(interview=interview, providers=[failing()])
    provider = ScriptedProvider()

    assert scorecards_generate_due(providers=[provider]) == 0

    Scorecard.objects.filter(interview=interview).update(state="pending")
    assert scorecards_generate_due(providers=[provider]) == 1
    assert Scorecard.objects.get(interview=interview).state == "ready"


def test_the_runner_step_ignores_interviews_that_are_not_completed(interview):
    provider = ScriptedProvider()
    assert scorecards_generate_due(providers=[provider]) == 0
    assert not Scorecard.objects.exists()


def test_generation_never_counts_a_dismissed_insight_even_when_it_was_counted_before(
    interview,
):
    completed_interview(interview)
    flag = AIInsightFactory(interview=interview, type="red-flag", content="Vague")
    provider = ScriptedProvider()
    scorecard_generate(interview=interview, providers=[provider])
    AIInsight.objects.filter(pk=flag.pk).update(dismissed=True)

    scorecard_generate(interview=interview, providers=[provider])

    assert [len(c.insights) for c in provider.contexts] == [1, 0]
