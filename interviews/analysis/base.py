"""The provider contract: what a provider receives and what it must return.

Providers are pure with respect to the database: the pipeline (`runner.py`,
`services.py`) reads the context, calls a provider, validates what comes
back with the functions here and commits it. So every provider, built-in or LLM,
passes through the same validation.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

INSIGHT_TYPES = ("red-flag", "green-flag", "suggestion", "note", "contradiction")
SEVERITIES = ("critical", "warning", "info", "success")
SENTIMENTS = ("positive", "negative", "neutral", "evasive")
VERDICTS = ("hire", "no_hire", "maybe")
PROTECTED_QUESTION_TOPIC = "protected_question"


RUBRIC_PATH = Path(__file__).with_name("rubric.toml")
# Role detection reads the first ROLE_TURNS turns (a turn: one voice's consecutive
# rows): enough to see who leads, and a fixed window, so the guess on a whole
# interview equals the guess made live.
ROLE_TURNS = 40


@functools.cache
def load_rubric() -> dict[str, dict[str, dict[str, str]]]:
    """The scorecard rubric: {dimension: {language: {"3"|"5"|"7"|"9": text}}}."""
    with RUBRIC_PATH.open("rb") as fh:
        return tomllib.load(fh)


def rubric_text(language: str) -> str:
    """The rubric as lines a prompt or a page can show, in `language` (es or en)."""
    lines = []
    for dimension, texts in load_rubric().items():
        levels = texts.get(language) or texts["en"]
        lines.append(
            f"  {dimension}: " + "; ".join(f"{k} = {levels[k]}" for k in sorted(levels, key=int))
        )
    return "\n".join(lines)


class ProviderError(Exception):
    """The provider failed (network, timeout, invalid output): try the next one."""


class InvalidOutput(ProviderError):
    """The provider answered, but not with valid output."""


@dataclass(frozen=True)
class Utterance:
    """One final transcript row as providers see it."""

    transcript_id: int
    speaker: str | None
    role: str | None  # "host" | "guest" | None before role detection
    text: str
    start_ms: int = 0
    end_ms: int = 0


@dataclass(frozen=True)
class People:
    """Who is in the interview, from the records (not from the audio): role
    detection looks for the candidate being addressed by name, the interviewer
    being thanked by name, and the CV's companies, titles and skills spoken of in
    the first person."""

    candidate_name: str = ""
    interviewer_name: str = ""
    cv_data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChunkContext:
    """One final chunk to analyse, with everything around it.

    For a guest chunk `question` is the host's text just before the answer; for a
    host chunk (checked for protected-ground questions and noted as the open
    question) `question` is the host's earlier chunks of the same turn, or None.
    """

    interview_id: int
    language: str  # "es" | "en"; the chunk itself may be in the other language
    chunk: Utterance
    question: str | None
    requirements: dict  # job_positions.requirements ({} when no position)
    cv_data: dict  # candidates.cv_data ({} when none)
    # The whole interview's running state as the previous analysis left it
    # ({} at the start): flags raised, requirements covered, claims, scores...
    state: dict
    candidate_name: str = ""
    interviewer_name: str = ""


@dataclass
class InsightDraft:
    type: str
    content: str
    severity: str | None = None
    suggestion: str | None = None
    topic: str | None = None
    evidence: str | None = None
    response_quality: int | None = None
    sentiment: str | None = None
    score: dict | None = None


@dataclass
class ChunkAnalysis:
    """Only the NEW insights for this chunk, plus the updated running state
    (whose "scores" entry holds the running 1-10 scores per dimension)."""

    insights: list[InsightDraft]
    state: dict


@dataclass(frozen=True)
class RolesGuess:
    host: str
    guest: str
    confidence: int  # 0-100


@dataclass(frozen=True)
class ScorecardContext:
    interview_id: int
    language: str
    utterances: list[Utterance]  # every final row, chronological, with roles
    insights: list[dict]  # counting insights only (not dismissed, not protected)
    state: dict  # the running analysis state
    requirements: dict
    cv_data: dict
    candidate_name: str
    interviewer_name: str = ""


@dataclass
class EvidenceEntry:
    text: str
    quote: str
    transcript_id: int


@dataclass
class ScorecardDraft:
    scores: dict[str, int | None]  # every dimension; None where there is no evidence
    verdict: str  # hire | no_hire | maybe
    justification: str
    strengths: list[EvidenceEntry] = field(default_factory=list)
    weaknesses: list[EvidenceEntry] = field(default_factory=list)
    summary: str = ""


class AnalysisProvider(Protocol):
    name: str

    async def analyze_chunk(self, context: ChunkContext) -> ChunkAnalysis: ...

    async def detect_roles(
        self, utterances: list[Utterance], language: str, people: People | None = None
    ) -> RolesGuess | None: ...

    async def generate_scorecard(self, context: ScorecardContext) -> ScorecardDraft: ...
