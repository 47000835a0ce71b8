"""Recorded Deepgram live streams (`interviews/recordings/*.jsonl`): reading one.

Used by `replay_interview` (which posts it to a server in real time) and by
`seed_demo` (which ingests it directly)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class RecordingError(ValueError):
    """The file is not a recording of Deepgram live messages (the message says why)."""


def load_recording(path: Path) -> list[dict]:
    """The messages of a recording: a JSON list, or JSON Lines (one per line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RecordingError(f"No such recording: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordingError(f"Cannot read {path}: {exc}") from exc
    stripped = text.lstrip()
    if not stripped:
        raise RecordingError(f"{path} is empty.")
    messages: list[Any]
    if stripped.startswith("["):
        try:
            messages = json.loads(text)
        except ValueError as exc:
            raise RecordingError(f"{path} is not valid JSON: {exc}") from exc
    else:
        messages = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                messages.append(json.loads(line))
            except ValueError as exc:
                raise RecordingError(f"{path}, line {number}: not valid JSON: {exc}") from exc
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise RecordingError(f"{path} must hold JSON objects (Deepgram messages).")
    if not any(m.get("type", "Results") == "Results" for m in messages):
        raise RecordingError(f"{path} has no Deepgram Results messages.")
    return messages
