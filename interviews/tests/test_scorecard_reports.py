from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from interviews.models import Scorecard
from interviews.scorecards.services import scorecard_generate, scorecard_record_decision
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview
from tests.factories import (
    AIInsightFactory,
    CandidateFactory,
    InterviewFactory,
    JobPositionFactory,
    ScorecardFactory,
)

pytestmark = pytest.mark.django_db


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
    AIInsightFactory(interview=interview, type="red-flag", content="Dismissed one", dismissed=True)
    AIInsightFactory(
        interview=interview,
        type="note",
        severity="critical",
        topic="protected_question",
        content="Protected question asked",
    )
    return scorecard_generate(interview=interview, providers=[ScriptedProvider()])


def test_the_report_shows_candidate_position_scorecard_flags_and_transcript(
    alice_client, alice, card
):
    # The AI's verdict shows once the interviewer has decided (test_decide_first.py).
    scorecard_record_decision(scorecard=card, decision="hire", reason="Strong", by=alice)
    response = alice_client.get(f"/interviews/{card.interview.pk}/report/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lucía Fernández" in page
    assert "Backend Developer" in page
    assert 'class="radar"' in page
    assert "scripted says hire" in page
    assert "Quantified impact" in page and "bajé la latencia un 40%" in page
    # A dismissed insight never counts: not a flag of the report, only listed as
    # dismissed in "How this assessment was made".
    flags_section = page.split('id="flags-h"')[1]
    assert "Dismissed one" not in flags_section
    assert "Dismissed one" in page.split('id="how-h"')[1].split('id="flags-h"')[0]
    assert "Protected question asked" not in page
    # Every transcript row, with its role and its offset into the interview.
    assert "Cuéntame un proyecto reciente con Django." in page
    assert "Con feature flags y despliegues azules y verdes" in page
    assert "00:15" in page
    assert "Candidato" in page or "Candidate" in page
    assert "/report.pdf" in page


def test_the_report_of_an_interview_without_scorecard_still_opens(alice_client, interview):
    response = alice_client.get(f"/interviews/{interview.pk}/report/")
    assert response.status_code == 200
    assert "Lucía Fernández" in response.content.decode()


def test_the_pdf_report_downloads_and_contains_the_candidate_and_the_verdict(
    alice_client, alice, card
):
    scorecard_record_decision(scorecard=card, decision="hire", reason="Strong", by=alice)
    response = alice_client.get(f"/interviews/{card.interview.pk}/report.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert f"interview-{card.interview.pk}-lucia-fernandez.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Lucía Fernández" in text
    assert "scripted says hire" in text
    assert "Con feature flags" in text


def test_markup_said_in_the_interview_is_printed_as_text_in_the_pdf(alice_client, interview):
    completed_interview(
        interview,
        lines=[
            ("speaker_1", "¿Tu web?"),
            ("speaker_0", '<img src="http://127.0.0.1:9/leak.png"> es mi web'),
        ],
    )
    response = alice_client.get(f"/interviews/{interview.pk}/report.pdf")
    assert response.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert '<img src="http://127.0.0.1:9/leak.png"> es mi web' in " ".join(text.split())


def read_csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_export_puts_the_human_decision_first(alice_client, alice, card):
    scorecard_record_decision(scorecard=card, decision="no_hire", reason="Budget", by=alice)

    response = alice_client.get("/scorecards/export.csv")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["decision", "decision_reason", "decided_by", "decided_at"]
    assert header.index("decision") < header.index("ai_recommendation")
    (row,) = read_csv(response)
    assert row["decision"] == "No contratar"  # in words, in the default language (es)
    assert row["decided_by"] == "alice@example.com"
    assert row["candidate"] == "Lucía Fernández"
    assert row["ai_recommendation"] == "Contratar"
    assert row["overall_score"] == "7.0"
    assert row["technical"] == "9"
    assert row["english"] == ""


def test_the_csv_export_applies_the_list_filters(alice_client, alice, card):
    other_position = JobPositionFactory(title="Data Engineer")
    old = InterviewFactory(
        interviewer=alice,
        candidate=CandidateFactory(name="Pedro Old"),
        job_position=other_position,
        status="completed",
        scheduled_at=timezone.now() - timedelta(days=40),
    )
    ScorecardFactory(interview=old, recommendation="no_hire: weak", decision="hire")
    today = timezone.localdate().isoformat()

    def names(query: str) -> list[str]:
        return [
            r["candidate"] for r in read_csv(alice_client.get(f"/scorecards/export.csv?{query}"))
        ]

    assert sorted(names("")) == ["Lucía Fernández", "Pedro Old"]
    assert names(f"position={other_position.pk}") == ["Pedro Old"]
    assert names("decision=hire") == ["Pedro Old"]
    assert names("decision=none") == ["Lucía Fernández"]
    assert names("recommendation=no_hire") == ["Pedro Old"]
    assert names(f"date_from={today}") == ["Lucía Fernández"]
    assert names(f"date_to={(timezone.localdate() - timedelta(days=30)).isoformat()}") == [
        "Pedro Old"
    ]
    assert names("status=completed&q=pedro") == ["Pedro Old"]
    # A stale or wrong filter value is ignored, not an error page.
    assert sorted(names("decision=strong_hire&date_from=yesterday")) == [
        "Lucía Fernández",
        "Pedro Old",
    ]


def test_the_csv_never_lets_a_cell_become_a_spreadsheet_formula(alice_client, alice, card):
    scorecard_record_decision(
        scorecard=card, decision="hire", reason='=HYPERLINK("http://x")', by=alice
    )

    (row,) = read_csv(alice_client.get("/scorecards/export.csv"))

    assert row["decision_reason"] == '\'=HYPERLINK("http://x")'


def test_the_csv_lists_every_scorecard_for_any_signed_in_interviewer(client, bob, card):
    client.force_login(bob)
    rows = read_csv(client.get("/scorecards/export.csv"))
    assert [r["interview_id"] for r in rows] == [str(card.interview.pk)]
    assert Scorecard.objects.count() == 1


def test_the_report_says_its_codes_in_words_and_fills_its_first_page_with_the_essentials(
    alice_client, card
):
    interview = card.interview
    AIInsightFactory(
        interview=interview,
        type="red-flag",
        severity="warning",
        topic="vague_answer",
        content="Vague on testing",
    )

    response = alice_client.get(f"/interviews/{interview.pk}/report/")

    page = response.content.decode()
    assert "Respuesta vaga" in page and "vague_answer" not in page
    # At a glance, before the scorecard: the flags that count and the requirements.
    glance, scorecard = page.index('id="glance-h"'), page.index('id="sc-h"')
    assert glance < scorecard
    counts = response.context["flag_counts"]
    assert counts["red_flag"] == 1 and counts["green_flag"] == 1  # the dismissed one never
    assert response.context["duration"]
