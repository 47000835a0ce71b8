"""The built-in analysis provider: offline, deterministic, Spanish and English.

No network, no key, no database: every answer comes from the word lists and
patterns in `rules/<language>.toml` (plus `rules/common.toml`) applied to the chunk,
the host's question, the job requirements, the CV and the running state. The same
input always gives the same output, so the pipeline can retry it freely and the
evaluation in `bench/eval_builtin.py` measures exactly what runs in production.

What it looks at, per chunk:

* guest answers: vague (hedges, no specifics), evasive (deflecting, refusing),
  strong (figures, tools from the role, situation-action-result), contradictions
  (claims about years, skills, leading people and employers, against earlier
  claims and the CV), a switch of language (with an English level), follow-up
  suggestions for requirements nobody has talked about yet;
* host questions: questions on protected grounds, addressed to the interviewer;
  they never touch the candidate's scores.

The running state (JSON) is the whole interview's memory: counts, flags raised,
requirements covered, claims, score samples per dimension and the running scores.

The modules, bottom up: `lexicon` (rules files, phrase matching, language), `cv`
(skills catalogue and CV facts), `claims`, `features` (what an answer contains, the
English level), `scoring` (running state and scores), `chunks` (one chunk's
analysis), `roles` (who is the interviewer), `scorecard`. This package imports only
`interviews.analysis.base` and `candidates.skills`: no Django models, no database.
"""

from __future__ import annotations

from interviews.analysis.base import (
    ChunkAnalysis,
    ChunkContext,
    People,
    RolesGuess,
    ScorecardContext,
    ScorecardDraft,
    Utterance,
)
from interviews.analysis.builtin.chunks import analyze, protected_question_insights
from interviews.analysis.builtin.roles import detect_roles_sync
from interviews.analysis.builtin.scorecard import generate_scorecard_sync

__all__ = [
    "BuiltinProvider",
    "analyze",
    "detect_roles_sync",
    "generate_scorecard_sync",
    "protected_question_insights",
]


class BuiltinProvider:
    """The offline default provider (`AI_PROVIDERS=builtin`)."""

    name = "builtin"

    async def analyze_chunk(self, context: ChunkContext) -> ChunkAnalysis:
        return analyze(context)

    async def detect_roles(
        self, utterances: list[Utterance], language: str, people: People | None = None
    ) -> RolesGuess | None:
        return detect_roles_sync(utterances, language, people)

    async def generate_scorecard(self, context: ScorecardContext) -> ScorecardDraft:
        return generate_scorecard_sync(context)
