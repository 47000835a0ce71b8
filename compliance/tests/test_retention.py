"""Retention that deletes, with time passed in (`now=`) rather than frozen:
exactly what is due goes, nothing under legal hold, one audit entry per run, and
a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from candidates.models import Candidate
from compliance.services import retention_run
from interviews.models import (
    AIInsight,
    CandidateNotice,
    Interview,
    InterviewEvent,
    Scorecard,
    Transcript,
)
from interviews.scorecards.services import scorecard_generate, scorecard_record_decision
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview
from tests.factories import AIInsightFactory, CandidateFactory, InterviewFactory

pytestmark = pytest.mark.django_db

# The run's clock, passed in. Rows are dated in the past from it (not the clock
# moved forward): PostgreSQL's trigger on audit_events judges age by its own now().
NOW = timezone.now().replace(microsecond=0)


def interview_completed(days_ago: int, *, candidate=None, alice=None, decide=True):
    interview = InterviewFactory(
        candidate=candidate or CandidateFactory(created_at=NOW - timedelta(days=days_ago + 30)),
        interviewer=alice,
        scheduled_at=NOW - timedelta(days=days_ago + 1),
    )
    rows = completed_interview(interview)
    AIInsightFactory(interview=interview, transcript=rows[1])
    InterviewEvent.objects.create(
        interview=interview, seq=99, type="transcript", object_id=rows[0].pk, data={"text": "x"}
    )
    card = scorecard_generate(interview=interview, providers=[ScriptedProvider()])
    if decide:
        scorecard_record_decision(scorecard=card, decision="hire", reason="ok", by=alice)
    Interview.objects.filter(pk=interview.pk).update(
        completed_at=NOW - timedelta(days=days_ago),
        created_at=NOW - timedelta(days=days_ago + 2),
    )
    return interview


def test_transcripts_and_insights_go_after_their_days_and_the_rest_stays(settings, alice):
    settings.TRANSCRIPT_RETENTION_DAYS = 180
    old = interview_completed(181, alice=alice)
    recent = interview_completed(179, alice=alice)

    report = retention_run(now=NOW)

    assert [pk for pk, _t, _i in report.transcripts] == [old.pk]
    assert not Transcript.objects.filter(interview=old).exists()
    assert not AIInsight.objects.filter(interview=old).exists()
    assert not InterviewEvent.objects.filter(interview=old, type="transcript").exists()
    # Kept: the scorecard with its decision, the notice, the interview itself.
    card = Scorecard.objects.get(interview=old)
    assert (card.decision, card.recommendation) == ("hire", "hire: scripted says hire")
    assert CandidateNotice.objects.filter(interview=old).exists()
    assert Interview.objects.filter(pk=old.pk).exists()
    # Not yet due.
    assert Transcript.objects.filter(interview=recent).exists()
    assert AIInsight.objects.filter(interview=recent).exists()


def test_candidates_go_after_their_days_from_the_last_interview_or_creation(settings, alice):
    settings.CANDIDATE_RETENTION_DAYS = 730
    gone = interview_completed(731, alice=alice).candidate
    # An old interview, but a newer one keeps the candidate.
    kept = interview_completed(900, alice=alice).candidate
    interview_completed(100, alice=alice, candidate=kept)
    never_interviewed_old = CandidateFactory(created_at=NOW - timedelta(days=731))
    never_interviewed_new = CandidateFactory(created_at=NOW - timedelta(days=10))

    report = retention_run(now=NOW)

    assert sorted(report.candidates_erased) == sorted([gone.pk, never_interviewed_old.pk])
    remaining = set(Candidate.objects.values_list("pk", flat=True))
    assert {kept.pk, never_interviewed_new.pk} <= remaining
    assert not {gone.pk, never_interviewed_old.pk} & remaining
    erased = AuditEvent.objects.filter(action="candidate.erased")
    assert {e.details["trigger"] for e in erased} == {"retention"}


def test_legal_hold_keeps_everything(settings, alice):
    held = interview_completed(1000, alice=alice)
    Candidate.objects.filter(pk=held.candidate_id).update(legal_hold=True)

    report = retention_run(now=NOW)

    assert report.candidates_held == [held.candidate_id]
    assert report.transcripts == [] and report.candidates_erased == []
    assert Candidate.objects.filter(pk=held.candidate_id).exists()
    assert Transcript.objects.filter(interview=held).exists()


def test_a_dry_run_changes_nothing_and_says_what_would_go(settings, alice, capsys):
    old = interview_completed(800, alice=alice)
    transcripts = Transcript.objects.filter(interview=old).count()

    call_command("retention_run", "--dry-run")
    report = retention_run(now=NOW, dry_run=True)

    assert Transcript.objects.filter(interview=old).count() == transcripts
    assert Candidate.objects.filter(pk=old.candidate_id).exists()
    lines = "\n".join(report.lines())
    assert f"interview {old.pk}: would remove {transcripts} transcript rows" in lines
    assert f"candidate {old.candidate_id}: would erase" in lines
    assert f"interview {old.pk}: would remove" in capsys.readouterr().out


def test_every_run_leaves_one_entry_and_a_second_run_changes_nothing(settings, alice):
    old = interview_completed(200, alice=alice)
    AuditEvent.objects.create(action="interview.viewed", at=NOW - timedelta(days=400))

    first = retention_run(now=NOW)
    state = (
        Transcript.objects.count(),
        AIInsight.objects.count(),
        Candidate.objects.count(),
        AuditEvent.objects.exclude(action="retention.run").count(),
    )
    second = retention_run(now=NOW)

    assert first.transcripts and first.audit_removed == 1
    assert second.transcripts == [] and second.candidates_erased == []
    assert second.audit_removed == 0
    assert state == (
        Transcript.objects.count(),
        AIInsight.objects.count(),
        Candidate.objects.count(),
        AuditEvent.objects.exclude(action="retention.run").count(),
    )
    runs = list(AuditEvent.objects.filter(action="retention.run").order_by("id"))
    assert len(runs) == 2
    assert runs[0].details["interviews_cleared"] == [old.pk]
    assert runs[0].details["audit_removed"] == 1
    assert runs[1].details["transcripts"] == 0
