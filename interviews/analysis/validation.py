"""One validation for every provider's output, built-in or LLM.

An LLM's answer is untrusted input: anything outside the enumerations and ranges,
or evidence that does not stand verbatim in the transcript, is refused here, and
the chain retries or moves to the next provider.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from pathlib import Path

from candidates.requirements import DIMENSIONS
from interviews.analysis.base import (
    INSIGHT_TYPES,
    SENTIMENTS,
    SEVERITIES,
    VERDICTS,
    ChunkAnalysis,
    InsightDraft,
    InvalidOutput,
    RolesGuess,
    ScorecardDraft,
    Utterance,
)

MAX_TEXT = 4000
INNER_STATE_WORDS = Path(__file__).with_name("inner_state.toml")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@functools.cache
def _inner_state_pattern() -> re.Pattern:
    with INNER_STATE_WORDS.open("rb") as fh:
        lists = tomllib.load(fh)
    parts = []
    for word in sorted({w for words in lists.values() for w in words}):
        word = _fold(word)
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]).replace(r"\[oa\]", "[oa]") + r"\w*")
        else:
            parts.append(re.escape(word).replace(r"\[oa\]", "[oa]"))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def inner_state_words(text: str | None) -> list[str]:
    """Words in `text` that label someone's emotions, inner state or character."""
    if not text:
        return []
    return sorted(set(_inner_state_pattern().findall(_fold(text))))


def _about_what_was_said(value: str | None, where: str) -> str | None:
    """Insights describe what was said, from the text only; never how someone felt
    or who they are (in the EU, inferring emotions at work is prohibited)."""
    found = inner_state_words(value)
    if found:
        raise InvalidOutput(
            f"{where} labels a person's emotions or character ({', '.join(found)}): "
            "describe what was said instead"
        )
    return value


def _score(value, where: str, *, nullable: bool = True) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise InvalidOutput(f"{where} must be an integer 1-10, got {value!r}")
    if not 1 <= value <= 10:
        raise InvalidOutput(f"{where} must be 1-10, got {value!r}")
    return int(value)


def _text(value, where: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise InvalidOutput(f"{where} is required")
        return None
    if not isinstance(value, str):
        raise InvalidOutput(f"{where} must be text")
    return value.strip()[:MAX_TEXT]


def validate_scores(scores, where: str = "scores") -> dict[str, int]:
    if scores is None:
        return {}
    if not isinstance(scores, dict):
        raise InvalidOutput(f"{where} must be an object")
    unknown = set(scores) - set(DIMENSIONS)
    if unknown:
        raise InvalidOutput(f"{where} has unknown dimensions {sorted(unknown)}")
    return {
        dim: _score(value, f"{where}.{dim}", nullable=False)
        for dim, value in scores.items()
        if value is not None
    }


def validate_insight(draft: InsightDraft, sources: list[str]) -> InsightDraft:
    if draft.type not in INSIGHT_TYPES:
        raise InvalidOutput(f"insight type {draft.type!r} is not one of {INSIGHT_TYPES}")
    if draft.severity is not None and draft.severity not in SEVERITIES:
        raise InvalidOutput(f"severity {draft.severity!r} is not one of {SEVERITIES}")
    if draft.sentiment is not None and draft.sentiment not in SENTIMENTS:
        raise InvalidOutput(f"sentiment {draft.sentiment!r} is not one of {SENTIMENTS}")
    evidence = _text(draft.evidence, "evidence")
    if evidence and not any(evidence in source for source in sources):
        raise InvalidOutput(
            f"evidence {evidence[:60]!r} is not quoted verbatim from the transcript"
        )
    return InsightDraft(
        type=draft.type,
        content=_about_what_was_said(_text(draft.content, "content", required=True), "content"),
        severity=draft.severity,
        suggestion=_about_what_was_said(_text(draft.suggestion, "suggestion"), "suggestion"),
        topic=_about_what_was_said(
            (_text(draft.topic, "topic") or None) and draft.topic.strip()[:100], "topic"
        ),
        evidence=evidence,
        response_quality=_score(draft.response_quality, "response_quality"),
        sentiment=draft.sentiment,
        score=validate_scores(draft.score, "insight score") or None,
    )


def validate_chunk_analysis(analysis: ChunkAnalysis, sources: list[str]) -> ChunkAnalysis:
    if not isinstance(analysis, ChunkAnalysis) or not isinstance(analysis.state, dict):
        raise InvalidOutput("analysis must carry a state object")
    state = dict(analysis.state)
    state["scores"] = validate_scores(state.get("scores"), "state.scores")
    return ChunkAnalysis(
        insights=[validate_insight(draft, sources) for draft in analysis.insights], state=state
    )


def validate_roles(guess: RolesGuess | None, speakers: set[str]) -> RolesGuess | None:
    if guess is None:
        return None
    if guess.host not in speakers or guess.guest not in speakers or guess.host == guess.guest:
        raise InvalidOutput(f"roles {guess} do not name two of the speakers {sorted(speakers)}")
    if not 0 <= guess.confidence <= 100:
        raise InvalidOutput("roles confidence must be 0-100")
    return guess


def validate_scorecard(draft: ScorecardDraft, utterances: list[Utterance]) -> ScorecardDraft:
    scores = {dim: _score(draft.scores.get(dim), f"scores.{dim}") for dim in DIMENSIONS}
    if all(value is None for value in scores.values()):
        raise InvalidOutput("a scorecard needs at least one scored dimension")
    if draft.verdict not in VERDICTS:
        raise InvalidOutput(f"verdict {draft.verdict!r} is not one of {VERDICTS}")
    by_id = {u.transcript_id: u.text for u in utterances}
    for entry in [*draft.strengths, *draft.weaknesses]:
        _about_what_was_said(_text(entry.text, "evidence text", required=True), "evidence text")
        text = by_id.get(entry.transcript_id)
        if text is None:
            raise InvalidOutput(f"transcript {entry.transcript_id} is not in this interview")
        if not entry.quote or entry.quote not in text:
            raise InvalidOutput(
                f"quote {entry.quote[:60]!r} does not stand verbatim in transcript {entry.transcript_id}"
            )
    return ScorecardDraft(
        scores=scores,
        verdict=draft.verdict,
        justification=_about_what_was_said(
            _text(draft.justification, "justification", required=True), "justification"
        ),
        strengths=list(draft.strengths),
        weaknesses=list(draft.weaknesses),
        summary=_about_what_was_said(_text(draft.summary, "summary"), "summary") or "",
    )
