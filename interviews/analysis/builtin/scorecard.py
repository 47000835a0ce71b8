"""The end-of-interview scorecard: dimension scores, evidence quoted verbatim,
strengths, weaknesses and a recommendation."""

from __future__ import annotations

from candidates.requirements import DIMENSIONS
from interviews.analysis.base import (
    PROTECTED_QUESTION_TOPIC,
    ChunkContext,
    EvidenceEntry,
    ScorecardContext,
    ScorecardDraft,
    Utterance,
)
from interviews.analysis.builtin.chunks import (
    analyze,
)
from interviews.analysis.builtin.cv import (
    fmt,
)
from interviews.analysis.builtin.lexicon import (
    load_rules,
    sentences,
)

# --------------------------------------------------------------------- scorecard

# Problems (vague, evasive, contradicted answers) outweigh concrete answers when
# there are more than this many per concrete answer: then "no hire". Two strong
# examples among six problems leave the decision open ("maybe").
PROBLEMS_PER_STRONG = 3
# Scores follow the rubric, where 5 is "surface level, thin examples": a middling
# candidate (overall about 5) is a "maybe"; clearly under it, "no hire".
NO_HIRE_BELOW = 4.8


def _replay(context: ScorecardContext) -> tuple[dict, list[dict]]:
    """Analyse the transcript from scratch: for a scorecard without a running state."""
    state: dict = {}
    insights: list[dict] = []
    question = None
    for u in context.utterances:
        chunk_context = ChunkContext(
            interview_id=context.interview_id,
            language=context.language,
            chunk=u,
            question=question if u.role == "guest" else None,
            requirements=context.requirements,
            cv_data=context.cv_data,
            state=state,
        )
        result = analyze(chunk_context)
        state = result.state
        for draft in result.insights:
            insights.append({**draft.__dict__, "transcript_id": u.transcript_id})
        if u.role == "host":
            question = u.text
    return state, insights


def _evidence_entry(
    insight: dict, utterances: list[Utterance], by_id: dict[int, Utterance]
) -> EvidenceEntry | None:
    evidence = (insight.get("evidence") or "").strip()
    utterance = by_id.get(insight.get("transcript_id"))
    if utterance is None or (evidence and evidence not in utterance.text):
        utterance = next((u for u in utterances if evidence and evidence in u.text), None)
    if utterance is None:
        return None
    quote = (
        evidence
        if evidence and evidence in utterance.text
        else (sentences(utterance.text) or [utterance.text])[0]
    )
    if not quote or quote not in utterance.text:
        return None
    return EvidenceEntry(
        text=insight.get("content") or "", quote=quote, transcript_id=utterance.transcript_id
    )


def _dimension_evidence(
    scores: dict[str, int | None], state: dict, context: ScorecardContext, msgs: dict
) -> str:
    """For each scored dimension, the candidate's words it rests on, verbatim."""
    texts = {u.transcript_id: u.text for u in context.utterances if u.role == "guest"}
    names = msgs["dimension_names"]
    parts = []
    for dim, value in scores.items():
        if value is None:
            continue
        quotes = [
            e["quote"]
            for e in (state.get("evidence") or {}).get(dim, [])
            if e.get("quote") and e["quote"] in texts.get(e.get("transcript_id"), "")
        ]
        if quotes:
            parts.append(
                msgs["dimension_evidence"].format(
                    dimension=names[dim], score=value, quotes=" / ".join(f"«{q}»" for q in quotes)
                )
            )
    return ("\n\n" + msgs["dimension_evidence_title"] + "\n" + "\n".join(parts)) if parts else ""


def generate_scorecard_sync(context: ScorecardContext) -> ScorecardDraft:
    msgs = load_rules(context.language)["messages"]
    insights = [
        i
        for i in context.insights
        if isinstance(i, dict)
        and i.get("topic") != PROTECTED_QUESTION_TOPIC
        and not i.get("dismissed")
    ]
    state = context.state if isinstance(context.state, dict) else {}
    if not state.get("samples") and not state.get("scores"):
        state, replayed = _replay(context)
        if not insights:
            insights = [i for i in replayed if i.get("topic") != PROTECTED_QUESTION_TOPIC]
    running = state.get("scores") or {}
    scores: dict[str, int | None] = {}
    for dim in DIMENSIONS:
        value = running.get(dim)
        scores[dim] = int(value) if isinstance(value, int | float) and 1 <= value <= 10 else None
    if all(v is None for v in scores.values()):
        # No evidence at all (nothing was said): a neutral mid score on the two
        # dimensions every conversation shows, rather than an invalid scorecard.
        scores["communication"] = scores["attitude"] = 5

    weights = (context.requirements or {}).get("weights") or {}
    total = weight_sum = 0.0
    for dim, value in scores.items():
        if value is None:
            continue
        weight = weights.get(dim, 1) if isinstance(weights.get(dim, 1), int | float) else 1
        total += value * weight
        weight_sum += weight
    overall = total / weight_sum if weight_sum else 5.0

    green = [i for i in insights if i.get("type") == "green-flag"]
    red = [i for i in insights if i.get("type") == "red-flag"]
    contradictions = [i for i in insights if i.get("type") == "contradiction"]
    problems = len(red) + len(contradictions)
    if (
        overall < NO_HIRE_BELOW
        or len(contradictions) >= 2
        or (problems >= 3 and problems > PROBLEMS_PER_STRONG * len(green))
    ):
        verdict = "no_hire"
    elif (
        overall >= 7
        and not contradictions
        and len(green) >= 2
        and len(red) <= max(1, len(green) // 2)
    ):
        verdict = "hire"
    else:
        verdict = "maybe"
    justification = msgs[f"verdict_{verdict}"].format(
        overall=fmt(round(overall, 1), context.language),
        green=len(green),
        red=len(red),
        contradictions=len(contradictions),
    )

    by_id = {u.transcript_id: u for u in context.utterances}
    strengths = [e for e in (_evidence_entry(i, context.utterances, by_id) for i in green) if e][:5]
    weaknesses = [
        e
        for e in (_evidence_entry(i, context.utterances, by_id) for i in contradictions + red)
        if e
    ][:5]
    names = msgs["dimension_names"]
    score_text = ", ".join(f"{names[d]} {v}" for d, v in scores.items() if v is not None)
    summary = msgs["summary"].format(
        name=context.candidate_name or "-",
        answers=sum(1 for u in context.utterances if u.role == "guest"),
        scores=score_text,
        strengths=len(strengths),
        weaknesses=len(weaknesses),
    )
    if scores["english"] is None:
        summary += " " + msgs["summary_english_none"]
    summary += _dimension_evidence(scores, state, context, msgs)
    return ScorecardDraft(
        scores=scores,
        verdict=verdict,
        justification=justification,
        strengths=strengths,
        weaknesses=weaknesses,
        summary=summary,
    )
