"""Writes to scorecards: generation from the whole interview, the interviewer's
notes, hand adjustments and decision.

Generation runs in three steps so a slow AI provider never holds a lock: a short
transaction marks the scorecard `generating` (and tells live pages), the provider
chain runs with no transaction open, and a second short transaction writes the
result. Every transaction locks the interview row first, then the scorecard row,
the order every writer of an interview uses, so concurrent regenerations queue
instead of deadlocking, and none of them can create a second row.

Generation owns the AI's columns only. `notes`, `manual_scores` and the decision
are written by the interviewer's services alone, so no regeneration, however it
interleaves with an edit, can lose the interviewer's words.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_interview
from interviews.analysis.base import ScorecardContext, ScorecardDraft, Utterance
from interviews.analysis.chain import (
    AllProvidersFailed,
    call_with_failover,
    configured_providers,
    provider_model,
)
from interviews.analysis.validation import validate_scorecard
from interviews.live.events import Change, events_append
from interviews.live.payloads import insight_data, scorecard_data, scorecard_fields
from interviews.models import (
    SCORE_DIMENSIONS,
    AIInsight,
    EventType,
    Interview,
    InterviewStatus,
    NoticeDecision,
    Recommendation,
    Scorecard,
    ScorecardState,
    ScorecardVersion,
    Transcript,
)

logger = logging.getLogger(__name__)

# A scorecard left `generating` this long belongs to a worker that died: the
# runner takes it over. Far above any provider chain's timeouts.
STALE_GENERATING = timedelta(minutes=10)
# Completed interviews the runner generates per pass, so one pass stays short.
DUE_PER_PASS = 20
MAX_NOTES = 20_000
MAX_REASON = 4_000


class ScorecardError(Exception):
    """A scorecard request that cannot be honoured (shown to the user as is)."""


# --- Pure helpers ---------------------------------------------------------------


def dimension_weights(requirements: Mapping | None) -> dict[str, float]:
    """Weights per dimension from `requirements["weights"]`, equal by default.

    A dimension the position does not weigh counts 1, like the default, so a
    position that only stresses "technical: 3" does not silently drop the rest.
    Anything that is not a number of zero or more is ignored rather than trusted.
    """
    given = (requirements or {}).get("weights") or {}
    weights: dict[str, float] = {}
    for dim in SCORE_DIMENSIONS:
        value = given.get(dim, 1) if isinstance(given, Mapping) else 1
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            value = 1
        weights[dim] = float(value)
    return weights


def overall_score(scores: Mapping[str, int | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean over the dimensions that have a score, to one decimal.

    A dimension without evidence is left out rather than counted as zero. If every
    scored dimension weighs zero, the mean falls back to equal weights: a score
    exists, so the overall must too.
    """
    scored = {dim: value for dim, value in scores.items() if value is not None}
    if not scored:
        return None
    total_weight = sum(weights.get(dim, 1.0) for dim in scored)
    if total_weight <= 0:
        mean = sum(scored.values()) / len(scored)
    else:
        mean = sum(value * weights.get(dim, 1.0) for dim, value in scored.items()) / total_weight
    return min(10.0, max(1.0, round(mean, 1)))


def effective_scores(ai_scores: Mapping, manual_scores: Mapping) -> dict[str, int | None]:
    """The interviewer's adjustment where there is one, else the AI's score."""
    return {
        dim: manual_scores[dim] if manual_scores.get(dim) is not None else ai_scores.get(dim)
        for dim in SCORE_DIMENSIONS
    }


def _apply_scores(card: Scorecard, requirements: Mapping | None) -> None:
    scores = effective_scores(card.ai_scores or {}, card.manual_scores or {})
    for dim, value in scores.items():
        setattr(card, dim, value)
    card.overall_score = overall_score(scores, dimension_weights(requirements))


def _requirements(interview: Interview) -> dict:
    return (interview.job_position.requirements or {}) if interview.job_position_id else {}


def _snapshot(card: Scorecard) -> dict:
    """Every column of the scorecard as it stands, for the history table."""
    return {
        **scorecard_fields(card),
        "ai_scores": card.ai_scores,
        "provider": card.provider,
        "generated_at": card.generated_at.isoformat() if card.generated_at else None,
        "decided_by_id": card.decided_by_id,
        "decided_at": card.decided_at.isoformat() if card.decided_at else None,
    }


def _entries(entries) -> list[dict]:
    return [
        {"text": entry.text, "quote": entry.quote, "transcript_id": entry.transcript_id}
        for entry in entries
    ]


def _run(coro_factory):
    """Run a coroutine from sync code, also when the caller's thread has a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


# --- Locking and events ---------------------------------------------------------


def _locked_interview(interview_id: int) -> Interview:
    return (
        Interview.objects.select_for_update(of=("self",))
        .select_related("job_position", "candidate")
        .get(pk=interview_id)
    )


def _locked_card(interview: Interview) -> tuple[Scorecard, bool]:
    """The interview's one scorecard, locked; created if missing.

    Callers hold the interview's row lock, so two first generations cannot both
    create a row (the unique interview_id would refuse the second anyway).
    """
    card = Scorecard.objects.select_for_update().filter(interview=interview).first()
    if card is not None:
        return card, False
    return Scorecard.objects.create(interview=interview), True


def _announce(card: Scorecard) -> None:
    events_append(
        interview_id=card.interview_id,
        changes=[Change(EventType.SCORECARD, card.pk, scorecard_data(card))],
    )


# --- Generation -----------------------------------------------------------------


def scorecard_context(interview: Interview) -> ScorecardContext:
    """What a provider sees: the whole final transcript with roles, the insights
    that may count (never dismissed ones or protected-question notes), the running
    state, the requirements and the CV."""
    rows = Transcript.objects.final().filter(interview=interview).chronological()
    utterances = [
        Utterance(
            transcript_id=row.pk,
            speaker=row.speaker,
            role=row.speaker_role or interview.role_of(row.speaker),
            text=row.text,
            start_ms=row.start_ms,
            end_ms=row.end_ms,
        )
        for row in rows
    ]
    insights = [
        {"id": insight.pk, **insight_data(insight)}
        for insight in AIInsight.objects.counting().filter(interview=interview)
    ]
    return ScorecardContext(
        interview_id=interview.pk,
        language=interview.language or "es",
        utterances=utterances,
        insights=insights,
        state=interview.analysis_state or {},
        requirements=_requirements(interview),
        cv_data=interview.candidate.cv_data or {},
        candidate_name=interview.candidate.name,
        interviewer_name=interview.interviewer.name or "",
    )


@transaction.atomic
def _scorecard_start(*, interview_id: int, only_if_due: bool) -> Scorecard | None:
    """Mark the scorecard `generating`; with `only_if_due`, only when no one else
    is generating it (the runner's claim: one worker per scorecard)."""
    interview = _locked_interview(interview_id)
    if interview.status != InterviewStatus.COMPLETED:
        raise ScorecardError(
            _("A scorecard is generated only for a completed interview (this one is “%(s)s”).")
            % {"s": interview.get_status_display()}
        )
    if interview.recording_declined:
        raise ScorecardError(
            _(
                "The candidate declined the notice: the AI writes no scorecard for this "
                "interview. Take notes and score it by hand."
            )
        )
    card, created = _locked_card(interview)
    if only_if_due and not created:
        stale = card.updated_at < timezone.now() - STALE_GENERATING
        if not (
            card.state == ScorecardState.PENDING
            or (card.state == ScorecardState.GENERATING and stale)
        ):
            return None
    card.state = ScorecardState.GENERATING
    card.failure_reason = ""
    card.save(update_fields=["state", "failure_reason", "updated_at"])
    _announce(card)
    return card


@transaction.atomic
def _scorecard_fail(*, interview_id: int, reason: str) -> Scorecard:
    interview = _locked_interview(interview_id)
    card, _created = _locked_card(interview)
    card.state = ScorecardState.FAILED
    card.failure_reason = reason[:MAX_REASON]
    # The previous content stays: a failed regeneration loses nothing.
    card.save(update_fields=["state", "failure_reason", "updated_at"])
    _announce(card)
    return card


def _audit(card: Scorecard, interview: Interview, action: str, by, details: dict) -> None:
    audit_interview(
        action=action,
        actor=by,
        interview=interview,
        object_type="scorecard",
        object_id=card.pk,
        details=details,
    )


@transaction.atomic
def _scorecard_write(
    *, interview_id: int, draft: ScorecardDraft, provider: str, by=None
) -> Scorecard:
    interview = _locked_interview(interview_id)
    card, _created = _locked_card(interview)
    if card.version > 0:
        # Keep the card being replaced readable: a regeneration is never a silent loss.
        ScorecardVersion.objects.create(
            scorecard=card, version=card.version, snapshot=_snapshot(card)
        )
    card.ai_scores = dict(draft.scores)
    # manual_scores was read under the lock just now, so an adjustment committed
    # while the provider ran is still applied on top of the new AI scores.
    _apply_scores(card, _requirements(interview))
    card.recommendation = f"{draft.verdict}: {draft.justification}"
    card.strengths = _entries(draft.strengths)
    card.weaknesses = _entries(draft.weaknesses)
    card.summary = draft.summary
    card.provider = provider
    card.ai_model, card.prompt_version = provider_model(provider)
    card.version += 1
    card.generated_at = timezone.now()
    card.state = ScorecardState.READY
    card.failure_reason = ""
    card.save(
        update_fields=[
            "ai_scores",
            *SCORE_DIMENSIONS,
            "overall_score",
            "recommendation",
            "strengths",
            "weaknesses",
            "summary",
            "provider",
            "ai_model",
            "prompt_version",
            "version",
            "generated_at",
            "state",
            "failure_reason",
            "updated_at",
        ]
    )
    _announce(card)
    _audit(
        card,
        interview,
        AuditAction.SCORECARD_GENERATED,
        by,
        {
            "provider": card.provider,
            "model": card.ai_model,
            "prompt_version": card.prompt_version,
            "version": card.version,
            "on_request": by is not None,
        },
    )
    return card


def _generate(interview_id: int, providers, by=None) -> Scorecard:
    interview = Interview.objects.select_related("candidate", "job_position").get(pk=interview_id)
    try:
        context = scorecard_context(interview)
        if not any(u.role == "guest" for u in context.utterances):
            raise ScorecardError(_("The interview has no candidate answers to score."))
        chain = providers if providers is not None else configured_providers()
        draft, provider = _run(
            lambda: call_with_failover(
                lambda p: p.generate_scorecard(context),
                lambda d: validate_scorecard(d, context.utterances),
                chain,
            )
        )
    except (AllProvidersFailed, ScorecardError) as exc:
        logger.warning("Scorecard of interview %s failed: %s", interview_id, exc)
        return _scorecard_fail(interview_id=interview_id, reason=str(exc))
    except Exception as exc:
        # A bug must not leave the card `generating` forever: say so, then raise.
        _scorecard_fail(
            interview_id=interview_id,
            reason=_("Internal error: %(error)s") % {"error": exc.__class__.__name__},
        )
        raise
    return _scorecard_write(interview_id=interview_id, draft=draft, provider=provider, by=by)


def scorecard_generate(*, interview: Interview, providers=None, by=None) -> Scorecard:
    """Generate (or regenerate in place) the interview's scorecard.

    Completed interviews only (ScorecardError otherwise). Returns the scorecard:
    `ready`, or `failed` with the reason when every provider failed; either way
    the live page saw `generating` first. Not one transaction on purpose: the
    provider chain runs between two short ones (see the module docstring).
    """
    _scorecard_start(interview_id=interview.pk, only_if_due=False)
    return _generate(interview.pk, providers, by=by)


def due_interview_ids(interview_ids: Iterable[int] | None = None) -> list[int]:
    """Completed interviews whose scorecard is missing, pending, or abandoned
    mid-generation, and whose final chunks are all analysed."""
    pending_chunks = Transcript.objects.pending_analysis().filter(interview_id=OuterRef("pk"))
    stale_before = timezone.now() - STALE_GENERATING
    due = (
        Interview.objects.filter(status=InterviewStatus.COMPLETED)
        .filter(
            Q(scorecard__isnull=True)
            | Q(scorecard__state=ScorecardState.PENDING)
            | Q(scorecard__state=ScorecardState.GENERATING, scorecard__updated_at__lt=stale_before)
        )
        .filter(~Exists(pending_chunks))
        .exclude(notice_decision=NoticeDecision.DECLINED)
    )
    if interview_ids is not None:
        due = due.filter(pk__in=list(interview_ids))
    return list(due.order_by("completed_at", "pk").values_list("pk", flat=True)[:DUE_PER_PASS])


def scorecards_generate_due(interview_id: int | None = None, providers=None) -> int:
    """The runner's step after analysis: generate every due scorecard (or the one
    interview's). Returns how many were written (ready or failed)."""
    done = 0
    for pk in due_interview_ids([interview_id] if interview_id else None):
        try:
            # The claim: another worker that got here first leaves us None.
            if _scorecard_start(interview_id=pk, only_if_due=True) is None:
                continue
            _generate(pk, providers)
            done += 1
        except ScorecardError as exc:  # e.g. the interview changed under us
            logger.info("Scorecard of interview %s skipped: %s", pk, exc)
        except Exception:  # one interview's failure must not stop the others
            logger.exception("Scorecard of interview %s failed", pk)
    return done


# --- The interviewer's writes ---------------------------------------------------


@transaction.atomic
def scorecard_ensure(*, interview: Interview) -> Scorecard:
    """The interview's scorecard, created empty (`pending`) if it has none, so an
    interviewer can take notes before anything is generated."""
    card, created = _locked_card(_locked_interview(interview.pk))
    if created:
        _announce(card)
    return card


def _lock_for_edit(scorecard: Scorecard) -> tuple[Interview, Scorecard]:
    interview = _locked_interview(scorecard.interview_id)
    return interview, Scorecard.objects.select_for_update().get(pk=scorecard.pk)


@transaction.atomic
def scorecard_update_notes(*, scorecard: Scorecard, notes: str, by=None) -> Scorecard:
    """The interviewer's notes: never written by generation, so never lost to it."""
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ScorecardError(_("Notes are limited to %(n)s characters.") % {"n": MAX_NOTES})
    interview, card = _lock_for_edit(scorecard)
    card.notes = notes or None
    card.save(update_fields=["notes", "updated_at"])
    _announce(card)
    # The length only: the words are the interviewer's, about the candidate.
    _audit(card, interview, AuditAction.SCORECARD_NOTES, by, {"length": len(notes)})
    return card


@transaction.atomic
def scorecard_adjust_score(
    *, scorecard: Scorecard, dimension: str, value: int | None, by=None
) -> Scorecard:
    """Set a dimension by hand (kept across regenerations), or with None give it
    back to the AI's score; the overall score follows."""
    if dimension not in SCORE_DIMENSIONS:
        raise ScorecardError(_("Unknown dimension “%(d)s”.") % {"d": dimension})
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10
    ):
        raise ScorecardError(_("A score is a whole number from 1 to 10."))
    interview, card = _lock_for_edit(scorecard)
    manual = dict(card.manual_scores or {})
    if value is None:
        manual.pop(dimension, None)
    else:
        manual[dimension] = value
    card.manual_scores = manual
    _apply_scores(card, _requirements(interview))
    card.save(update_fields=["manual_scores", *SCORE_DIMENSIONS, "overall_score", "updated_at"])
    _announce(card)
    _audit(
        card,
        interview,
        AuditAction.SCORECARD_ADJUSTED,
        by,
        {"dimension": dimension, "value": value, "ai_value": (card.ai_scores or {}).get(dimension)},
    )
    return card


@transaction.atomic
def scorecard_record_decision(
    *, scorecard: Scorecard, decision: str | None, reason: str, by
) -> Scorecard:
    """The interviewer's own hire / no_hire / maybe, kept apart from the AI's
    recommendation. An empty decision withdraws it."""
    reason = (reason or "").strip()
    if decision and decision not in Recommendation.values:
        raise ScorecardError(_("Unknown decision “%(d)s”.") % {"d": decision})
    if decision and not reason:
        raise ScorecardError(_("Give a reason for the decision."))
    if len(reason) > MAX_REASON:
        raise ScorecardError(_("The reason is limited to %(n)s characters.") % {"n": MAX_REASON})
    interview, card = _lock_for_edit(scorecard)
    if decision:
        card.decision = decision
        card.decision_reason = reason
        card.decided_by = by
        card.decided_at = timezone.now()
    else:
        card.decision, card.decision_reason, card.decided_by, card.decided_at = None, "", None, None
    card.save(
        update_fields=["decision", "decision_reason", "decided_by", "decided_at", "updated_at"]
    )
    _announce(card)
    ai = card.recommendation_verdict
    _audit(
        card,
        interview,
        AuditAction.SCORECARD_DECISION,
        by,
        {
            "decision": card.decision,
            "ai_recommendation": ai,
            # None when there is nothing to compare (no decision, or no AI verdict).
            "differs_from_ai": (card.decision != ai) if (card.decision and ai) else None,
        },
    )
    return card
