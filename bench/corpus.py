"""What the per-author evaluation corpora share (`eval_protected.py`,
`eval_answers.py`, `eval_contradictions.py`): the split each corpus fixed before
its authors wrote, one JSON object per line per author, and the rule that the
held-out half is only ever reported."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SPLITS = ("tuning", "heldout", "all")


def load(data: Path, names: list[str]) -> list[dict]:
    """The items of these authors' files, in order."""
    items = []
    for name in names:
        for line in (data / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                items.append(json.loads(line))
    return items


def authors(data: Path, split: str) -> list[str]:
    """The authors of a split in a corpus whose `split.json` has one tuning and one
    held-out list."""
    files = json.loads((data / "split.json").read_text())
    return files["tuning"] + files["heldout"] if split == "all" else files[split]


def parser(doc: str) -> argparse.ArgumentParser:
    """--split and --errors, the way every corpus takes them."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--split", choices=SPLITS, default="tuning")
    parser.add_argument("--errors", action="store_true", help="misses and false alarms")
    return parser


def refuse_heldout_errors(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.errors and args.split != "tuning":
        parser.error("--errors shows the tuning half only: the held-out half is never tuned on")


def ratio(hit: int, total: int) -> str:
    return f"{hit / total:.2f} ({hit}/{total})" if total else "-"
