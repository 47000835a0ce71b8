"""Protected questions stay recognised as measured, and never start firing on
ordinary or lawful questions.

The numbers come from `bench/eval_protected.py` on `bench/data/protected/`
(interviewer turns by eight authors who never read the rules). On the tuning
authors, recall measured 0.99 and no alarm: the floor sits a little below, so a
rule change that loses phrasings fails here. The held-out authors are never tuned
on: only their alarms are asserted (measured 5 on 120 look-alikes and none on 96
ordinary questions), as a guard against patterns that grow too wide.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "eval_protected.py"
_spec = importlib.util.spec_from_file_location("eval_protected", BENCH)
eval_protected = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_protected)

MIN_TUNING_RECALL = 0.95
MAX_HELDOUT_LOOKALIKE_ALARMS = 6


@pytest.fixture(scope="module")
def tuning():
    return eval_protected.evaluate("tuning", ["1", "2"])


@pytest.fixture(scope="module")
def heldout():
    return eval_protected.evaluate("heldout", ["1", "2"])


def test_the_tuning_authors_protected_questions_stay_recognised(tuning):
    counts, _errors, size = tuning
    protected, flagged, right, lawful, lawful_alarms, ordinary, ordinary_alarms = counts["all"]
    assert lawful == 120 and ordinary == 96
    assert size == 600 and protected == 384
    assert flagged / protected >= MIN_TUNING_RECALL
    assert right / protected >= MIN_TUNING_RECALL
    assert lawful_alarms == 0 and ordinary_alarms == 0


def test_every_ground_and_variety_is_in_the_corpus(tuning, heldout):
    for counts, _errors, _size in (tuning, heldout):
        for ground in eval_protected.GROUND:
            assert counts[f"ground {ground}"][0] >= 40
        for variety in ("es-es", "es-mx", "es-ar", "es-uy", "es-co", "es-cl"):
            assert counts[variety][0] >= 20
        for variety in ("en-us", "en-gb", "en-in"):
            assert counts[variety][0] >= 40


def test_unseen_authors_ordinary_and_lawful_questions_stay_quiet(heldout):
    counts, _errors, _size = heldout
    _p, _f, _r, lawful, lawful_alarms, ordinary, ordinary_alarms = counts["all"]
    assert lawful == 120 and ordinary == 96
    assert ordinary_alarms == 0
    assert lawful_alarms <= MAX_HELDOUT_LOOKALIKE_ALARMS
