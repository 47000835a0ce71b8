"""Role detection: which diarised speaker is the interviewer (host) and which the
candidate (guest)."""

from __future__ import annotations

import re

from interviews.analysis.base import RolesGuess, Utterance
from interviews.analysis.builtin.lexicon import (
    LATE_QUESTION_SHARE,
    MIN_ROLE_SPEAKERS,
    MIN_ROLE_UTTERANCES,
    fold,
    phrase_patterns,
    words_of,
)

# ------------------------------------------------------------------------- roles


def _role_phrases(key: str) -> tuple[tuple[str, re.Pattern], ...]:
    return phrase_patterns("es", "roles", key) + phrase_patterns("en", "roles", key)


def _is_question(text: str, folded: str) -> bool:
    if "?" in text:
        return True
    start = folded.lstrip("\u00bf\u00a1 ")
    return any(rx.match(start) for _, rx in _role_phrases("interrogatives"))


def detect_roles_sync(utterances: list[Utterance], language: str) -> RolesGuess | None:
    """Who asks the questions (host) and who answers (guest); None until we can tell.

    Never assumes speaker_0: each speaker is scored on questions asked (those in the
    last quarter of the talk weigh half, and questions about "your team"/"vuestro
    equipo" count for the candidate), host phrases (welcome, presenting the role)
    and shorter turns.
    """
    spoken = [u for u in utterances if u.speaker and u.text and u.text.strip()]
    speakers = sorted({u.speaker for u in spoken})
    if len(spoken) < MIN_ROLE_UTTERANCES or len(speakers) < MIN_ROLE_SPEAKERS:
        return None
    stats = {
        s: {"n": 0, "questions": 0.0, "host": 0, "guest_questions": 0, "words": 0} for s in speakers
    }
    late_from = LATE_QUESTION_SHARE * len(spoken)
    for index, u in enumerate(spoken):
        folded = fold(u.text)
        entry = stats[u.speaker]
        entry["n"] += 1
        entry["words"] += len(words_of(folded))
        entry["host"] += min(
            2, sum(1 for _, rx in _role_phrases("host_phrases") if rx.search(folded))
        )
        if _is_question(u.text, folded):
            if any(rx.search(folded) for _, rx in _role_phrases("guest_question_markers")):
                entry["guest_questions"] += 1
            else:
                entry["questions"] += 0.5 if index >= late_from else 1.0
    ranked = sorted(speakers, key=lambda s: (-stats[s]["n"], s))[:2]

    def host_score(s: str) -> float:
        e = stats[s]
        return (e["questions"] + 0.5 * e["host"] - 0.5 * e["guest_questions"]) / e["n"]

    scores = {s: host_score(s) for s in ranked}
    avg_words = {s: stats[s]["words"] / stats[s]["n"] for s in ranked}
    shorter = min(ranked, key=lambda s: (avg_words[s], s))
    if avg_words[ranked[0]] != avg_words[ranked[1]]:
        scores[shorter] += 0.3
    host, guest = sorted(ranked, key=lambda s: (-scores[s], s))
    margin = scores[host] - scores[guest]
    confidence = 50 + 50 * min(1.0, margin)
    # Little speech: pull the confidence towards a coin toss.
    confidence = 50 + (confidence - 50) * min(1.0, len(spoken) / 8)
    return RolesGuess(host=host, guest=guest, confidence=max(0, min(100, int(confidence + 0.5))))
