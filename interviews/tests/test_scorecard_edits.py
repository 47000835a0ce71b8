from __future__ import annotations

import pytest
from django.utils import translation

from interviews.models import InterviewEvent, Scorecard
from interviews.scorecards.services import (
    ScorecardError,
    scorecard_adjust_score,
    scorecard_ensure,
    scorecard_generate,
    scorecard_record_decision,
    scorecard_update_notes,
)
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; Spanish is the default language.
    with translation.override("en"):
        yield


@pytest.fixture
def card(interview):
    completed_interview(interview)
    return scorecard_generate(interview=interview, providers=[ScriptedProvider()])


def test_a_hand_adjustment_overrides_the_ai_score_and_moves_the_overall(card):
    before = card.overall_score

    card = scorecard_adjust_score(scorecard=card, dimension="leadership", value=10)

    card.refresh_from_db()
    assert card.leadership == 10
    assert card.ai_scores["leadership"] == 5
    assert card.manual_scores == {"leadership": 10}
    assert card.overall_score == 8.0  # (8 + 7 + 9 + 6 + 10) / 5
    assert card.overall_score != before


def test_removing_a_hand_adjustment_gives_the_dimension_back_to_the_ai(card):
    scorecard_adjust_score(scorecard=card, dimension="leadership", value=10)

    card = scorecard_adjust_score(scorecard=card, dimension="leadership", value=None)

    card.refresh_from_db()
    assert card.leadership == 5
    assert card.manual_scores == {}
    assert card.overall_score == 7.0


def test_a_hand_score_can_fill_a_dimension_the_ai_left_empty(card):
    card = scorecard_adjust_score(scorecard=card, dimension="english", value=6)

    assert card.english == 6
    assert card.overall_score == 6.8  # (8 + 7 + 9 + 6 + 5 + 6) / 6


@pytest.mark.parametrize("value", [0, 11, 7.5, True, "8"])
def test_a_hand_score_outside_1_to_10_is_refused(card, value):
    with pytest.raises(ScorecardError):
        scorecard_adjust_score(scorecard=card, dimension="technical", value=value)
    card.refresh_from_db()
    assert card.technical == 9
    assert card.manual_scores == {}


def test_an_unknown_dimension_is_refused(card):
    with pytest.raises(ScorecardError, match="Unknown dimension"):
        scorecard_adjust_score(scorecard=card, dimension="charisma", value=5)


def test_the_decision_is_recorded_apart_from_the_ai_recommendation(card, alice):
    card = scorecard_record_decision(
        scorecard=card, decision="no_hire", reason="Salary expectations", by=alice
    )

    card.refresh_from_db()
    assert card.decision == "no_hire"
    assert card.decision_reason == "Salary expectations"
    assert card.decided_by == alice
    assert card.decided_at is not None
    assert card.recommendation == "hire: scripted says hire"


def test_a_decision_needs_a_known_verdict_and_a_reason(card, alice):
    with pytest.raises(ScorecardError):
        scorecard_record_decision(scorecard=card, decision="strong_hire", reason="x", by=alice)
    with pytest.raises(ScorecardError, match="reason"):
        scorecard_record_decision(scorecard=card, decision="hire", reason="  ", by=alice)
    card.refresh_from_db()
    assert card.decision is None


def test_an_empty_decision_withdraws_it(card, alice):
    scorecard_record_decision(scorecard=card, decision="maybe", reason="Second round", by=alice)

    card = scorecard_record_decision(scorecard=card, decision="", reason="", by=alice)

    card.refresh_from_db()
    assert (card.decision, card.decision_reason, card.decided_by) == (None, "", None)


def test_notes_can_be_taken_before_any_scorecard_is_generated(interview):
    card = scorecard_ensure(interview=interview)

    card = scorecard_update_notes(scorecard=card, notes="  Llega puntual.  ")

    card.refresh_from_db()
    assert card.notes == "Llega puntual."
    assert card.state == "pending"
    assert Scorecard.objects.filter(interview=interview).count() == 1
    assert scorecard_ensure(interview=interview).pk == card.pk


def test_every_edit_is_a_scorecard_event_on_the_live_feed(card, alice):
    before = InterviewEvent.objects.filter(type="scorecard").count()

    scorecard_update_notes(scorecard=card, notes="n")
    scorecard_adjust_score(scorecard=card, dimension="technical", value=3)
    scorecard_record_decision(scorecard=card, decision="maybe", reason="r", by=alice)

    events = list(InterviewEvent.objects.filter(type="scorecard").order_by("seq"))[before:]
    assert [(e.data["notes"], e.data["technical"], e.data["decision"]) for e in events] == [
        ("n", 9, None),
        ("n", 3, None),
        ("n", 3, "maybe"),
    ]
