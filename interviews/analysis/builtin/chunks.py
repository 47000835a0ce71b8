"""The analysis of one chunk: protected-ground questions on the host's turns;
quality, sentiment, flags, contradictions and suggestions on the guest's answers."""

from __future__ import annotations

import copy
import re
from functools import cache

from interviews.analysis.base import (
    PROTECTED_QUESTION_TOPIC,
    ChunkAnalysis,
    ChunkContext,
    InsightDraft,
)
from interviews.analysis.builtin.claims import Claim, check_claims, named_employers, read_claims
from interviews.analysis.builtin.cv import (
    SkillCatalogue,
    catalogue_for,
    cv_companies,
)
from interviews.analysis.builtin.features import (
    AnswerFeatures,
    answer_features,
    best_sentence,
    english_level,
    is_question,
    strongest_sentence,
)
from interviews.analysis.builtin.lexicon import (
    ENGLISH_SUGGESTION_AT,
    FIRST_SUGGESTION_AT,
    LANGUAGES,
    MAX_QUOTE,
    SUGGESTION_EVERY,
    detect_language,
    fold,
    is_small_talk,
    load_rules,
    sentences,
    words_of,
)
from interviews.analysis.builtin.scoring import add_sample, cover, fresh_state, running_scores

# A language level needs this many words spoken in it across the candidate's
# answers: "Sure." says nothing about someone's English.
MIN_LANGUAGE_WORDS = 40
# The English sample for answering an English question in Spanish.
FELL_BACK_ENGLISH = 2
# An English sample per this many words of an answer.
ENGLISH_WORDS_PER_SAMPLE = 20

# ------------------------------------------------------------------ the analysis


@cache
def _protected_patterns(language: str) -> tuple[tuple[str, re.Pattern], ...]:
    """Each protected ground's patterns in the language, as one compiled regex (a
    sentence is read once per ground, not once per pattern)."""
    return tuple(
        (ground, re.compile("|".join(f"(?:{p})" for p in spec["patterns"])))
        for ground, spec in load_rules(language)["protected"].items()
    )


def protected_grounds(text: str, language: str) -> tuple[list[str], str | None]:
    """The protected grounds a host's words touch, and the sentence that does."""
    grounds: list[str] = []
    evidence = None
    for sentence in sentences(text):
        folded = fold(sentence)
        for lang in (language, *[lang for lang in LANGUAGES if lang != language]):
            for ground, pattern in _protected_patterns(lang):
                if ground not in grounds and pattern.search(folded):
                    grounds.append(ground)
                    evidence = evidence or sentence
    return grounds, evidence


def _protected_insight(context: ChunkContext) -> tuple[InsightDraft | None, list[str]]:
    text = context.chunk.text
    grounds, evidence = protected_grounds(text, context.language)
    earlier = (context.question or "").strip()
    if earlier:
        # A question split across chunks: read the turn so far, and raise only what
        # the earlier chunks did not already raise.
        before, _ = protected_grounds(earlier, context.language)
        whole, _ = protected_grounds(f"{earlier} {text}", context.language)
        for ground in whole:
            if ground not in before and ground not in grounds:
                grounds.append(ground)
        grounds = [g for g in grounds if g not in before]
        if grounds and evidence is None:
            evidence = (sentences(text) or [text.strip()])[0]
    if not grounds:
        return None, []
    msgs = load_rules(context.language)
    protected = msgs["protected"]
    content = msgs["messages"]["protected_prefix"] + " ".join(
        protected[g]["content"] for g in grounds
    )
    return (
        InsightDraft(
            type="note",
            severity="critical",
            content=content,
            suggestion=protected[grounds[0]]["suggestion"],
            topic=PROTECTED_QUESTION_TOPIC,
            evidence=evidence,
        ),
        grounds,
    )


def protected_question_insights(context: ChunkContext) -> list[InsightDraft]:
    """The host turn's check for questions on protected grounds, alone: what the
    runner uses on the interviewer's turns whatever provider analyses the answers
    (no model round trip for a rule this plain)."""
    insight, _grounds = _protected_insight(context)
    return [insight] if insight is not None else []


def _analyze_host(
    context: ChunkContext, state: dict, catalogue: SkillCatalogue
) -> list[InsightDraft]:
    state["counts"]["host_chunks"] += 1
    folded = fold(context.chunk.text)
    topics = catalogue.keys_in(folded, catalogue.required + catalogue.nice_to_have)
    cover(state, topics)
    state["open_question"] = {"transcript_id": context.chunk.transcript_id, "topics": topics}
    insight, grounds = _protected_insight(context)
    if insight is None:
        return []
    # Noted for the interviewer only: no score, no sample, no flag count against the
    # candidate.
    state["counts"]["protected_questions"] += 1
    state["protected"].append({"transcript_id": context.chunk.transcript_id, "grounds": grounds})
    return [insight]


def _quality(features: AnswerFeatures) -> int:
    if features.evasive:
        return 2 + (features.words > 20)
    if features.vague:
        return 3 + (features.words >= 15)
    if features.strong:
        points = features.strength_points
        return min(10, 7 + (points >= 8) + (points >= 10) + (features.metrics >= 2))
    quality = 5 + min(features.specifics, 2) + (1 if features.actions else 0)
    if features.words < 6:
        quality -= 1
    return max(3, min(7, quality))


def _sentiment(features: AnswerFeatures) -> str:
    if features.evasive:
        return "evasive"
    if features.negative:
        return "negative"
    if features.strong or features.positive:
        return "positive"
    return "neutral"


def _sample_dimensions(
    state: dict, features: AnswerFeatures, quality: int, claims: list[Claim], contradicted: bool
) -> None:
    evasive, vague, strong = features.evasive, features.vague, features.strong
    add_sample(state, "communication", quality)
    if evasive:
        attitude = 3
    elif features.negative or contradicted:
        attitude = 4
    elif strong or features.positive:
        attitude = 8
    elif vague:
        attitude = 5
    else:
        attitude = 6
    add_sample(state, "attitude", attitude)

    negated_required = any(
        c.kind == "skill_use" and c.polarity < 0 and c.subject in features.required_tools
        for c in claims
    )
    if features.tools or features.technical_question:
        if evasive:
            technical = 3
        elif strong:
            technical = 8 + (len(features.required_tools) >= 2)
        elif vague or negated_required:
            technical = 4
        else:
            technical = 5 + min(len(features.tools), 2)
        add_sample(state, "technical", technical)

    if features.strategic or features.strategic_question:
        if evasive:
            strategic = 3
        elif strong:
            strategic = 7 + min(features.strategic, 2)
        elif vague:
            strategic = 4
        else:
            strategic = 5 + min(features.strategic, 2)
        add_sample(state, "strategic", strategic)

    lead = [c.polarity for c in claims if c.kind == "lead"]
    if features.leadership or features.leadership_question or lead:
        if evasive or (lead and lead[-1] < 0):
            leadership = 3
        elif strong and (features.leadership or lead):
            leadership = 8 + (features.metrics > 0)
        elif lead:
            leadership = 7
        elif vague:
            leadership = 4
        else:
            leadership = 5 + min(features.leadership, 2)
        add_sample(state, "leadership", leadership)


def _suggestions(
    context: ChunkContext, state: dict, catalogue: SkillCatalogue
) -> list[InsightDraft]:
    """At most one follow-up question for a requirement nobody has talked about yet."""
    guest_chunks = state["counts"]["guest_chunks"]
    last = state.get("last_suggestion_at")
    if guest_chunks < FIRST_SUGGESTION_AT or (
        last is not None and guest_chunks - last < SUGGESTION_EVERY
    ):
        return []
    msgs = load_rules(context.language)["messages"]
    requirements = context.requirements if isinstance(context.requirements, dict) else {}
    candidates: list[tuple[str, str, str]] = []  # (key, content, question)
    for key in catalogue.required:
        name = catalogue.names.get(key, key)
        candidates.append(
            (
                key,
                msgs["requirement_content"].format(skill=name),
                msgs["requirement_question"].format(skill=name),
            )
        )
    english = requirements.get("english_level")
    if (
        english
        and context.language == "es"
        and guest_chunks >= ENGLISH_SUGGESTION_AT
        and not state["counts"]["english_chunks"]
    ):
        candidates.append(
            ("english", msgs["english_content"].format(level=english), msgs["english_question"])
        )
    for key in catalogue.nice_to_have:
        name = catalogue.names.get(key, key)
        candidates.append(
            (
                key,
                msgs["nice_to_have_content"].format(skill=name),
                msgs["requirement_question"].format(skill=name),
            )
        )
    for key, content, question in candidates:
        if key in state["covered_requirements"] or key in state["suggested"]:
            continue
        state["suggested"].append(key)
        state["last_suggestion_at"] = guest_chunks
        state["counts"]["suggestions"] += 1
        return [
            InsightDraft(
                type="suggestion",
                severity="info",
                content=content,
                suggestion=question,
                topic=f"requirement:{key}"[:100],
            )
        ]
    return []


def _language_note(
    context: ChunkContext, state: dict, chunk_language: str, features: AnswerFeatures
) -> InsightDraft | None:
    msgs = load_rules(context.language)["messages"]
    previous = state.get("last_guest_language", context.language)
    state["last_guest_language"] = chunk_language
    enough = False
    asked_in_english = (
        context.language != "en"
        and bool(context.question)
        and detect_language(context.question, context.language) == "en"
    )
    if asked_in_english and chunk_language != "en" and features.words >= 4:
        # Asked in English, answered in Spanish: that says something about the
        # candidate's English, and whatever little English came before counts now.
        add_sample(state, "english", FELL_BACK_ENGLISH)
        for sample, _ in state.pop("english_pending", []):
            add_sample(state, "english", sample)
    if chunk_language == "en":
        state["counts"]["english_chunks"] += 1
        cover(state, ["english"])
        score, errors, self_low, fluency = english_level(context.chunk.text)
        # Samples wait until the candidate has said enough in English; then every
        # waiting sample counts, weighed by its words.
        words = len(words_of(fold(context.chunk.text)))
        pending = state.setdefault("english_pending", [])
        pending.append([score, words])
        state["english_words"] = state.get("english_words", 0) + words
        enough = state["english_words"] >= MIN_LANGUAGE_WORDS
        if enough:
            # Weighed by words: a reply of a few words ("Uh, 2012?") says little
            # about a level and counts only if nothing longer was said.
            weights = [round(n / ENGLISH_WORDS_PER_SAMPLE) for _, n in pending]
            if not any(weights) and "english" not in state["samples"]:
                weights = [1] * len(pending)
            for (sample, _), weight in zip(pending, weights, strict=True):
                for _ in range(weight):
                    add_sample(state, "english", sample)
            pending.clear()
    if chunk_language == context.language or features.words < 4 or previous == chunk_language:
        return None
    if chunk_language == "en" and not enough:
        content = msgs["switch_to_english_short"].format(words=state["english_words"])
    elif chunk_language == "en":
        notes = []
        if errors:
            notes.append(msgs["english_errors"].format(errors=len(errors)))
        if self_low:
            notes.append(msgs["english_self"])
        if not notes:
            notes.append(msgs["english_fluent"] if fluency >= 2 else msgs["english_plain"])
        content = msgs["switch_to_english"].format(score=score, notes="; ".join(notes))
    else:
        # Falling back to Spanish in an English interview says something about
        # the candidate's English: one low sample, not a verdict.
        add_sample(state, "english", 4)
        content = msgs["switch_from_english"]
    return InsightDraft(
        type="note",
        severity="info",
        content=content,
        topic="language_switch",
        evidence=(sentences(context.chunk.text) or [context.chunk.text.strip()])[0],
    )


def _answer_so_far(context: ChunkContext, state: dict) -> dict:
    """The answer this chunk belongs to. Speech-to-text splits one answer into
    several final chunks; the answer is judged whole (the chunks so far), so a
    figure in the second chunk makes the first one's thin start a strong answer,
    and one answer raises one flag, not one per chunk."""
    question = (context.question or "").strip()
    answer = state.get("answer") or {}
    if state.get("last_role") == "guest" and answer.get("question") == question:
        return answer
    return {"question": question, "text": "", "raised": [], "added": {}}


def _rollback_samples(state: dict, added: dict) -> None:
    for dim, (total, count) in added.items():
        old_total, old_count = state["samples"].get(dim, [0, 0])
        if old_count - count <= 0:
            state["samples"].pop(dim, None)
        else:
            state["samples"][dim] = [round(old_total - total, 2), old_count - count]


def _samples_added(before: dict, after: dict) -> dict:
    added = {}
    for dim, (total, count) in after.items():
        old_total, old_count = before.get(dim, [0, 0])
        if count != old_count:
            added[dim] = [round(total - old_total, 2), count - old_count]
    return added


# Quotes kept per dimension for the scorecard: the answers that moved it most.
EVIDENCE_PER_DIMENSION = 2


def _note_evidence(
    state: dict, added: dict, insights: list[InsightDraft], context: ChunkContext
) -> None:
    """Remember, per dimension this answer moved, a verbatim quote of it, so the
    scorecard can quote the evidence for each score it gives."""
    if not added:
        return
    text = context.chunk.text
    quote = next((i.evidence for i in insights if i.evidence and i.evidence in text), None)
    quote = quote or max(sentences(text) or [text.strip()], key=len)
    evidence = state.setdefault("evidence", {})
    for dim, (total, count) in added.items():
        if not count:
            continue
        value = total / count
        entries = [e for e in evidence.get(dim, []) if e["answer"] != context.question]
        entries.append(
            {
                "transcript_id": context.chunk.transcript_id,
                "quote": quote[:MAX_QUOTE],
                "value": round(value, 1),
                "answer": context.question,
            }
        )
        # The answers furthest from the middle say most about the score.
        entries.sort(key=lambda e: -abs(e["value"] - 5.5))
        evidence[dim] = entries[:EVIDENCE_PER_DIMENSION]


def _is_candidate_question(text: str) -> bool:
    """The candidate asking ("¿y el salario es negociable?"): not an answer to judge."""
    stripped = text.strip()
    if len(words_of(fold(stripped))) > 30:
        return False
    said = [x for x in sentences(stripped) if not is_small_talk(x)]
    # "..., ¿no?" or "..., right?" after a statement is a tag: that sentence is said.
    return bool(said) and all(is_question(x) for x in said)


def _evidence_in(text: str, language: str, section: str, key: str) -> str:
    # Evidence must stand verbatim in this chunk (validation checks it).
    return best_sentence(text, language, section, key)


def _analyze_guest(
    context: ChunkContext, state: dict, catalogue: SkillCatalogue
) -> list[InsightDraft]:
    text = context.chunk.text
    msgs = load_rules(context.language)["messages"]
    chunk_language = detect_language(text, context.language)
    state["counts"]["guest_chunks"] += 1
    answer = _answer_so_far(context, state)
    whole = f"{answer['text']} {text}".strip()
    features = answer_features(whole, context.question, chunk_language, catalogue)
    cover(state, catalogue.keys_in(fold(text), catalogue.required + catalogue.nice_to_have))

    # The CV's employers, and those the candidate has named in the interview: a time
    # at one is held against the time said there before.
    named = state.setdefault("employers", [])
    for name in named_employers(whole, catalogue):
        if name not in named:
            named.append(name)
    companies = {**{fold(n): {"company": n} for n in named}, **cv_companies(context.cv_data)}
    # Claims are read on the answer so far (a sentence may span two chunks); those
    # this answer already recorded are not counted twice.
    this_answer = {
        (c["kind"], c["subject"], c["value"], c["polarity"])
        for c in state["claims"]
        if c.get("answer") == answer["question"] and answer["text"]
    }
    claims = [
        c
        for c in read_claims(whole, chunk_language, catalogue, companies, context.question)
        if (c.kind, c.subject, c.value, c.polarity) not in this_answer
    ]
    for claim in claims:
        if claim.sentence not in text:
            # Evidence must stand verbatim in this chunk.
            claim.sentence = max(sentences(text) or [text.strip()], key=len)
    contradictions = check_claims(claims, state, context, catalogue, companies)
    for claim in claims:
        state["claims"].append(
            {
                "kind": claim.kind,
                "value": claim.value,
                "subject": claim.subject,
                "polarity": claim.polarity,
                "transcript_id": context.chunk.transcript_id,
                "quote": claim.sentence[:MAX_QUOTE],
                "answer": answer["question"],
            }
        )

    # What the answer as a whole says: judged again with every chunk, counted once.
    _rollback_samples(state, answer["added"])
    raised = answer["raised"]
    quality = _quality(features)
    sentiment = _sentiment(features)
    insights: list[InsightDraft] = []
    for message, claim in contradictions:
        raised_key = f"{claim.kind}:{claim.subject}:{claim.polarity}:{claim.value}"
        if raised_key in state["contradictions_raised"]:
            continue
        state["contradictions_raised"].append(raised_key)
        insights.append(
            InsightDraft(
                type="contradiction",
                severity="warning",
                content=message,
                suggestion=msgs["contradiction_suggestion"],
                topic=claim.kind,
                evidence=claim.sentence,
            )
        )
    # A reply to a protected question never counts against the candidate, and the
    # candidate's own questions are not answers.
    protected_reply = bool(protected_grounds(context.question or "", context.language)[0])
    judged = not protected_reply and not _is_candidate_question(whole)
    if judged and not answer.get("counted"):
        answer["counted"] = True
        state["counts"]["answers"] += 1
    if not judged:
        pass  # nothing to judge: see above
    elif features.evasive and "evasive" not in raised:
        raised.append("evasive")
        question = (context.question or "").strip()
        insights.append(
            InsightDraft(
                type="red-flag",
                severity="warning",
                content=msgs["evasive_content"],
                suggestion=msgs["evasive_suggestion"].format(question=question[:300])
                if question
                else msgs["evasive_suggestion_default"],
                topic="evasive_answer",
                evidence=_evidence_in(text, chunk_language, "evasive", "phrases"),
            )
        )
    elif features.vague and not set(raised) & {"vague", "evasive", "strong"}:
        raised.append("vague")
        insights.append(
            InsightDraft(
                type="red-flag",
                severity="warning",
                content=msgs["vague_content"],
                suggestion=msgs["vague_suggestion"],
                topic="vague_answer",
                evidence=_evidence_in(text, chunk_language, "vague", "phrases"),
            )
        )
    elif features.strong and "strong" not in raised:
        raised.append("strong")
        details = []
        if features.metrics:
            details.append(msgs["strong_metrics"])
        if features.required_tools:
            tools = ", ".join(catalogue.names.get(k, k) for k in features.required_tools)
            details.append(msgs["strong_tools"].format(tools=tools))
        if features.situations and features.actions and features.results:
            details.append(msgs["strong_star"])
        elif features.actions:
            details.append(msgs["strong_actions"])
        insights.append(
            InsightDraft(
                type="green-flag",
                severity="success",
                content=msgs["strong_content"].format(details=", ".join(details)),
                topic="strong_answer",
                evidence=strongest_sentence(text, chunk_language, catalogue),
            )
        )
    chunk_features = answer_features(text, context.question, chunk_language, catalogue)
    note = _language_note(context, state, chunk_language, chunk_features)
    if note is not None:
        insights.append(note)
    if any(c[1].kind in {"years_total", "company_years", "company_never"} for c in contradictions):
        add_sample(state, "attitude", 3)  # about this chunk's claim: kept
    before = copy.deepcopy(state["samples"])
    if judged:
        _sample_dimensions(state, features, quality, claims, bool(contradictions))
    answer["added"] = _samples_added(before, state["samples"])
    answer["text"] = whole[-4000:]
    state["answer"] = answer
    _note_evidence(state, answer["added"], insights, context)

    for insight in insights:
        # The answer's own insights carry its quality and tone; suggestions below
        # are about the interview, not the answer.
        insight.response_quality = quality if judged else None
        insight.sentiment = sentiment if judged else None
        counter = {
            "red-flag": "red_flags",
            "green-flag": "green_flags",
            "contradiction": "contradictions",
            "note": "notes",
        }[insight.type]
        state["counts"][counter] += 1
        state["flags"].append(
            {
                "type": insight.type,
                "topic": insight.topic,
                "transcript_id": context.chunk.transcript_id,
            }
        )
    insights.extend(_suggestions(context, state, catalogue))
    return insights


def _is_pleasantry(context: ChunkContext, state: dict) -> bool:
    """Greetings, thanks, logistics: not answers. Read on the answer so far, since
    speech-to-text may split a pleasantry in two. (Whether the question was small
    talk is no guide: "bien. y en Creditu cómo es tu equipo" opens with one.)"""
    answer = _answer_so_far(context, state)
    whole = f"{answer['text']} {context.chunk.text}".strip()
    if not is_small_talk(whole):
        return False
    answer["text"] = whole
    state["answer"] = answer
    return True


def analyze(context: ChunkContext) -> ChunkAnalysis:
    """The synchronous heart of `BuiltinProvider.analyze_chunk`."""
    state = fresh_state(context.state)
    catalogue = catalogue_for(context.requirements, context.cv_data)
    if context.chunk.role == "host":
        insights = _analyze_host(context, state, catalogue)
    elif context.chunk.role == "guest" and _is_pleasantry(context, state):
        # Greetings, thanks, logistics: not an answer, so no flag and no score.
        state["counts"]["small_talk"] = state["counts"].get("small_talk", 0) + 1
        insights = []
    elif context.chunk.role == "guest" and context.chunk.text.strip():
        insights = _analyze_guest(context, state, catalogue)
    else:
        insights = []
    if context.chunk.role in ("host", "guest"):
        state["last_role"] = context.chunk.role
    state["scores"] = running_scores(state)
    for insight in insights:
        if insight.topic != PROTECTED_QUESTION_TOPIC:
            insight.score = dict(state["scores"]) or None
    return ChunkAnalysis(insights=insights, state=state)
