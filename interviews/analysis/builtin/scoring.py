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


def running_scores(state: dict) -> dict[str, int]:
    scores = {}
    for dim in DIMENSIONS:
        total, count = state["samples"].get(dim, [0, 0])
        if count:
            scores[dim] = max(1, min(10, int(total / count + 0.5)))
    return scores


def cover(state: dict, keys: list[str]) -> None:
    for key in keys:
        if key not in state["covered_requirements"]:
            state["covered_requirements"].append(key)
