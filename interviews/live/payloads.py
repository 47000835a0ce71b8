"""The `data` of live-feed events: one row in the seed's column names.

The same dicts feed the websocket, the JSON API answers and the live page's first
render, so a row looks the same wherever a client meets it.
"""

from __future__ import annotations

from datetime import datetime

from candidates.skills import skill_key
from interviews.models import SCORE_DIMENSIONS, AIInsight, Interview, Scorecard, Transcript


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def transcript_data(row: Transcript) -> dict:
    return {
        "interview_id": row.interview_id,
        "timestamp": _iso(row.timestamp),
        "text": row.text,
        "speaker": row.speaker,
        "speaker_role": row.speaker_role,
        "is_interim": bool(row.is_interim),
        "confidence": row.confidence,
        "start_ms": row.start_ms,
        "end_ms": row.end_ms,
        "offset_ms": row.offset_ms,
    }


def insight_data(row: AIInsight) -> dict:
    return {
        "interview_id": row.interview_id,
        "type": row.type,
        "severity": row.severity,
        "content": row.content,
        "suggestion": row.suggestion,
        "topic": row.topic,
        "evidence": row.evidence,
        "response_quality": row.response_quality,
        "sentiment": row.sentiment,
        "score": row.score,
        "used": bool(row.used),
        "dismissed": row.dismissed,
        "superseded_at": _iso(row.superseded_at),
        "transcript_id": row.transcript_id,
        "timestamp": _iso(row.timestamp),
    }


def roles_data(interview: Interview) -> dict:
    return {
        "roles": interview.roles,
        "roles_assigned": bool(interview.roles_assigned),
        "roles_confidence": interview.roles_confidence,
    }


def covered_keys(interview: Interview) -> list[str]:
    """The covered requirements as normalised skill keys ("Next.js" and "nextjs"
    are one)."""
    covered = (interview.analysis_state or {}).get("covered_requirements") or []
    return sorted({skill_key(str(c)) for c in covered} - {""})


def interview_data(interview: Interview) -> dict:
    return {
        "candidate_id": interview.candidate_id,
        "interviewer_id": interview.interviewer_id,
        "job_position_id": interview.job_position_id,
        "status": interview.status,
        "language": interview.language,
        "stt_provider": interview.stt_provider,
        "ai_provider": interview.ai_provider,
        "scheduled_at": _iso(interview.scheduled_at),
        "started_at": _iso(interview.started_at),
        "completed_at": _iso(interview.completed_at),
        "updated_at": _iso(interview.updated_at),
        "scores": (interview.analysis_state or {}).get("scores", {}),
        "covered_requirements": (interview.analysis_state or {}).get("covered_requirements", []),
        # The same keys `selectors.interview_topics` matches on, so the live page marks
        # a requirement covered exactly when the detail page and the report do.
        "covered_keys": covered_keys(interview),
        "notice_decision": interview.notice_decision,
        **roles_data(interview),
    }


def scorecard_fields(card: Scorecard) -> dict:
    """The whole scorecard, as its version history keeps it."""
    return {
        "interview_id": card.interview_id,
        **{dim: getattr(card, dim) for dim in SCORE_DIMENSIONS},
        "overall_score": card.overall_score,
        "recommendation": card.recommendation,
        "strengths": card.strengths,
        "weaknesses": card.weaknesses,
        "summary": card.summary,
        "notes": card.notes,
        "updated_at": _iso(card.updated_at),
        "state": card.state,
        "failure_reason": card.failure_reason,
        "manual_scores": card.manual_scores,
        "decision": card.decision,
        "decision_reason": card.decision_reason,
        "version": card.version,
    }


def scorecard_data(card: Scorecard) -> dict:
    """The scorecard as every viewer of the live feed receives it. The person
    decides first (Scorecard.ai_visible_to): until then the AI's recommendation
    and overall score are left out of the event itself, not only hidden by the
    page, since the event log and the websocket carry one payload for everyone."""
    data = scorecard_fields(card)
    data["ai_hidden"] = not card.ai_visible_to_everyone
    if data["ai_hidden"]:
        data.update(recommendation="", overall_score=None)
    return data
