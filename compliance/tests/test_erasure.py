"""Erasure on request: the candidate, their interviews and everything under them
and their CV file go; one audit entry with the id and the email's SHA-256 stays."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from candidates.models import Candidate
from interviews.models import (
    AIInsight,
    CandidateNotice,
    Interview,
    InterviewEvent,
    Scorecard,
    ScorecardVersion,
    Transcript,
)

pytestmark = pytest.mark.django_db(transaction=True)  # the CV goes after commit

FINGERPRINT = hashlib.sha256(b"ana.ruiz@example.com").hexdigest()


def everything_about(candidate_id: int, interview_ids: list[int]) -> dict[str, int]:
    return {
        "candidates": Candidate.objects.filter(pk=candidate_id).count(),
        "interviews": Interview.objects.filter(pk__in=interview_ids).count(),
        "transcripts": Transcript.objects.filter(interview_id__in=interview_ids).count(),
        "insights": AIInsight.objects.filter(interview_id__in=interview_ids).count(),
        "scorecards": Scorecard.objects.filter(interview_id__in=interview_ids).count(),
        "versions": ScorecardVersion.objects.filter(
            scorecard__interview_id__in=interview_ids
        ).count(),
        "events": InterviewEvent.objects.filter(interview_id__in=interview_ids).count(),
        "notices": CandidateNotice.objects.filter(interview_id__in=interview_ids).count(),
    }


def test_staff_confirm_then_everything_about_the_candidate_is_gone(
    client, charlie, ana, media_root
):
    ids = list(ana.interviews.values_list("pk", flat=True))
    cv_path = Path(media_root) / ana.cv_file.name
    assert cv_path.exists()
    assert everything_about(ana.pk, ids)["transcripts"] > 0
    client.force_login(charlie)

    page = client.get(f"/candidates/{ana.pk}/erase/")
    assert page.status_code == 200
    assert "Ana Ruiz" in page.content.decode() and 'name="confirm"' in page.content.decode()
    unconfirmed = client.post(f"/candidates/{ana.pk}/erase/", {"confirm": "yes"})
    assert unconfirmed.status_code == 400
    assert Candidate.objects.filter(pk=ana.pk).exists()

    response = client.post(f"/candidates/{ana.pk}/erase/", {"confirm": str(ana.pk)})

    assert response.status_code == 302 and response["Location"] == "/candidates/"
    assert set(everything_about(ana.pk, ids).values()) == {0}
    assert not cv_path.exists()
    erased = AuditEvent.objects.get(action="candidate.erased")
    assert (erased.candidate_id, erased.object_id, erased.actor) == (ana.pk, ana.pk, charlie)
    assert erased.details == {"email_sha256": FINGERPRINT, "trigger": "request"}
    assert erased.interview_id is None


def test_what_stays_in_the_audit_log_names_no_one(client, charlie, ana):
    client.force_login(charlie)
    client.post(f"/candidates/{ana.pk}/erase/", {"confirm": str(ana.pk)})

    import json

    trail = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    for personal in ("Ana", "Ruiz", "ana.ruiz", "Example.com", "Clear answers", "teletrabajo"):
        assert personal not in trail


def test_an_interviewer_may_not_erase(client, alice, ana):
    client.force_login(alice)

    assert client.get(f"/candidates/{ana.pk}/erase/").status_code == 403
    assert client.post(f"/candidates/{ana.pk}/erase/", {"confirm": str(ana.pk)}).status_code == 403
    assert Candidate.objects.filter(pk=ana.pk).exists()


def test_legal_hold_refuses_erasure_on_the_page_and_the_command(client, charlie, ana, media_root):
    Candidate.objects.filter(pk=ana.pk).update(legal_hold=True)
    client.force_login(charlie)

    response = client.post(f"/candidates/{ana.pk}/erase/", {"confirm": str(ana.pk)})
    assert response.status_code == 409
    assert "legal hold" in response.content.decode()
    with pytest.raises(CommandError, match="legal hold"):
        call_command("erase_candidate", str(ana.pk))

    assert Candidate.objects.filter(pk=ana.pk).exists()
    assert (Path(media_root) / ana.cv_file.name).exists()
    assert not AuditEvent.objects.filter(action="candidate.erased").exists()


def test_the_command_erases_and_says_what_it_kept(ana, media_root, capsys):
    ids = list(ana.interviews.values_list("pk", flat=True))

    call_command("erase_candidate", str(ana.pk))

    assert set(everything_about(ana.pk, ids).values()) == {0}
    assert not (Path(media_root) / ana.cv_file.name).exists()
    assert FINGERPRINT in capsys.readouterr().out
    assert AuditEvent.objects.get(action="candidate.erased").actor is None


def test_the_command_names_a_missing_candidate():
    with pytest.raises(CommandError, match="No candidate 999"):
        call_command("erase_candidate", "999")
