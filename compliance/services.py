"""Erasure, export and retention: the writes (and the one read) behind the
candidate's rights. Each is the one place its rule lives; the views and the
management commands call them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction, AuditEvent
from audit.services import audit_events_expire, audit_record
from candidates.models import Candidate
from interviews.models import (
    AIInsight,
    CandidateNotice,
    EventType,
    Interview,
    InterviewEvent,
    InterviewStatus,
    Scorecard,
    Transcript,
)
from interviews.scorecards.reports import report_pdf_bytes


class LegalHold(Exception):
    """The candidate is under legal hold: nothing about them may be erased."""

    def __str__(self) -> str:
        return _("This candidate is under legal hold: lift the hold before erasing them.")


def email_fingerprint(email: str | None) -> str:
    """SHA-256 of the lower-cased email: enough to answer "did you erase
    me?" later, without keeping the address."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest() if email else ""


# --- Erasure -----------------------------------------------------------------------


@transaction.atomic
def candidate_erase(*, candidate: Candidate, by=None, trigger: str = "request") -> AuditEvent:
    """Delete the candidate, their interviews and everything under them (the
    database cascades: transcripts, insights, scorecards and their versions, the
    event log, notices), then the stored CV file once the transaction commits.

    Leaves one audit entry: the candidate id and the email's fingerprint, nothing
    else about the person. Refused (LegalHold) under legal hold.
    """
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.legal_hold:
        raise LegalHold
    candidate_id = locked.pk
    fingerprint = email_fingerprint(locked.email)
    cv_name = locked.cv_file.name if locked.cv_file else ""
    storage = locked.cv_file.storage
    locked.delete()
    if cv_name:
        # After commit: a rolled-back erasure must still find its file.
        transaction.on_commit(lambda: storage.delete(cv_name))
    return audit_record(
        action=AuditAction.CANDIDATE_ERASED,
        actor=by,
        object_type="candidate",
        object_id=candidate_id,
        candidate_id=candidate_id,
        details={"email_sha256": fingerprint, "trigger": trigger},
    )


# --- Retention ---------------------------------------------------------------------


@dataclass
class RetentionReport:
    now: datetime
    dry_run: bool
    # (interview id, transcript rows, insights) whose transcript is past its time.
    transcripts: list[tuple[int, int, int]] = field(default_factory=list)
    candidates_erased: list[int] = field(default_factory=list)
    candidates_held: list[int] = field(default_factory=list)
    audit_removed: int = 0

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = [
            f"Retention run at {self.now.isoformat()} ({'dry run' if self.dry_run else 'applied'}):"
        ]
        for interview_id, transcripts, insights in self.transcripts:
            out.append(
                f"  interview {interview_id}: {verb} {transcripts} transcript rows "
                f"and {insights} insights"
            )
        for candidate_id in self.candidates_erased:
            out.append(f"  candidate {candidate_id}: {'would erase' if self.dry_run else 'erased'}")
        for candidate_id in self.candidates_held:
            out.append(f"  candidate {candidate_id}: due, but under legal hold (kept)")
        out.append(f"  audit entries: {verb} {self.audit_removed}")
        if len(out) == 2 and not self.audit_removed:
            out.insert(1, "  nothing is due.")
        return out


def _held() -> Q:
    return Q(candidate__legal_hold=True)


def transcripts_due(now: datetime):
    """Interviews over for TRANSCRIPT_RETENTION_DAYS that still hold a transcript,
    insights or their events (a cancelled interview is over when it was cancelled)."""
    cutoff = now - timedelta(days=settings.TRANSCRIPT_RETENTION_DAYS)
    has_text = (
        Exists(Transcript.objects.filter(interview=OuterRef("pk")))
        | Exists(AIInsight.objects.filter(interview=OuterRef("pk")))
        | Exists(
            InterviewEvent.objects.filter(
                interview=OuterRef("pk"), type__in=[EventType.TRANSCRIPT, EventType.INSIGHT]
            )
        )
    )
    return (
        Interview.objects.filter(
            Q(status=InterviewStatus.COMPLETED, completed_at__lt=cutoff)
            | Q(status=InterviewStatus.CANCELLED, updated_at__lt=cutoff)
        )
        .filter(has_text)
        .order_by("pk")
    )


def candidates_due(now: datetime):
    """Candidates whose last interview (or, without one, their creation) is older
    than CANDIDATE_RETENTION_DAYS."""
    cutoff = now - timedelta(days=settings.CANDIDATE_RETENTION_DAYS)
    recent = Interview.objects.filter(candidate=OuterRef("pk")).filter(
        Q(created_at__gte=cutoff) | Q(scheduled_at__gte=cutoff) | Q(completed_at__gte=cutoff)
    )
    return Candidate.objects.filter(created_at__lt=cutoff).exclude(Exists(recent)).order_by("pk")


@transaction.atomic
def retention_run(
    *, now: datetime | None = None, dry_run: bool = False, by=None
) -> RetentionReport:
    """Delete what has outlived its purpose, or with `dry_run` say what would go.

    Transcripts and insights (and the live feed's copies of them) of interviews
    over for TRANSCRIPT_RETENTION_DAYS; the scorecard, decision and notice stay.
    Candidates untouched for CANDIDATE_RETENTION_DAYS, erased as on request.
    Audit entries older than AUDIT_RETENTION_DAYS. Anyone under legal hold is
    skipped. Running it again changes nothing; every run leaves one audit entry.
    """
    now = now or timezone.now()
    report = RetentionReport(now=now, dry_run=dry_run)

    due = transcripts_due(now)
    held_interviews = set(due.filter(_held()).values_list("candidate_id", flat=True))
    for interview in due.exclude(_held()):
        transcripts = Transcript.objects.filter(interview=interview)
        insights = AIInsight.objects.filter(interview=interview)
        report.transcripts.append((interview.pk, transcripts.count(), insights.count()))
        if dry_run:
            continue
        insights.delete()
        transcripts.delete()
        # The feed's log repeats each row's text; the analysis state quotes claims.
        InterviewEvent.objects.filter(
            interview=interview, type__in=[EventType.TRANSCRIPT, EventType.INSIGHT]
        ).delete()
        Interview.objects.filter(pk=interview.pk).update(analysis_state={}, updated_at=now)

    for candidate in candidates_due(now):
        if candidate.legal_hold:
            report.candidates_held.append(candidate.pk)
            continue
        report.candidates_erased.append(candidate.pk)
        if not dry_run:
            candidate_erase(candidate=candidate, by=by, trigger="retention")
    report.candidates_held = sorted(set(report.candidates_held) | held_interviews)

    report.audit_removed = audit_events_expire(now=now, dry_run=dry_run)
    audit_record(
        action=AuditAction.RETENTION_RUN,
        actor=by,
        details={
            "dry_run": dry_run,
            "at": now.isoformat(),
            "interviews_cleared": [pk for pk, _t, _i in report.transcripts],
            "transcripts": sum(t for _pk, t, _i in report.transcripts),
            "insights": sum(i for _pk, _t, i in report.transcripts),
            "candidates_erased": report.candidates_erased,
            "candidates_held": report.candidates_held,
            "audit_removed": report.audit_removed,
            "days": {
                "transcripts": settings.TRANSCRIPT_RETENTION_DAYS,
                "candidates": settings.CANDIDATE_RETENTION_DAYS,
                "audit": settings.AUDIT_RETENTION_DAYS,
            },
        },
    )
    return report


# --- Export ------------------------------------------------------------------------


def _row(instance, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every concrete column of a row, foreign keys as ids."""
    row = {}
    for f in instance._meta.concrete_fields:
        if f.name in exclude:
            continue
        value = getattr(instance, f.attname)
        row[f.attname] = value.name or None if isinstance(value, FieldFile) else value
    return row


def candidate_export_data(candidate: Candidate) -> dict:
    """Everything stored about the candidate, as `candidate.json` holds it."""
    interviews = list(Interview.objects.filter(candidate=candidate).order_by("created_at", "pk"))
    ids = [i.pk for i in interviews]
    cards = {c.interview_id: c for c in Scorecard.objects.filter(interview_id__in=ids)}
    data = {
        "exported_at": timezone.now(),
        # Derived search keys are left out: they repeat the name, email and skills.
        "candidate": _row(candidate, exclude=("cv_data", "search_text", "skill_keys")),
        "cv_data": candidate.cv_data,
        "interviews": [],
        "audit_events": [
            _row(event)
            for event in AuditEvent.objects.about_candidate(candidate.pk, ids).order_by("at", "id")
        ],
    }
    for interview in interviews:
        card = cards.get(interview.pk)
        data["interviews"].append(
            {
                "interview": _row(interview),
                "notices": [
                    _row(n)
                    for n in CandidateNotice.objects.filter(interview=interview).order_by(
                        "recorded_at", "id"
                    )
                ],
                "transcripts": [
                    _row(t) for t in Transcript.objects.filter(interview=interview).chronological()
                ],
                "insights": [
                    _row(i)
                    for i in AIInsight.objects.filter(interview=interview).order_by(
                        "timestamp", "id"
                    )
                ],
                "scorecard": _row(card) if card else None,
                "scorecard_versions": [_row(v) for v in card.versions.all()] if card else [],
                "notes": card.notes if card else None,
                "decision": {
                    "decision": card.decision,
                    "reason": card.decision_reason,
                    "decided_by_id": card.decided_by_id,
                    "decided_at": card.decided_at,
                }
                if card and card.decision
                else None,
            }
        )
    return data


def candidate_export(*, candidate: Candidate, by, request=None) -> bytes:
    """The candidate's data as a zip: `candidate.json`, each interview's PDF
    report (as `by` may see it) and the uploaded CV. Audited."""
    data = candidate_export_data(candidate)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "candidate.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for item in data["interviews"]:
            interview = Interview.objects.with_people().get(pk=item["interview"]["id"])
            archive.writestr(
                f"interview-{interview.pk}.pdf",
                report_pdf_bytes(interview, viewer=by, request=request),
            )
        if candidate.cv_file:
            try:
                with candidate.cv_file.open("rb") as handle:
                    name = PurePosixPath(candidate.cv_file.name).name
                    archive.writestr(f"cv/{name}", handle.read())
            except FileNotFoundError:
                pass  # the row names a file that is gone: the JSON still says so
    audit_record(
        action=AuditAction.EXPORT_CANDIDATE,
        actor=by,
        object_type="candidate",
        object_id=candidate.pk,
        candidate_id=candidate.pk,
        details={"interviews": len(data["interviews"])},
    )
    return buffer.getvalue()
