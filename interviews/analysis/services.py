"""Analysis results: a chunk's insights and the running state, committed together
with the chunk's progress marker (exactly once, in order)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from interviews.analysis.base import ChunkAnalysis
from interviews.live.events import Change, events_append
from interviews.live.payloads import insight_data, interview_data
from interviews.models import AIInsight, EventType, Interview, Transcript


def _locked(interview_id: int) -> Interview:
    return Interview.objects.select_for_update().get(pk=interview_id)


@transaction.atomic
def chunk_analysis_commit(
    *,
    interview_id: int,
    transcript_id: int,
    analysis: ChunkAnalysis,
    provider: str,
    roles: dict | None = None,
) -> list[AIInsight] | None:
    """Commit one chunk's insights together with its progress marker.

    Returns None (and writes nothing) when the chunk was already analysed, an
    earlier final chunk is still pending, or the roles the analysis was made under
    (`roles`, when given) are no longer the interview's: with any number of
    workers, each chunk is analysed exactly once, in order, under the current roles.
    """
    interview = _locked(interview_id)
    if roles is not None and (interview.roles or {}) != roles:
        return None
    chunk = Transcript.objects.filter(pk=transcript_id, interview_id=interview_id).first()
    if chunk is None or chunk.is_interim or chunk.analyzed_at is not None:
        return None
    earlier_pending = (
        Transcript.objects.pending_analysis()
        .filter(interview_id=interview_id)
        .filter(Q(timestamp__lt=chunk.timestamp) | Q(timestamp=chunk.timestamp, pk__lt=chunk.pk))
        .exists()
    )
    if earlier_pending:
        return None
    now = timezone.now()
    Transcript.objects.filter(pk=chunk.pk).update(analyzed_at=now)
    insights = AIInsight.objects.bulk_create(
        AIInsight(
            interview_id=interview_id,
            transcript_id=chunk.pk,
            type=draft.type,
            severity=draft.severity,
            content=draft.content,
            suggestion=draft.suggestion,
            topic=draft.topic,
            evidence=draft.evidence,
            response_quality=draft.response_quality,
            sentiment=draft.sentiment,
            score=draft.score,
            timestamp=now,
        )
        for draft in analysis.insights
    )
    scores_before = (interview.analysis_state or {}).get("scores")
    interview.analysis_state = analysis.state
    interview.ai_provider = provider
    interview.save(update_fields=["analysis_state", "ai_provider", "updated_at"])
    changes = [Change(EventType.INSIGHT, i.pk, insight_data(i)) for i in insights]
    if analysis.state.get("scores") != scores_before or insights:
        changes.append(Change(EventType.INTERVIEW, interview.pk, interview_data(interview)))
    events_append(interview_id=interview_id, changes=changes)
    return insights
