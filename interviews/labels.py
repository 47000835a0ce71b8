"""Codes turned into words, in the page's language: one place, used by every page,
the report, the CSV and the Jira hand-off.

A function per kind of code (insight type, severity, sentiment, topic, role, speaker,
role-detection confidence, answer quality). Each takes the stored code and returns
what a person reads; a code it does not know comes back readable, never as the code
itself with its underscores. The live page's JavaScript gets the same words once, as
`live_labels()` in a JSON script element, so it never spells a code on its own.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_lazy

from candidates.skills import skill_key
from interviews.models import (
    PROTECTED_QUESTION_TOPIC,
    InsightType,
    Interview,
    InterviewStatus,
    Recommendation,
    ScorecardState,
    Sentiment,
    Severity,
    SpeakerRole,
)

DIMENSION_LABELS = {
    "attitude": gettext_lazy("Attitude"),
    "communication": gettext_lazy("Communication"),
    "technical": gettext_lazy("Technical"),
    "strategic": gettext_lazy("Strategic"),
    "leadership": gettext_lazy("Leadership"),
    "english": gettext_lazy("English"),
}

# Topics the built-in provider writes (interviews/analysis/builtin/chunks.py and the
# contradiction kinds of claims.py). An LLM provider's topics are free text ("Django")
# and are shown as written.
TOPIC_LABELS = {
    PROTECTED_QUESTION_TOPIC: gettext_lazy("Protected question"),
    "vague_answer": gettext_lazy("Vague answer"),
    "evasive_answer": gettext_lazy("Evasive answer"),
    "strong_answer": gettext_lazy("Strong answer"),
    "language_switch": gettext_lazy("Language switch"),
    "years_total": gettext_lazy("Years of experience"),
    "skill_years": gettext_lazy("Years with a skill"),
    "skill_use": gettext_lazy("Use of a skill"),
    "lead": gettext_lazy("Leading a team"),
    "company_years": gettext_lazy("Time at a company"),
    "company_never": gettext_lazy("Where they worked"),
}

# Requirement keys that are not skills of the position.
REQUIREMENT_LABELS = {
    "english": gettext_lazy("English level"),
    "experience": gettext_lazy("Experience"),
}

REQUIREMENT_PREFIX = "requirement:"

# Role detection at or above this confidence reads "sure"; below it the live page asks
# the interviewer to check (the built-in detector says 50 for a coin toss).
ROLES_SURE_AT = 80

_CODE = re.compile(r"^[a-z0-9]+(?:[_\-][a-z0-9]+)+$")


def readable(code: str) -> str:
    """An unknown code as words: "system_design" -> "System design"."""
    text = str(code or "").strip()
    if _CODE.match(text):
        text = re.sub(r"[_\-]+", " ", text)
        return text[:1].upper() + text[1:]
    return text


def _choice(choices, code: str | None) -> str:
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return readable(code)


def insight_type_label(code: str | None) -> str:
    return _choice(InsightType, code)


def severity_label(code: str | None) -> str:
    return _choice(Severity, code)


def sentiment_label(code: str | None) -> str:
    return _choice(Sentiment, code)


def recommendation_label(code: str | None) -> str:
    return _choice(Recommendation, code)


def scorecard_state_label(code: str | None) -> str:
    return _choice(ScorecardState, code)


def role_label(code: str | None) -> str:
    return _choice(SpeakerRole, code) if code else gettext("Unassigned")


def speaker_label(speaker: str | None) -> str:
    """A diarised speaker id as words: "speaker_0" -> "Speaker 1" (people count from
    one)."""
    match = re.fullmatch(r"speaker_(\d+)", speaker or "")
    if match:
        return gettext("Speaker %(n)s") % {"n": int(match.group(1)) + 1}
    return speaker or "?"


def quality_label(quality: int | None) -> str:
    if quality is None:
        return ""
    return gettext("Answer quality %(q)s/10") % {"q": quality}


def skill_names(requirements: dict | None) -> dict[str, str]:
    """The position's skills by their key, as the position spells them."""
    requirements = requirements or {}
    names: dict[str, str] = {}
    for name in [
        *(requirements.get("technical_skills") or []),
        *(requirements.get("nice_to_have") or []),
    ]:
        names.setdefault(skill_key(str(name)), str(name))
    return names


def topic_label(topic: str | None, names: dict[str, str] | None = None) -> str:
    """An insight's topic in words. `names` maps skill keys to the position's own
    spelling (`skill_names`), for "requirement:<key>" topics."""
    if not topic:
        return ""
    if topic in TOPIC_LABELS:
        return str(TOPIC_LABELS[topic])
    if topic.startswith(REQUIREMENT_PREFIX):
        key = topic[len(REQUIREMENT_PREFIX) :]
        if key in REQUIREMENT_LABELS:
            name = str(REQUIREMENT_LABELS[key])
        else:
            name = (names or {}).get(key) or (names or {}).get(skill_key(key)) or key
        return gettext("Requirement: %(name)s") % {"name": name}
    return readable(topic)


def requirements_in_words(topics: list[dict]) -> list[dict]:
    """`selectors.interview_topics` rows with a requirement that is not a skill
    ("english") named in words."""
    return [
        {**t, "name": str(REQUIREMENT_LABELS[t["key"]])}
        if t.get("key") in REQUIREMENT_LABELS
        else t
        for t in topics
    ]


def insight_labels(insight, names: dict[str, str] | None = None) -> dict[str, str]:
    """Every code of one insight in words."""
    return {
        "type": insight_type_label(insight.type),
        "severity": severity_label(insight.severity),
        "topic": topic_label(insight.topic, names),
        "sentiment": sentiment_label(insight.sentiment),
        "quality": quality_label(insight.response_quality),
    }


def live_labels(interview: Interview) -> dict:
    """What the live page's JavaScript shows for the codes the feed sends, in the
    page's language (a JSON script element: events carry codes, never words, since
    one event reaches viewers reading different languages)."""
    requirements = (interview.job_position.requirements or {}) if interview.job_position else {}
    return {
        "status": {c: str(label) for c, label in InterviewStatus.choices},
        "type": {c: str(label) for c, label in InsightType.choices},
        "severity": {c: str(label) for c, label in Severity.choices},
        "sentiment": {c: str(label) for c, label in Sentiment.choices},
        "role": {c: str(label) for c, label in SpeakerRole.choices},
        "dimension": {c: str(label) for c, label in DIMENSION_LABELS.items()},
        "recommendation": {c: str(label) for c, label in Recommendation.choices},
        "topic": {c: str(label) for c, label in TOPIC_LABELS.items()},
        "requirement": {
            **{k: str(v) for k, v in skill_names(requirements).items()},
            **{k: str(v) for k, v in REQUIREMENT_LABELS.items()},
        },
        # Formats with a %s JavaScript fills in.
        "requirement_format": gettext("Requirement: %(name)s") % {"name": "%s"},
        "speaker_format": gettext("Speaker %(n)s") % {"n": "%s"},
        "quality_format": gettext("Answer quality %(q)s/10") % {"q": "%s"},
        "roles_sure_at": ROLES_SURE_AT,
        "sure": gettext("sure"),
        "check": gettext("probably: check"),
        # The candidate's answer to the notice (interviews/notices.py).
        "notice": {
            "agreed": gettext("The candidate agreed to recording"),
            "declined": gettext("The candidate declined: no recording, no AI"),
            "none": gettext("Not read yet"),
        },
        "interviewer_name": interview.interviewer.get_full_name(),
        "candidate_name": interview.candidate.name,
    }
