"""Candidate answers, one exchange at a time, written by authors who never read the
rules: vague, evasive, strong or ordinary, against what the built-in rules say.

    .venv/bin/python bench/eval_answers.py --split tuning
    .venv/bin/python bench/eval_answers.py --split tuning --errors   # misses, with text
    .venv/bin/python bench/eval_answers.py --split heldout           # to report only

Each file in `bench/data/answers/` has its own author, who had only `GUIDE.md`
there; `split.json` put one author per language in the tuning half and another in
the held-out half before any item was written. `--errors` refuses the held-out
half. An item is an interviewer's question and the candidate's whole answer, with
the job and the skills it requires (the position's requirements), labelled with
one of the four.

Each answer is analysed by the built-in provider on its own (a fresh interview
state), as `eval_interviews.py` counts it: vague = a red-flag with topic
`vague_answer`; evasive = sentiment `evasive` (or topic `evasive_answer`); strong =
a green-flag. It prints recall and precision per label, the alarms (vague or
evasive) on ordinary and strong answers, and the confusion table, overall and per
language.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import corpus  # noqa: E402

from interviews.analysis.base import ChunkContext, Utterance  # noqa: E402
from interviews.analysis.builtin import analyze  # noqa: E402

DATA = ROOT / "bench" / "data" / "answers"
KINDS = ("vague", "evasive", "strong")
LABELS = (*KINDS, "ordinary")


def load(split: str) -> list[dict]:
    return corpus.load(DATA, corpus.authors(DATA, split))


def predicted(item: dict) -> set[str]:
    """What the built-in provider raises on the item's answer."""
    context = ChunkContext(
        interview_id=1,
        language=item["language"],
        chunk=Utterance(transcript_id=1, speaker="speaker_1", role="guest", text=item["answer"]),
        question=item["question"],
        requirements={"technical_skills": item.get("skills") or [], "nice_to_have": []},
        cv_data={},
        state={},
    )
    insights = analyze(context).insights
    kinds = set()
    if any(i.type == "red-flag" and i.topic == "vague_answer" for i in insights):
        kinds.add("vague")
    if any(i.sentiment == "evasive" or i.topic == "evasive_answer" for i in insights):
        kinds.add("evasive")
    if any(i.type == "green-flag" for i in insights):
        kinds.add("strong")
    return kinds


def evaluate(split: str) -> tuple[dict, list, int]:
    """Per key ("all", "es", "en"): {"label": Counter of (label, kind) pairs,
    "n": Counter of labels, "raised": Counter of kinds raised}; the errors."""
    items = load(split)
    table: dict = defaultdict(lambda: {"pairs": Counter(), "n": Counter(), "raised": Counter()})
    errors = []
    for item in items:
        kinds = predicted(item)
        label = item["label"]
        for key in ("all", item["language"]):
            cell = table[key]
            cell["n"][label] += 1
            for kind in kinds:
                cell["raised"][kind] += 1
                cell["pairs"][(label, kind)] += 1
        wanted = {label} if label in KINDS else set()
        if kinds != wanted:
            errors.append((sorted(kinds), item))
    return dict(table), errors, len(items)


def main() -> int:
    parser = corpus.parser(__doc__)
    args = parser.parse_args()
    corpus.refuse_heldout_errors(parser, args)
    table, errors, size = evaluate(args.split)
    print(f"candidate answers, {args.split} ({size} exchanges)")
    for key in ("all", "es", "en"):
        cell = table.get(key)
        if not cell:
            continue
        print(f"\n{key}: {sum(cell['n'].values())} answers")
        print(f"  {'':10} {'recall':>14} {'precision':>14}")
        for kind in KINDS:
            hit = cell["pairs"][(kind, kind)]
            print(
                f"  {kind:10} {corpus.ratio(hit, cell['n'][kind]):>14} "
                f"{corpus.ratio(hit, cell['raised'][kind]):>14}"
            )
        for label in ("ordinary", "strong"):
            alarms = sum(cell["pairs"][(label, k)] for k in ("vague", "evasive"))
            print(f"  vague or evasive raised on {label} answers: {alarms}/{cell['n'][label]}")
        print(f"  {'labelled / raised':18}" + "".join(f"{k:>9}" for k in KINDS))
        for label in LABELS:
            row = "".join(f"{cell['pairs'][(label, k)]:>9}" for k in KINDS)
            print(f"  {label:18}{row}   (of {cell['n'][label]})")
    if args.errors:
        print()
        for kinds, item in errors:
            print(
                f"{item['id']} [{item['variety']}] {item['label']} -> raised {kinds or 'nothing'}\n"
                f"    Q: {item['question']}\n    A: {item['answer']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
