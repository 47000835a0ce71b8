"""The running state of an interview (samples per dimension, requirements covered)
and the running scores computed from it."""

from __future__ import annotations

import copy

from candidates.requirements import DIMENSIONS
from interviews.analysis.builtin.lexicon import (
    STATE_VERSION,
)

# ------------------------------------------------------------------------- state


def fresh_state(state: dict | None) -> dict:
    state = copy.deepcopy(state) if isinstance(state, dict) else {}
    state.setdefault("version", STATE_VERSION)
    counts = state.setdefault("counts", {})
    for key in (
        "guest_chunks",
        "host_chunks",
        "red_flags",
        "green_flags",
        "contradictions",
        "suggestions",
        "notes",
        "protected_questions",
        "english_chunks",
        "answers",
    ):
        counts.setdefault(key, 0)
    state.setdefault("flags", [])
    state.setdefault("covered_requirements", [])
    state.setdefault("suggested", [])
    state.setdefault("claims", [])
    state.setdefault("contradictions_raised", [])
    state.setdefault("samples", {})
    state.setdefault("scores", {})
    state.setdefault("protected", [])
    return state


def add_sample(state: dict, dimension: str, value: float) -> None:
    total, count = state["samples"].get(dimension, [0, 0])
    state["samples"][dimension] = [round(total + max(1.0, min(10.0, value)), 2), count + 1]


# Per-answer samples sit between 3 and 8, and their average drifts to the middle;
# the rubric (interviews/analysis/rubric.toml) uses the whole scale. Averages are
# stretched around the scale's middle by this factor (tuned on the tuning half of
# bench/data/interviews: 1.7 before the interview-wide shares below existed; with
# them, 1.4 sits between 1.2 and 1.7, both worse on the second batch). English
# levels are absolute already: not stretched.
CALIBRATION_MIDDLE = 5.5
CALIBRATION_STRETCH = 1.4
UNSTRETCHED = frozenset({"english"})


# The interview as a whole weighs on every dimension: the share of answers that
# were vague, evasive or contradicted lowers a score, the share of concrete answers
# raises it (by up to these many points when every answer was so). An
# ordinary answer's sample says little; the pattern across answers says more.
PROBLEM_WEIGHT = 3.0
STRONG_WEIGHT = 1.5
# Attitude already takes each evasive or vague answer as its own sample; strategy
# and leadership are not shown by concrete answers about other things.
PATTERN_LOWERED = frozenset({"technical", "communication", "strategic", "leadership"})
PATTERN_RAISED = frozenset({"technical", "communication"})
# The shares wait for this many judged answers.
MIN_ANSWERS_FOR_SHARES = 4


def _shares(state: dict) -> tuple[float, float]:
    answers = state["counts"].get("answers", 0)
    if answers < MIN_ANSWERS_FOR_SHARES:
        return 0.0, 0.0
    flags = state.get("flags", [])
    problems = sum(
        1
        for f in flags
        if f.get("type") == "contradiction" or f.get("topic") in ("vague_answer", "evasive_answer")
    )
    strong = sum(1 for f in flags if f.get("type") == "green-flag")
    return min(1.0, problems / answers), min(1.0, strong / answers)


def running_scores(state: dict) -> dict[str, int]:
    """Scores 1-10 per dimension with evidence; a dimension without any sample is
    left out ("not enough evidence yet")."""
    scores = {}
    problems, strong = _shares(state)
    for dim in DIMENSIONS:
        total, count = state["samples"].get(dim, [0, 0])
        if count:
            mean = total / count
            if dim not in UNSTRETCHED:
                mean = CALIBRATION_MIDDLE + CALIBRATION_STRETCH * (mean - CALIBRATION_MIDDLE)
                if dim in PATTERN_LOWERED:
                    mean -= PROBLEM_WEIGHT * problems
                if dim in PATTERN_RAISED:
                    mean += STRONG_WEIGHT * strong
            scores[dim] = max(1, min(10, int(mean + 0.5)))
    return scores


def cover(state: dict, keys: list[str]) -> None:
    for key in keys:
        if key not in state["covered_requirements"]:
            state["covered_requirements"].append(key)
