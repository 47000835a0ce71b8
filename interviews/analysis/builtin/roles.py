"""Role detection: which diarised speaker is the interviewer (host) and which the
candidate (guest), from several independent signals combined.

Each signal compares the two speakers and votes, between -1 and 1, for "the first
speaker is the host"; the votes are weighed and added, and the confidence is the
margin between the two hypotheses, pulled towards a coin toss while there is
little substantive speech. Greetings and small talk are left out of every signal
except the address by name, so they alone never make a guess confident.

The signals:

* asks: the share of a speaker's substantive turns that are questions (with or
  without a question mark: a turn or sentence opening with an interrogative),
  leaving out the questions a candidate asks back ("¿y vos?", "what are the next
  steps?") and counting late questions for half;
* requests: prompts and instructions ("contame", "cuéntame", "háblame de",
  "platícame", "cuénteme", "tell me about", "walk me through");
* names: who says the candidate's first name (the interviewer addressing them),
  who says the interviewer's first name (the candidate answering), leaving out
  "soy Marta" / "I'm Marta";
* CV: who speaks in the first person of the companies, titles and skills on the
  candidate's CV;
* company: who speaks of the hiring company from inside ("acá en", "nuestro
  equipo", "el puesto", "here at", "our team", "the role");
* share of talk: the candidate usually talks more.

The input is merged into turns (consecutive rows of one speaker), and only the
first ROLE_TURNS turns are read: so the same transcript gives the same roles
whether it arrived in one batch, chunk by chunk, or across a server restart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from interviews.analysis.base import ROLE_TURNS, People, RolesGuess, Utterance
from interviews.analysis.builtin.lexicon import (
    LATE_QUESTION_SHARE,
    MIN_ROLE_SPEAKERS,
    MIN_ROLE_UTTERANCES,
    fold,
    is_small_talk,
    phrase_patterns,
    sentences,
    words_of,
)

# Weights of the signals (the names and the CV come from the records, so they are
# the hardest to fool; share of talk is the weakest).
WEIGHTS = {"asks": 2.0, "requests": 2.0, "names": 2.5, "cv": 2.0, "company": 1.5, "share": 1.0}
# Substantive turns (not small talk) before a guess may be confident.
FULL_EVIDENCE_TURNS = 10
# How fast the combined margin turns into confidence.
MARGIN_GAIN = 2.5
MIN_CV_TERM = 3


@dataclass
class _Turn:
    speaker: str
    text: str
    folded: str
    small_talk: bool


def _phrases(key: str) -> tuple[tuple[str, re.Pattern], ...]:
    return phrase_patterns("es", "roles", key) + phrase_patterns("en", "roles", key)


def _count(key: str, folded: str) -> int:
    return sum(1 for _, rx in _phrases(key) if rx.search(folded))


def _turns(utterances: list[Utterance]) -> list[_Turn]:
    turns: list[_Turn] = []
    for u in utterances:
        if not u.speaker or not u.text or not u.text.strip():
            continue
        if turns and turns[-1].speaker == u.speaker:
            turns[-1].text += " " + u.text.strip()
        else:
            turns.append(_Turn(u.speaker, u.text.strip(), "", False))
    turns = turns[:ROLE_TURNS]
    for t in turns:
        t.folded = fold(t.text)
        t.small_talk = is_small_talk(t.text)
    return turns


def _is_question(text: str) -> bool:
    if "?" in text:
        return True
    for sentence in sentences(text) or [text]:
        start = fold(sentence).lstrip("\u00bf\u00a1 ").lstrip("y ").lstrip()
        if any(rx.match(start) for _, rx in _phrases("interrogatives")):
            return True
    return False


def _vote(a: float, b: float) -> float:
    """-1..1 for "a is the host", from two host-evidence amounts."""
    total = a + b
    if total <= 0:
        return 0.0
    # A single mention votes less than a pattern.
    return (a - b) / total * min(1.0, total / 3)


def _first_name(name: str) -> str:
    parts = words_of(fold(name or ""))
    return parts[0] if parts and len(parts[0]) >= 3 else ""


def _name_addressed(folded: str, name: str) -> int:
    """How often `name` is said to someone (not "soy <name>")."""
    if not name:
        return 0
    hits = 0
    for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
        before = folded[max(0, match.start() - 14) : match.start()]
        if any(rx.search(before) for _, rx in _phrases("self_introduction")):
            continue
        hits += 1
    return hits


def _cv_terms(cv_data: dict) -> list[str]:
    terms: set[str] = set()
    for job in cv_data.get("work") or []:
        if isinstance(job, dict):
            for key in ("company", "position"):
                value = fold(str(job.get(key) or ""))
                if len(value) >= MIN_CV_TERM:
                    terms.add(value)
    for skill in cv_data.get("skills") or []:
        value = fold(str(skill.get("name") if isinstance(skill, dict) else skill or ""))
        if len(value) >= MIN_CV_TERM:
            terms.add(value)
    return sorted(terms)


def _cv_first_person(turn: _Turn, terms: list[str]) -> bool:
    if not terms or not any(re.search(rf"(?<!\w){re.escape(t)}(?!\w)", turn.folded) for t in terms):
        return False
    return _count("first_person", turn.folded) > _count("second_person", turn.folded)


def signals(utterances: list[Utterance], people: People | None = None) -> dict | None:
    """Each signal's vote for "the first of the two main speakers is the host",
    with the speakers and the amount of substantive speech; None until there are
    enough turns from two speakers."""
    people = people or People()
    turns = _turns(utterances)
    speakers = sorted({t.speaker for t in turns})
    if len(turns) < MIN_ROLE_UTTERANCES or len(speakers) < MIN_ROLE_SPEAKERS:
        return None
    words = dict.fromkeys(speakers, 0)
    for t in turns:
        words[t.speaker] += len(words_of(t.folded))
    a, b = sorted(speakers, key=lambda s: (-words[s], s))[:2]
    a, b = sorted((a, b))
    stats = {
        s: {"sub": 0, "asks": 0.0, "requests": 0, "names": 0, "cv": 0, "company": 0, "words": 0}
        for s in (a, b)
    }
    candidate = _first_name(people.candidate_name)
    interviewer = _first_name(people.interviewer_name)
    terms = _cv_terms(people.cv_data or {})
    late_from = LATE_QUESTION_SHARE * len(turns)
    for index, t in enumerate(turns):
        if t.speaker not in stats:
            continue
        other = b if t.speaker == a else a
        # Names count in greetings too: "hola Martín" says who is who.
        stats[t.speaker]["names"] += min(2, _name_addressed(t.folded, candidate))
        stats[other]["names"] += min(2, _name_addressed(t.folded, interviewer))
        if t.small_talk:
            continue
        entry = stats[t.speaker]
        entry["sub"] += 1
        entry["words"] += len(words_of(t.folded))
        entry["requests"] += min(2, _count("requests", t.folded))
        entry["company"] += min(2, _count("company_we", t.folded))
        if _cv_first_person(t, terms):
            stats[other]["cv"] += 1
        if _is_question(t.text) and not _count("guest_question_markers", t.folded):
            entry["asks"] += 0.5 if index >= late_from else 1.0
    sub = stats[a]["sub"] + stats[b]["sub"]

    def rate(s: str, key: str) -> float:
        return stats[s][key] / stats[s]["sub"] if stats[s]["sub"] else 0.0

    total_words = stats[a]["words"] + stats[b]["words"]
    share_vote = 0.0
    if total_words and stats[a]["sub"] and stats[b]["sub"]:
        share_vote = max(-1.0, min(1.0, 2 * (stats[b]["words"] - stats[a]["words"]) / total_words))
    votes = {
        "asks": max(-1.0, min(1.0, rate(a, "asks") - rate(b, "asks")))
        * min(1.0, (stats[a]["asks"] + stats[b]["asks"]) / 2),
        "requests": _vote(stats[a]["requests"], stats[b]["requests"]),
        "names": _vote(stats[a]["names"], stats[b]["names"]),
        "cv": _vote(stats[a]["cv"], stats[b]["cv"]),
        "company": _vote(stats[a]["company"], stats[b]["company"]),
        "share": share_vote,
    }
    return {"first": a, "second": b, "votes": votes, "substantive_turns": sub}


def detect_roles_sync(
    utterances: list[Utterance], language: str, people: People | None = None
) -> RolesGuess | None:
    """Who is the interviewer; None until we can tell. Deterministic: a function of
    the first ROLE_TURNS turns of the transcript, however they arrived."""
    found = signals(utterances, people)
    if found is None:
        return None
    votes = found["votes"]
    total = sum(WEIGHTS[k] * v for k, v in votes.items())
    a, b = found["first"], found["second"]
    host, guest = (a, b) if total >= 0 else (b, a)
    if total == 0:
        return RolesGuess(host=host, guest=guest, confidence=50)
    margin = abs(total) / sum(WEIGHTS.values())
    confidence = 50 + 50 * math.tanh(MARGIN_GAIN * margin)
    # Little substantive speech (greetings, "¿me escuchás?"): towards a coin toss.
    evidence = min(1.0, found["substantive_turns"] / FULL_EVIDENCE_TURNS)
    confidence = 50 + (confidence - 50) * evidence
    return RolesGuess(host=host, guest=guest, confidence=max(50, min(99, int(confidence + 0.5))))
