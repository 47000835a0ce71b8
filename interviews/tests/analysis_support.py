"""A provider that records what it is asked, and a scripted interview, for the
analysis runner's tests."""

from __future__ import annotations

import asyncio
import threading

from interviews.analysis.base import ChunkAnalysis, InsightDraft, RolesGuess
from interviews.live.ingest import transcript_ingest
from interviews.models import Transcript
from interviews.tests.deepgram_messages import results


class CountingProvider:
    """A deterministic provider that records what it was asked, in order."""

    name = "counting"

    def __init__(self, delay: float = 0.0) -> None:
        self.seen: list[int] = []
        self.contexts: list = []
        self.delay = delay
        self.lock = threading.Lock()

    async def analyze_chunk(self, context):
        await asyncio.sleep(self.delay)
        with self.lock:
            self.seen.append(context.chunk.transcript_id)
            self.contexts.append(context)
        count = context.state.get("count", 0) + 1
        insights = []
        if context.chunk.role == "guest":
            insights.append(
                InsightDraft(
                    type="note",
                    severity="info",
                    content=f"answer {count}",
                    evidence=context.chunk.text,
                )
            )
        return ChunkAnalysis(
            insights=insights, state={**context.state, "count": count, "scores": {"technical": 5}}
        )

    async def detect_roles(self, utterances, language, people=None):
        return RolesGuess(host="speaker_1", guest="speaker_0", confidence=90)

    async def generate_scorecard(self, context):
        raise NotImplementedError


def feed(interview, n=6):
    messages = []
    for i in range(n):
        speaker = 1 if i % 2 == 0 else 0
        text = f"¿Pregunta número {i}?" if speaker == 1 else f"Respuesta número {i}."
        messages.append(results(text, start=float(i * 5), speaker=speaker))
    transcript_ingest(interview=interview, results=messages)


def answers(interview) -> list[int]:
    return [
        c.pk
        for c in Transcript.objects.filter(interview=interview, speaker="speaker_0").chronological()
    ]
