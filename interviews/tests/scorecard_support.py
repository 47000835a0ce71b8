"""Shared pieces of the scorecard tests: a completed interview with a transcript,
and small deterministic providers that meet the provider contract."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from candidates.requirements import DIMENSIONS
from interviews.analysis.base import EvidenceEntry, ProviderError, ScorecardContext, ScorecardDraft
from interviews.models import Interview, InterviewStatus, Transcript

HOST, GUEST = "speaker_1", "speaker_0"

DIALOGUE = [
    (HOST, "Cuéntame un proyecto reciente con Django."),
    (GUEST, "Migré un monolito Django a PostgreSQL con cero downtime y bajé la latencia un 40%."),
    (HOST, "¿Cómo gestionaste los despliegues?"),
    (GUEST, "Con feature flags y despliegues azules y verdes, medidos con Prometheus."),
]


def completed_interview(interview: Interview, lines=DIALOGUE, *, analyzed: bool = True):
    """Give the interview a diarised, role-mapped transcript and complete it."""
    start = timezone.now() - timedelta(minutes=30)
    rows = []
    for i, (speaker, text) in enumerate(lines):
        rows.append(
            Transcript.objects.create(
                interview=interview,
                text=text,
                speaker=speaker,
                speaker_role="host" if speaker == HOST else "guest",
                is_interim=False,
                request_id="req-1",
                start_ms=i * 5000,
                offset_ms=i * 5000,
                end_ms=i * 5000 + 4000,
                timestamp=start + timedelta(seconds=i * 5),
                analyzed_at=timezone.now() if analyzed else None,
            )
        )
    Interview.objects.filter(pk=interview.pk).update(
        status=InterviewStatus.COMPLETED,
        roles={"host": HOST, "guest": GUEST},
        roles_assigned=True,
        started_at=start,
        completed_at=timezone.now(),
    )
    interview.refresh_from_db()
    return rows


class ScriptedProvider:
    """Scores what it is told to, quoting the candidate's first answer."""

    def __init__(
        self,
        name: str = "scripted",
        *,
        scores: dict | None = None,
        verdict: str = "hire",
        quote_suffix: str = "",
        error: Exception | None = None,
    ) -> None:
        self.name = name
        self.scores = scores or {
            "attitude": 8,
            "communication": 7,
            "technical": 9,
            "strategic": 6,
            "leadership": 5,
            "english": None,
        }
        self.verdict = verdict
        self.quote_suffix = quote_suffix
        self.error = error
        self.contexts: list[ScorecardContext] = []

    async def generate_scorecard(self, context: ScorecardContext) -> ScorecardDraft:
        self.contexts.append(context)
        if self.error is not None:
            raise self.error
        answer = next(u for u in context.utterances if u.role == "guest")
        return ScorecardDraft(
            scores={dim: self.scores.get(dim) for dim in DIMENSIONS},
            verdict=self.verdict,
            justification=f"{self.name} says {self.verdict}",
            strengths=[
                EvidenceEntry(
                    text="Concrete migration with numbers",
                    quote=answer.text[:40] + self.quote_suffix,
                    transcript_id=answer.transcript_id,
                )
            ],
            weaknesses=[],
            summary=f"{context.candidate_name}: {self.name} summary",
        )


def failing(name: str = "down") -> ScriptedProvider:
    return ScriptedProvider(name, error=ProviderError("connection refused"))


def paraphrasing(name: str = "paraphraser") -> ScriptedProvider:
    """Returns a quote that does not stand verbatim in the transcript."""
    return ScriptedProvider(name, quote_suffix=" (more or less)")
