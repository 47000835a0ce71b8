"""Protected-ground questions, one interviewer turn at a time, written by authors
who never read the rules: what the built-in rules flag, and what they leave alone.

    .venv/bin/python bench/eval_protected.py --split tuning
    .venv/bin/python bench/eval_protected.py --split tuning --errors   # misses, with text
    .venv/bin/python bench/eval_protected.py --split heldout           # to report only
    .venv/bin/python bench/eval_protected.py --split heldout --round 1 # one round's authors

Each file in `bench/data/protected/` has its own author, who had only `GUIDE.md`
there; `split.json` put one author per language in the tuning half and another in
the held-out half before any item of a round was written (two rounds, four authors
each). `--errors` refuses the held-out
half. An item is an interviewer's whole turn (lead-ins, fillers, no punctuation
sometimes) labelled `protected` (with its ground), `lawful` (a look-alike that must
raise nothing: work authorisation, availability, notice, relocation, languages,
years of experience, an offered accommodation) or `none`.

It prints recall (a protected turn raises a protected-question note), recall of
the right ground, and false alarms on lawful look-alikes and ordinary questions,
overall, per language variety and per ground.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "protected"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

# The guide's grounds, as the rules name them.
GROUND = {
    "age": "age",
    "children_family": "family",
    "marital_status": "marital_status",
    "origin_nationality": "origin",
    "religion": "religion",
    "health_disability": "health",
    "union": "union",
    "sexual_orientation": "sexual_orientation",
}


def load(split: str, rounds: list[str]) -> list[dict]:
    split_of = json.loads((DATA / "split.json").read_text())["rounds"]
    halves = ["tuning", "heldout"] if split == "all" else [split]
    names = [name for r in rounds for half in halves for name in split_of[r][half]]
    return corpus.load(DATA, names)


def evaluate(split: str, rounds: list[str]) -> tuple[dict[str, list[int]], list, int]:
    """Counts per key ("all", a variety, "ground <name>"): [protected, flagged, right
    ground, lawful, alarms on them, ordinary, alarms on them]; the errors; the
    number of items."""
    from interviews.analysis.builtin.chunks import protected_grounds

    items = load(split, rounds)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    errors = []
    for item in items:
        grounds, _evidence = protected_grounds(item["text"], item["language"])
        keys = ["all", item["variety"]]
        if item["label"] == "protected":
            keys.append(f"ground {item['ground']}")
            right = GROUND[item["ground"]] in grounds
            for key in keys:
                counts[key][0] += 1
                counts[key][1] += bool(grounds)
                counts[key][2] += right
            if not right:
                errors.append(("missed" if not grounds else f"ground {grounds}", item))
        else:
            slot = 3 if item["label"] == "lawful" else 5
            for key in keys:
                counts[key][slot] += 1
                counts[key][slot + 1] += bool(grounds)
            if grounds:
                errors.append((f"false alarm {grounds}", item))
    return dict(counts), errors, len(items)


def main() -> int:
    parser = corpus.parser(__doc__)
    parser.add_argument("--round", choices=["1", "2", "all"], default="all")
    args = parser.parse_args()
    corpus.refuse_heldout_errors(parser, args)

    rounds = ["1", "2"] if args.round == "all" else [args.round]
    counts, errors, size = evaluate(args.split, rounds)
    print(f"protected questions, {args.split}, round {args.round} ({size} interviewer turns)")
    print(f"{'':24} {'recall':>16} {'right ground':>16} {'lawful alarms':>16} {'other alarms':>16}")
    for key in sorted(counts, key=lambda k: (k != "all", k.startswith("ground"), k)):
        p, f, r, lawful, la, none, na = counts[key]
        print(
            f"{key:24} {corpus.ratio(f, p):>16} {corpus.ratio(r, p):>16} {corpus.ratio(la, lawful):>16} "
            f"{corpus.ratio(na, none):>16}"
        )
    if args.errors:
        print()
        for what, item in errors:
            label = item.get("ground") or item.get("topic") or item["label"]
            print(f"{item['id']} [{item['variety']}] {label}: {what}\n    {item['text']}")
    return 0


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interview_companion.settings")
    django.setup()
    raise SystemExit(main())
