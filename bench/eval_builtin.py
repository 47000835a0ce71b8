"""Precision and recall of the built-in provider on the labelled evaluation set.

    .venv/bin/python bench/eval_builtin.py            # the table
    .venv/bin/python bench/eval_builtin.py --errors   # plus every misclassified line
    .venv/bin/python bench/eval_builtin.py --set holdout

The set (`bench/data/builtin_eval_{es,en}.jsonl`) was written before the rules were
tuned; `--set holdout` runs `builtin_holdout_{es,en}.jsonl`, a smaller set written
after tuning and never tuned on (the honest estimate of generalisation). One line
per example:

    {"id", "behaviour", "language" (the interview's), "question", "answer",
     "expected": true|false, ...}

and, per behaviour:

* vague / evasive / strong: a guest `answer` to the host `question` (strong lines
  carry the position's `requirements`); detected as a red-flag with topic
  `vague_answer`, an insight with sentiment `evasive`, a green-flag;
* contradiction: `prior` (earlier answers of the same candidate, analysed first)
  and `cv_data`; detected as a `contradiction` insight on the answer;
* protected_question: the host's `question` (answer empty); detected as a note with
  topic `protected_question`;
* language_switch: an answer in the other language than the interview's (es
  interview answered in English, en interview answered in Spanish); detected as a
  note with topic `language_switch`. Spanish-interview lines also carry the
  `english_level` a reader would give (high/mid/low), checked against the English
  score (high >= 7, low <= 5).

No Django and no database: the provider is pure, so this imports it directly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from interviews.analysis.base import PROTECTED_QUESTION_TOPIC, ChunkContext, Utterance  # noqa: E402
from interviews.analysis.builtin import analyze  # noqa: E402
from interviews.analysis.builtin.features import english_level  # noqa: E402

DATA = ROOT / "bench" / "data"
BEHAVIOURS = (
    "vague",
    "evasive",
    "strong",
    "contradiction",
    "protected_question",
    "language_switch",
)
LANGUAGES = ("es", "en")


SETS = {"eval": "builtin_eval_{}.jsonl", "holdout": "builtin_holdout_{}.jsonl"}


def load(language: str, dataset: str = "eval") -> list[dict]:
    path = DATA / SETS[dataset].format(language)
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _context(line: dict, *, role: str, text: str, question: str | None, state: dict, n: int):
    return ChunkContext(
        interview_id=1,
        language=line["language"],
        chunk=Utterance(
            transcript_id=n,
            speaker="speaker_1" if role == "guest" else "speaker_0",
            role=role,
            text=text,
        ),
        question=question,
        requirements=line.get("requirements") or {},
        cv_data=line.get("cv_data") or {},
        state=state,
    )


def run_line(line: dict):
    """The provider's analysis of the line's last chunk: (insights, state)."""
    behaviour = line["behaviour"]
    if behaviour == "protected_question":
        result = analyze(
            _context(line, role="host", text=line["question"], question=None, state={}, n=1)
        )
        return result.insights, result.state
    state: dict = {}
    n = 0
    for prior in line.get("prior") or []:
        n += 1
        state = analyze(
            _context(line, role="guest", text=prior, question=line["question"], state=state, n=n)
        ).state
    n += 1
    result = analyze(
        _context(
            line, role="guest", text=line["answer"], question=line["question"], state=state, n=n
        )
    )
    return result.insights, result.state


def detected(behaviour: str, insights) -> bool:
    if behaviour == "vague":
        return any(i.type == "red-flag" and i.topic == "vague_answer" for i in insights)
    if behaviour == "evasive":
        return any(i.sentiment == "evasive" for i in insights)
    if behaviour == "strong":
        return any(i.type == "green-flag" for i in insights)
    if behaviour == "contradiction":
        return any(i.type == "contradiction" for i in insights)
    if behaviour == "protected_question":
        return any(
            i.topic == PROTECTED_QUESTION_TOPIC and i.severity == "critical" for i in insights
        )
    if behaviour == "language_switch":
        return any(i.type == "note" and i.topic == "language_switch" for i in insights)
    raise ValueError(behaviour)


def evaluate(dataset: str = "eval") -> tuple[dict, list[dict], dict]:
    """(metrics per (behaviour, language), misclassified lines, English-level check)."""
    counts: dict = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
    errors: list[dict] = []
    level = {"checked": 0, "right": 0, "wrong": []}
    for language in LANGUAGES:
        for line in load(language, dataset):
            insights, _state = run_line(line)
            got = detected(line["behaviour"], insights)
            cell = counts[(line["behaviour"], language)]
            key = ("t" if got == line["expected"] else "f") + ("p" if got else "n")
            cell[key] += 1
            if got != line["expected"]:
                errors.append({**line, "got": got})
            expected_level = line.get("english_level")
            if expected_level in ("high", "low"):
                # One answer is under the 40 English words a level needs before the
                # running score moves (issue 16), so the estimator is measured
                # directly on the answer.
                score = english_level(line["answer"])[0]
                ok = score is not None and (score >= 7 if expected_level == "high" else score <= 5)
                level["checked"] += 1
                level["right"] += ok
                if not ok:
                    level["wrong"].append((line["id"], expected_level, score))
    metrics = {}
    for key, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        metrics[key] = {**c, "precision": precision, "recall": recall}
    return metrics, errors, level


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list misclassified lines")
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="eval",
        dest="dataset",
        help="eval: the labelled set the rules were tuned on; holdout: a smaller set "
        "written after tuning and never tuned on",
    )
    args = parser.parse_args()
    metrics, errors, level = evaluate(args.dataset)
    print(f"set: {args.dataset}")
    print(
        f"{'behaviour':<20} {'lang':<4} {'pos':>4} {'neg':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}"
    )
    for behaviour in BEHAVIOURS:
        for language in LANGUAGES:
            m = metrics.get((behaviour, language))
            if not m:
                continue
            pos, neg = m["tp"] + m["fn"], m["tn"] + m["fp"]
            print(
                f"{behaviour:<20} {language:<4} {pos:>4} {neg:>4} {m['tp']:>4} {m['fp']:>4} {m['fn']:>4}"
                f" {m['precision']:>9.2f} {m['recall']:>7.2f}"
            )
    if level["checked"]:
        print(
            f"\nEnglish level (es interviews switching to English, high>=7 / low<=5):"
            f" {level['right']}/{level['checked']} right"
        )
    if args.errors:
        print("\nMisclassified:")
        for e in errors:
            print(
                f"  {e['id']} {e['behaviour']} expected={e['expected']} got={e['got']}: {e['answer'] or e['question']}"
            )
        for item in level["wrong"]:
            print(f"  english level {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
