from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from interviews.models import InterviewEvent, Scorecard, ScorecardVersion
from interviews.scorecards.services import scorecard_adjust_score, scorecard_generate
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English; Spanish is the default language.
    settings.LANGUAGE_CODE = "en"


def url(interview, action):
    return f"/interviews/{interview.pk}/scorecard/{action}/"


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def card(interview):
    completed_interview(interview)
    return scorecard_generate(interview=interview, providers=[ScriptedProvider()])


def test_the_interviewer_regenerates_the_scorecard_with_the_configured_provider(
    alice_client, interview
):
    completed_interview(interview)

    response = alice_client.post(url(interview, "regenerate"))

    assert response.status_code == 302
    assert response["Location"] == f"/interviews/{interview.pk}/#scorecard"
    card = Scorecard.objects.get(interview=interview)
    assert card.state == "ready"
    assert card.provider == "builtin"
    assert card.version == 1
    assert any("version 1" in m for m in shown(response))
    states = [
        e.data["state"]
        for e in InterviewEvent.objects.filter(interview=interview, type="scorecard")
    ]
    assert states == ["generating", "ready"]


def test_regenerating_an_interview_that_is_not_completed_says_why(alice_client, interview):
    response = alice_client.post(url(interview, "regenerate"))

    assert response.status_code == 302
    assert any("completed" in m for m in shown(response))
    assert not Scorecard.objects.filter(interview=interview).exists()


@pytest.mark.parametrize(
    "action,data",
    [
        ("regenerate", {}),
        ("notes", {"notes": "bob was here"}),
        ("adjust", {"dimension": "technical", "value": "1"}),
        ("decision", {"decision": "no_hire", "reason": "bob says no"}),
        ("jira", {}),
    ],
)
def test_another_interviewer_cannot_change_the_scorecard(client, bob, card, action, data):
    client.force_login(bob)

    response = client.post(url(card.interview, action), data)

    assert response.status_code == 403
    after = Scorecard.objects.get(pk=card.pk)
    assert (after.version, after.notes, after.technical, after.decision) == (1, None, 9, None)


def test_staff_may_change_any_scorecard(client, charlie, card):
    client.force_login(charlie)

    response = client.post(url(card.interview, "notes"), {"notes": "Revisado por RR. HH."})

    assert response.status_code == 302
    assert Scorecard.objects.get(pk=card.pk).notes == "Revisado por RR. HH."


def test_the_forms_need_a_csrf_token(alice, card):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(url(card.interview, "notes"), {"notes": "no token"})

    assert response.status_code == 403
    assert Scorecard.objects.get(pk=card.pk).notes is None


def test_the_actions_only_answer_post(alice_client, card):
    assert alice_client.get(url(card.interview, "regenerate")).status_code == 405
    assert alice_client.get(url(card.interview, "decision")).status_code == 405


def test_notes_can_be_written_before_the_interview_has_a_scorecard(alice_client, interview):
    response = alice_client.post(url(interview, "notes"), {"notes": "Buena primera impresión"})

    assert response.status_code == 302
    card = Scorecard.objects.get(interview=interview)
    assert (card.notes, card.state) == ("Buena primera impresión", "pending")


def test_a_score_is_adjusted_by_hand_and_given_back_to_the_ai(alice_client, card):
    alice_client.post(url(card.interview, "adjust"), {"dimension": "leadership", "value": "9"})
    card.refresh_from_db()
    assert (card.leadership, card.manual_scores) == (9, {"leadership": 9})

    response = alice_client.post(url(card.interview, "adjust"), {"dimension": "leadership"})

    card.refresh_from_db()
    assert (card.leadership, card.manual_scores) == (5, {})
    assert any("AI" in m for m in shown(response))


def test_an_out_of_range_hand_score_is_refused_with_a_message(alice_client, card):
    response = alice_client.post(
        url(card.interview, "adjust"), {"dimension": "technical", "value": "11"}
    )

    assert response.status_code == 302
    assert shown(response)
    card.refresh_from_db()
    assert card.technical == 9


def test_the_decision_needs_a_reason(alice_client, card):
    response = alice_client.post(url(card.interview, "decision"), {"decision": "hire"})

    assert any("reason" in m for m in shown(response))
    card.refresh_from_db()
    assert card.decision is None


def test_the_decision_is_recorded_with_who_decided(alice_client, alice, card):
    alice_client.post(
        url(card.interview, "decision"), {"decision": "maybe", "reason": "Segunda ronda técnica"}
    )

    card.refresh_from_db()
    assert (card.decision, card.decision_reason, card.decided_by) == (
        "maybe",
        "Segunda ronda técnica",
        alice,
    )


def test_a_safe_next_url_is_followed_and_an_outside_one_ignored(alice_client, card):
    inside = alice_client.post(url(card.interview, "notes"), {"notes": "x", "next": "/interviews/"})
    outside = alice_client.post(
        url(card.interview, "notes"), {"notes": "x", "next": "https://evil.example/"}
    )

    assert inside["Location"] == "/interviews/"
    assert outside["Location"].startswith(f"/interviews/{card.interview.pk}/")


def test_the_interview_page_shows_the_panel_with_both_verdicts_and_hand_adjustments(
    alice_client, alice, card
):
    scorecard_adjust_score(scorecard=card, dimension="technical", value=4)
    alice_client.post(
        url(card.interview, "decision"), {"decision": "no_hire", "reason": "Falta de Kubernetes"}
    )

    page = alice_client.get(f"/interviews/{card.interview.pk}/").content.decode()

    assert 'id="scorecard"' in page
    assert "Falta de Kubernetes" in page  # the interviewer's decision
    assert "scripted says hire" in page  # the AI's recommendation beside it
    assert page.count('class="hand"') == 1  # technical, adjusted by hand
    assert "<svg" in page and 'class="radar"' in page
    assert f'action="/interviews/{card.interview.pk}/scorecard/regenerate/"' in page


def test_another_interviewer_sees_the_panel_without_its_forms(client, bob, card):
    client.force_login(bob)

    page = client.get(f"/interviews/{card.interview.pk}/").content.decode()

    assert 'id="scorecard"' in page
    assert "scorecard/regenerate/" not in page
    assert "scorecard/notes/" not in page


def test_the_history_page_shows_every_earlier_version(client, charlie, card):
    scorecard_generate(
        interview=card.interview, providers=[ScriptedProvider("second", verdict="no_hire")]
    )
    client.force_login(charlie)  # staff see the AI's verdicts before any decision

    response = client.get(url(card.interview, "history"))

    assert response.status_code == 200
    page = response.content.decode()
    assert ScorecardVersion.objects.filter(scorecard=card).count() == 1
    assert "no_hire: second says no_hire" in page  # current
    assert "hire: scripted says hire" in page  # version 1, replaced


def test_the_history_of_an_interview_without_scorecard_is_not_found(alice_client, interview):
    assert alice_client.get(url(interview, "history")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, card):
    response = client.get(f"/interviews/{card.interview.pk}/report/")
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign" in response["Location"]
