"""Analysis results: an answer's (or turn's) insights and the running state,
committed together with the progress markers of all its chunks (exactly once, in
order)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from interviews.analysis.base import ChunkAnalysis, InsightDraft
from interviews.live.events import Change, events_append
from interviews.live.payloads import insight_data, interview_data
from interviews.models import AIInsight, EventType, Interview, Transcript


def _locked(interview_id: int) -> Interview:
    return Interview.objects.select_for_update().get(pk=interview_id)


def _source_chunk(draft: InsightDraft, chunks: list[Transcript]) -> int:
    """The chunk an insight quotes (the answer's last chunk when it quotes none)."""
    if draft.evidence:
        for chunk in chunks:
            if draft.evidence in chunk.text:
                return chunk.pk
    return chunks[-1].pk


@transaction.atomic
def chunk_analysis_commit(
    *,
    interview_id: int,
    transcript_ids: list[int],
    analysis: ChunkAnalysis,
    provider: str,
    behind: int | None = None,
    roles: dict | None = None,
) -> list[AIInsight] | None:
    """Commit the insights of consecutive chunks (one answer, one host turn) together
    with every one of their progress markers.

    `transcript_ids` must be the interview's oldest pending final chunks, in order.
    Returns None (and writes nothing) when any of them was already analysed, an
    earlier final chunk is still pending, or the roles the analysis was made under
    (`roles`, when given) are no longer the interview's: with any number of workers,
    each chunk is analysed exactly once, in order, under the current roles. `behind`
    (answers still waiting after this one), when given, goes to the live page with
    the interview's event.
    """
    if not transcript_ids:
        raise ValueError("chunk_analysis_commit needs at least one transcript id")
    interview = _locked(interview_id)
    if roles is not None and (interview.roles or {}) != roles:
        return None  # analysed under roles a person or detection has since changed
    # Under the interview's row lock: the oldest pending chunks must be exactly these.
    oldest = list(
        Transcript.objects.pending_analysis()
        .filter(interview_id=interview_id)
        .order_by("timestamp", "id")[: len(transcript_ids)]
    )
    if [c.pk for c in oldest] != list(transcript_ids):
        return None
    now = timezone.now()
    Transcript.objects.filter(pk__in=transcript_ids).update(analyzed_at=now)
    insights = AIInsight.objects.bulk_create(
        AIInsight(
            interview_id=interview_id,
            transcript_id=_source_chunk(draft, oldest),
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
    if analysis.state.get("scores") != scores_before or insights or behind is not None:
        data = interview_data(interview)
        if behind is not None:
            data["analysis_behind"] = behind
        changes.append(Change(EventType.INTERVIEW, interview.pk, data))
    events_append(interview_id=interview_id, changes=changes)
    return insights
