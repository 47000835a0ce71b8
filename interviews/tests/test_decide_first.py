"""The person decides first: the interviewer does not see the AI's recommendation
or overall score until they have recorded their own decision and reason; staff
always see both; a decision that differs from the AI's is shown. The scorecard and
the report say what the AI did and did not do, and the PDF how the assessment was
made."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from interviews.labels import recommendation_label
from interviews.live.payloads import scorecard_data
from interviews.models import InterviewEvent
from interviews.scorecards.services import scorecard_generate, scorecard_record_decision
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview
from tests.factories import AIInsightFactory

pytestmark = pytest.mark.django_db

VERDICT = "scripted says hire"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def card(interview):
    rows = completed_interview(interview)
    AIInsightFactory(
        interview=interview,
        transcript=rows[1],
        type="green-flag",
        content="Quantified impact",
        evidence="bajé la latencia un 40%",
    )
    AIInsightFactory(interview=interview, type="red-flag", content="Wrong flag", dismissed=True)
    return scorecard_generate(interview=interview, providers=[ScriptedProvider()])


def pages(client, card) -> dict[str, str]:
    interview = card.interview
    return {
        "panel": client.get(f"/interviews/{interview.pk}/").content.decode(),
        "report": client.get(f"/interviews/{interview.pk}/report/").content.decode(),
        "list": client.get("/interviews/").content.decode(),
        "pdf": pdf_text(client.get(f"/interviews/{interview.pk}/report.pdf").content),
        "csv": client.get("/scorecards/export.csv").content.decode("utf-8-sig"),
    }


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )


def csv_row(text: str) -> dict:
    (row,) = csv.DictReader(io.StringIO(text))
    return row


def test_the_interviewer_does_not_see_the_ai_verdict_before_deciding(alice_client, card):
    seen = pages(alice_client, card)

    for where in ("panel", "report", "pdf"):
        assert VERDICT not in seen[where], where
        assert "Hidden until the interviewer records a decision" in seen[where], where
    assert "Overall score" not in seen["report"]
    assert "Awaiting decision" in seen["list"]
    row = csv_row(seen["csv"])
    assert (row["ai_recommendation"], row["ai_justification"], row["overall_score"]) == ("", "", "")
    # The scores per dimension are evidence, not a verdict: they stay.
    assert row["technical"] == "9"


def test_another_interviewer_does_not_see_it_either(client, bob, card):
    client.force_login(bob)
    assert VERDICT not in client.get(f"/interviews/{card.interview_id}/report/").content.decode()


def test_staff_always_see_the_ai_verdict(client, charlie, card):
    client.force_login(charlie)
    seen = pages(client, card)

    for where in ("panel", "report", "pdf"):
        assert VERDICT in seen[where], where
    # The CSV says codes in words (interviews/labels.py), in the exporter's language.
    assert csv_row(seen["csv"])["ai_recommendation"] == recommendation_label("hire")


def test_after_deciding_the_interviewer_sees_it_and_a_difference_is_shown(
    alice_client, alice, card
):
    scorecard_record_decision(scorecard=card, decision="no_hire", reason="Budget", by=alice)
    seen = pages(alice_client, card)

    for where in ("panel", "report", "pdf"):
        assert VERDICT in seen[where], where
        assert "differs from the AI's recommendation" in seen[where], where
    row = csv_row(seen["csv"])
    assert (row["decision"], row["ai_recommendation"]) == (
        recommendation_label("no_hire"),
        recommendation_label("hire"),
    )
    assert row["overall_score"] != ""


def test_a_decision_that_agrees_with_the_ai_shows_no_difference(alice_client, alice, card):
    scorecard_record_decision(scorecard=card, decision="hire", reason="Strong", by=alice)

    assert "differs from the AI" not in pages(alice_client, card)["panel"]


def test_without_the_setting_everyone_sees_it_at_once(settings, alice_client, card):
    settings.AI_RECOMMENDATION_AFTER_DECISION = False

    assert VERDICT in pages(alice_client, card)["report"]


def test_the_scorecard_and_report_say_what_the_ai_did_and_did_not_do(alice_client, card):
    seen = pages(alice_client, card)

    for where in ("panel", "report", "pdf"):
        assert "What the AI did" in seen[where], where
        assert "What it did not do" in seen[where], where


def test_the_live_feed_carries_the_verdict_to_nobody_until_the_decision(
    client, alice, charlie, card
):
    """The live feed sends one payload to every viewer, so the verdict stays out of
    the page's first state and of the scorecard event itself until the decision;
    staff read it on the scorecard page meanwhile."""
    url = f"/interviews/{card.interview_id}/live/"
    for user in (alice, charlie):
        client.force_login(user)
        assert VERDICT not in client.get(url).content.decode(), user
    events = InterviewEvent.objects.filter(interview_id=card.interview_id, type="scorecard")
    sent = events.latest("seq").data
    assert (sent["recommendation"], sent["overall_score"], sent["ai_hidden"]) == ("", None, True)

    scorecard_record_decision(scorecard=card, decision="hire", reason="Strong", by=alice)

    sent = events.latest("seq").data
    assert VERDICT in sent["recommendation"] and sent["overall_score"] is not None
    client.force_login(alice)
    assert VERDICT in client.get(url).content.decode()


def test_without_the_setting_the_live_feed_carries_the_verdict(settings, card):
    settings.AI_RECOMMENDATION_AFTER_DECISION = False
    card.refresh_from_db()

    assert VERDICT in scorecard_data(card)["recommendation"]


def test_the_pdf_explains_how_the_assessment_was_made(alice_client, card):
    card.interview.job_position.requirements = {
        **card.interview.job_position.requirements,
        "weights": {"technical": 3},
    }
    card.interview.job_position.save()

    text = pdf_text(alice_client.get(f"/interviews/{card.interview_id}/report.pdf").content)

    how = text.split("How this assessment was made")[1].split("Flags")[0]
    assert "scripted" in how  # the provider
    assert "Prompt version" in how and "Model" in how
    assert "Python, Django, PostgreSQL" in how  # the requirements used
    assert "Technical 3" in how and "Communication 1" in how  # the weights
    assert "Quantified impact" in how and "bajé la latencia un 40%" in how  # counted, quoted
    dismissed = how.split("Insights dismissed")[1]
    assert "Wrong flag" in dismissed and "Quantified impact" not in dismissed
