"""What the two large-language-model providers share: the versioned prompts, the
request text built from the provider contract's context, and the reading of the
model's JSON answer back into the contract's dataclasses.

`openai.py` and `anthropic.py` only differ in how they send two strings (a system
prompt and a user message) and get one string back; everything else is here, once.

Reading is strict about shape (an object where an object is promised, a list where
a list is), raising `InvalidOutput` so the chain retries once and then fails over.
Ranges, enumerations and verbatim evidence are checked afterwards by
`validation.py`, the same checks every provider's output goes through.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any, TypeVar

from candidates.requirements import DIMENSIONS
from interviews.analysis.base import (
    ChunkAnalysis,
    ChunkContext,
    EvidenceEntry,
    InsightDraft,
    InvalidOutput,
    People,
    RolesGuess,
    ScorecardContext,
    ScorecardDraft,
    Utterance,
    rubric_text,
)

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
# Bumped together with new prompt files (`chunk_v2.md` ...), so a change of wording
# is a new file beside the old one, never an edit nobody can trace.
# v2: the people's names, the CV's terms and the role signals in the roles prompt;
# wording about what was said, never inner state; small talk is no answer; the
# scorecard rubric.
PROMPT_VERSION = "v2"

# Output budgets: a chunk answer is a few insights and the state; a scorecard
# quotes the transcript several times.
CHUNK_MAX_TOKENS = 2000
ROLES_MAX_TOKENS = 200
SCORECARD_MAX_TOKENS = 4000

# The scorecard prompt carries the transcript; beyond this many rows the oldest are
# left out rather than the request growing past what a model accepts.
SCORECARD_MAX_ROWS = 1500

LANGUAGE_NAMES = {"es": "Spanish (español)", "en": "English"}

_ROLE_MARKER = re.compile(r"^<!--\s*role:\s*(system|user)\s*-->\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: Template
    user: Template

    def render(self, **values: str) -> tuple[str, str]:
        """The (system, user) texts; a missing value is a programming error."""
        return self.system.substitute(values).strip(), self.user.substitute(values).strip()


@functools.cache
def load_prompt(name: str, version: str = PROMPT_VERSION) -> Prompt:
    """A prompt file: a system part and a user part, each after its role marker."""
    text = (PROMPTS_DIR / f"{name}_{version}.md").read_text(encoding="utf-8")
    parts = _ROLE_MARKER.split(text)
    # split() gives [preamble, "system", body, "user", body].
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise ValueError(f"Prompt {name}_{version} needs one system and one user section")
    return Prompt(name, version, Template(sections["system"]), Template(sections["user"]))


def _json(value: Any) -> str:
    return json.dumps(value or {}, ensure_ascii=False, indent=2, sort_keys=True)


def _language(language: str) -> dict[str, str]:
    return {"language": language, "language_name": LANGUAGE_NAMES.get(language, language)}


def _line(u: Utterance) -> str:
    return f"[{u.transcript_id}] {u.role or 'unknown'} ({u.speaker or 'unknown'}): {u.text}"


# --- Clients --------------------------------------------------------------------

C = TypeVar("C")
_loop_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def client_for_this_loop(key: tuple, make: Callable[[], C]) -> C:
    """One SDK client per event loop (and per configuration `key`): its pooled
    connections to the provider, TLS handshake done, serve every call that loop
    makes (the runner keeps one loop per worker thread), and a pooled connection
    never outlives the loop that opened it."""
    clients = _loop_clients.setdefault(asyncio.get_running_loop(), {})
    client = clients.get(key)
    if client is None:
        client = clients[key] = make()
    return client


# --- Requests -----------------------------------------------------------------


def chunk_request(context: ChunkContext) -> tuple[str, str]:
    chunk = context.chunk
    return load_prompt("chunk").render(
        **_language(context.language),
        requirements=_json(context.requirements),
        cv_data=_json(context.cv_data),
        state=_json(context.state),
        question=context.question or "(none)",
        candidate_name=context.candidate_name or "(unknown)",
        interviewer_name=context.interviewer_name or "(unknown)",
        role=chunk.role or "unknown role",
        speaker=chunk.speaker or "unknown speaker",
        transcript_id=str(chunk.transcript_id),
        text=chunk.text,
    )


def _cv_terms(cv_data: dict) -> str:
    terms = []
    for job in cv_data.get("work") or []:
        if isinstance(job, dict):
            terms += [str(job.get(k)) for k in ("company", "position") if job.get(k)]
    for skill in cv_data.get("skills") or []:
        name = skill.get("name") if isinstance(skill, dict) else skill
        if name:
            terms.append(str(name))
    return ", ".join(dict.fromkeys(terms)) or "(none)"


def roles_request(
    utterances: list[Utterance], language: str, people: People | None = None
) -> tuple[str, str]:
    people = people or People()
    speakers = sorted({u.speaker for u in utterances if u.speaker})
    return load_prompt("roles").render(
        **_language(language),
        speakers=", ".join(speakers),
        candidate_name=people.candidate_name or "(unknown)",
        interviewer_name=people.interviewer_name or "(unknown)",
        cv_terms=_cv_terms(people.cv_data or {}),
        transcript="\n".join(f"{u.speaker or 'unknown'}: {u.text}" for u in utterances),
    )


def scorecard_request(context: ScorecardContext) -> tuple[str, str]:
    rows = context.utterances[-SCORECARD_MAX_ROWS:]
    return load_prompt("scorecard").render(
        **_language(context.language),
        candidate_name=context.candidate_name,
        interviewer_name=context.interviewer_name or "(unknown)",
        rubric=rubric_text(context.language),
        requirements=_json(context.requirements),
        cv_data=_json(context.cv_data),
        state=_json(context.state),
        insights=json.dumps(context.insights, ensure_ascii=False, indent=2, default=str),
        transcript="\n".join(_line(u) for u in rows),
    )


# --- Reading answers ----------------------------------------------------------


def parse_json_object(text: str | None) -> dict:
    """The model's answer as a JSON object. Models asked for bare JSON still wrap it
    in a code fence now and then; that much is forgiven, nothing more."""
    if not text or not text.strip():
        raise InvalidOutput("the model answered with no text")
    text = text.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidOutput(f"the answer is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidOutput("the answer must be a JSON object")
    return value


def _optional_text(item: dict, key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    raise InvalidOutput(f"{where}.{key} must be text or null")


def _insight(item: Any, index: int) -> InsightDraft:
    where = f"insights[{index}]"
    if not isinstance(item, dict):
        raise InvalidOutput(f"{where} must be an object")
    if not isinstance(item.get("type"), str) or not isinstance(item.get("content"), str):
        raise InvalidOutput(f"{where} needs text 'type' and 'content'")
    score = item.get("score")
    if score is not None and not isinstance(score, dict):
        raise InvalidOutput(f"{where}.score must be an object or null")
    return InsightDraft(
        type=item["type"],
        content=item["content"],
        severity=_optional_text(item, "severity", where),
        suggestion=_optional_text(item, "suggestion", where),
        topic=_optional_text(item, "topic", where),
        evidence=_optional_text(item, "evidence", where),
        # Ranges are validation.py's job: a 14 is refused there, for every provider.
        response_quality=item.get("response_quality"),
        sentiment=_optional_text(item, "sentiment", where),
        score=score,
    )


def chunk_analysis_from_json(answer: dict, previous_state: dict) -> ChunkAnalysis:
    insights = answer.get("insights")
    state = answer.get("state")
    if not isinstance(insights, list):
        raise InvalidOutput("'insights' must be a list")
    if not isinstance(state, dict):
        raise InvalidOutput("'state' must be an object")
    # Keys the model left out keep their value: the state is the whole interview's,
    # and a model that forgets `claims` once must not erase them.
    merged = {**(previous_state or {}), **state}
    scores = state.get("scores")
    if isinstance(scores, dict):
        # A dimension updated by this chunk overrides; the others stay as they were.
        merged["scores"] = {
            **((previous_state or {}).get("scores") or {}),
            **{k: v for k, v in scores.items() if v is not None},
        }
    return ChunkAnalysis(
        insights=[_insight(item, index) for index, item in enumerate(insights)],
        state=merged,
    )


def roles_from_json(answer: dict) -> RolesGuess | None:
    host, guest, confidence = answer.get("host"), answer.get("guest"), answer.get("confidence")
    if host is None and guest is None:
        return None  # not enough speech yet: asked again with more
    if not isinstance(host, str) or not isinstance(guest, str):
        raise InvalidOutput("'host' and 'guest' must be speaker names")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise InvalidOutput("'confidence' must be a number 0-100")
    return RolesGuess(host=host, guest=guest, confidence=round(confidence))


def _evidence(items: Any, key: str) -> list[EvidenceEntry]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise InvalidOutput(f"'{key}' must be a list")
    entries = []
    for index, item in enumerate(items):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            raise InvalidOutput(f"{where} must be an object")
        text, quote, transcript_id = item.get("text"), item.get("quote"), item.get("transcript_id")
        if not isinstance(text, str) or not isinstance(quote, str):
            raise InvalidOutput(f"{where} needs text 'text' and 'quote'")
        if isinstance(transcript_id, str) and transcript_id.isdigit():
            transcript_id = int(transcript_id)
        if isinstance(transcript_id, bool) or not isinstance(transcript_id, int):
            raise InvalidOutput(f"{where}.transcript_id must be a transcript row id")
        entries.append(EvidenceEntry(text=text, quote=quote, transcript_id=transcript_id))
    return entries


def scorecard_from_json(answer: dict) -> ScorecardDraft:
    scores = answer.get("scores")
    if not isinstance(scores, dict):
        raise InvalidOutput("'scores' must be an object")
    unknown = set(scores) - set(DIMENSIONS)
    if unknown:
        raise InvalidOutput(f"'scores' has unknown dimensions {sorted(unknown)}")
    verdict = answer.get("recommendation")
    justification = answer.get("justification")
    summary = answer.get("summary") or ""
    if not isinstance(verdict, str) or not isinstance(justification, str):
        raise InvalidOutput("'recommendation' and 'justification' must be text")
    if not isinstance(summary, str):
        raise InvalidOutput("'summary' must be text")
    return ScorecardDraft(
        scores={dim: scores.get(dim) for dim in DIMENSIONS},
        verdict=verdict.strip(),
        justification=justification,
        strengths=_evidence(answer.get("strengths"), "strengths"),
        weaknesses=_evidence(answer.get("weaknesses"), "weaknesses"),
        summary=summary,
    )


class LLMProvider:
    """A provider that asks a chat model. Subclasses implement `complete`: send a
    system prompt and a user message, return the answer's text, and raise
    `ProviderError` for network errors and timeouts, `InvalidOutput` for an answer
    cut short."""

    name = "llm"

    async def complete(self, *, system: str, user: str, max_tokens: int) -> str:
        raise NotImplementedError

    async def analyze_chunk(self, context: ChunkContext) -> ChunkAnalysis:
        system, user = chunk_request(context)
        text = await self.complete(system=system, user=user, max_tokens=CHUNK_MAX_TOKENS)
        return chunk_analysis_from_json(parse_json_object(text), context.state)

    async def detect_roles(
        self, utterances: list[Utterance], language: str, people: People | None = None
    ) -> RolesGuess | None:
        system, user = roles_request(utterances, language, people)
        text = await self.complete(system=system, user=user, max_tokens=ROLES_MAX_TOKENS)
        return roles_from_json(parse_json_object(text))

    async def generate_scorecard(self, context: ScorecardContext) -> ScorecardDraft:
        system, user = scorecard_request(context)
        text = await self.complete(system=system, user=user, max_tokens=SCORECARD_MAX_TOKENS)
        return scorecard_from_json(parse_json_object(text))
