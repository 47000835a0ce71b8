"""Contradictions with an earlier answer or with the CV, in short stretches of
interviews written by authors who never read the rules.

    .venv/bin/python bench/eval_contradictions.py --split tuning
    .venv/bin/python bench/eval_contradictions.py --split tuning --errors   # with text
    .venv/bin/python bench/eval_contradictions.py --split heldout           # to report only

Each file in `bench/data/contradictions/` has its own author, who had only
`GUIDE.md` there; `split.json` put one author per language in the tuning half and
another in the held-out half before any item was written. `--errors` refuses the
held-out half. An item is a parsed CV and two to four exchanges; only the last
answer is judged: a `contradiction` (of an earlier answer or of the CV, with its
kind) or `consistent` (a look-alike: other words or units, a rounded figure, a
figure about something else, a correction the candidate makes).

The answers are analysed in order by the built-in provider with the interview's
running state, the CV parsed on 2026-12-01 (the day the interviews take place). It
prints recall on contradictions (a `contradiction` insight on the last answer),
per reference and kind, and false alarms: on consistent last answers, and on any
earlier answer.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import corpus  # noqa: E402

from interviews.analysis.base import ChunkContext, Utterance  # noqa: E402
from interviews.analysis.builtin import analyze  # noqa: E402

DATA = ROOT / "bench" / "data" / "contradictions"
PARSED_AT = "2026-12-01"


def load(split: str) -> list[dict]:
    return corpus.load(DATA, corpus.authors(DATA, split))


def raised(item: dict) -> list[bool]:
    """For each answer in order: whether a contradiction was raised on it."""
    cv = {"parsed_at": PARSED_AT, **item["cv"]}
    skills = [s.get("name") for s in cv.get("skills") or [] if isinstance(s, dict)]
    state: dict = {}
    out = []
    for n, exchange in enumerate(item["exchanges"], 1):
        result = analyze(
            ChunkContext(
                interview_id=1,
                language=item["language"],
                chunk=Utterance(
                    transcript_id=n, speaker="speaker_1", role="guest", text=exchange["answer"]
                ),
                question=exchange["question"],
                requirements={"technical_skills": [s for s in skills if s], "nice_to_have": []},
                cv_data=cv,
                state=state,
            )
        )
        state = result.state
        out.append(any(i.type == "contradiction" for i in result.insights))
    return out


def evaluate(split: str) -> tuple[dict, list, int]:
    """Counts per key ("all", "es", "en", "ref cv", "ref earlier", "kind <k>"):
    [contradictions, found, consistent, alarms on them, earlier answers, alarms on
    them]; the errors; the number of items."""
    counts: dict = defaultdict(lambda: [0] * 6)
    errors = []
    items = load(split)
    for item in items:
        flags = raised(item)
        last, earlier = flags[-1], flags[:-1]
        keys = ["all", item["language"], f"kind {item['kind']}"]
        if item["label"] == "contradiction":
            keys.append(f"ref {item['ref']}")
        for key in keys:
            cell = counts[key]
            if item["label"] == "contradiction":
                cell[0] += 1
                cell[1] += last
            else:
                cell[2] += 1
                cell[3] += last
            cell[4] += len(earlier)
            cell[5] += sum(earlier)
        wrong_last = last != (item["label"] == "contradiction")
        if wrong_last or any(earlier):
            errors.append((flags, item))
    return dict(counts), errors, len(items)


def main() -> int:
    parser = corpus.parser(__doc__)
    args = parser.parse_args()
    corpus.refuse_heldout_errors(parser, args)
    counts, errors, size = evaluate(args.split)
    print(f"contradictions, {args.split} ({size} stretches of interview)")
    print(f"{'':22} {'recall':>15} {'alarms, consistent':>19} {'alarms, earlier':>16}")
    order = sorted(counts, key=lambda k: (k != "all", k.startswith(("ref", "kind")), k))
    for key in order:
        c, found, ok, alarms, before, before_alarms = counts[key]
        print(
            f"{key:22} {corpus.ratio(found, c):>15} {corpus.ratio(alarms, ok):>19} "
            f"{corpus.ratio(before_alarms, before):>16}"
        )
    if args.errors:
        print()
        for flags, item in errors:
            what = item["label"] + (f" ({item['ref']}, {item['kind']})" if "ref" in item else "")
            print(f"{item['id']} [{item['variety']}] {what}: raised on answers {flags}")
            work = "; ".join(
                f"{w.get('company')} {w.get('position', '')} {w.get('startDate')}..{w.get('endDate')}"
                for w in item["cv"].get("work") or []
            )
            print(f"    CV: {work} | years {item['cv'].get('years_of_experience')}")
            for exchange in item["exchanges"]:
                print(f"    Q: {exchange['question']}\n    A: {exchange['answer']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
