"""Build the recorded Deepgram live streams from the dialogues in `src/`.

    .venv/bin/python interviews/recordings/build.py

Each `src/<name>.txt` (one turn per line, see its header) becomes `<name>.jsonl`: the
messages Deepgram's live API sends for that conversation, one per line, in the
order they arrive (`interim_results=true`, `diarize=true`, `smart_format=true`,
`vad_events=true`, `utterance_end_ms=1000`):

- per utterance, interim `Results` about once a second with the words heard so
  far (`is_final: false`, the same `start`), then the final (`is_final: true`,
  `speech_final: true`; a long turn split with `||` gets an earlier final with
  `speech_final: false`, as Deepgram finalises long speech);
- `start` + `duration` of consecutive finals tile the audio, as Deepgram's do;
- `SpeechStarted` after a silence, `UtteranceEnd` after a second of silence, and
  `Metadata` when a connection closes (a reconnect opens a new `request_id` whose
  `start` restarts at 0).

Word timings are made up but natural: about 2.5 words a second, longer words take
longer, pauses after commas and sentences, a second or so between turns, a
little more before answering a question. The random jitter is seeded per
recording, so the output is byte-for-byte the same on every run; the tests and
the demo rely on that.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"

# Speech rate: a word lasts WORD_BASE + PER_LETTER * letters; with the gaps below
# Spanish and English both come out near 2.5 words a second.
WORD_BASE = 0.10
PER_LETTER = 0.040
WORD_GAP = (0.02, 0.08)
COMMA_PAUSE = (0.15, 0.30)
SENTENCE_PAUSE = (0.30, 0.50)
TURN_PAUSE = (0.5, 1.3)
ANSWER_PAUSE = (0.8, 1.9)  # thinking before answering a question
SPLIT_PAUSE = (0.25, 0.45)  # inside a turn Deepgram finalised early
ENDPOINT_TAIL = (0.20, 0.35)  # silence Deepgram waits before finalising
INTERIM_EVERY = (0.8, 1.2)
VAD_SILENCE = 1.0  # SpeechStarted / UtteranceEnd after this much silence
SPEECH_STARTED_LATENCY = 0.08

MODEL_UUID = "1dbdfb4d-85b2-4659-9831-16b3c76229aa"
MODEL_INFO = {"name": "general-nova-3", "version": "2025-04-17.21547", "arch": "nova-3"}
CREATED = "2026-11-20T10:00:00.000Z"

_TRAILING = '.,;:!?¿¡"()'
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


@dataclass
class Turn:
    role: str  # "I" interviewer, "C" candidate
    segments: list[str]


@dataclass
class Reconnect:
    request_id: str


@dataclass
class Dialogue:
    name: str
    language: str = "es"
    seed: int = 0
    speakers: dict[str, int] = field(default_factory=dict)
    request_id: str = ""
    items: list[Turn | Reconnect] = field(default_factory=list)


def parse_dialogue(path: Path) -> Dialogue:
    dialogue = Dialogue(name=path.stem)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            value = value.strip()
            if key == "language":
                dialogue.language = value
            elif key == "seed":
                dialogue.seed = int(value)
            elif key == "speakers":
                for pair in value.split():
                    role, _, speaker = pair.partition("=")
                    dialogue.speakers[role] = int(speaker)
            elif key == "request_id":
                dialogue.request_id = value
            elif key == "reconnect":
                dialogue.items.append(Reconnect(value))
            else:
                raise SystemExit(f"{path}:{number}: unknown directive @{key}")
            continue
        role, sep, text = line.partition(":")
        if not sep or role not in dialogue.speakers:
            raise SystemExit(f"{path}:{number}: expected 'I: text' or 'C: text'")
        segments = [s.strip() for s in text.split("||") if s.strip()]
        dialogue.items.append(Turn(role, segments))
    if not dialogue.request_id or set(dialogue.speakers) != {"I", "C"}:
        raise SystemExit(f"{path}: @request_id and @speakers I=<n> C=<n> are required")
    return dialogue


def bare_word(token: str) -> str:
    """Deepgram's `word`: lower case, no surrounding punctuation, no thousands marks."""
    word = token.strip(_TRAILING).lower()
    if _THOUSANDS.match(word):
        word = re.sub(r"[.,]", "", word)
    return word or token.lower()


def spoken_letters(token: str) -> int:
    """Roughly how long a token takes to say, in letters ("800" is "ochocientos")."""
    word = bare_word(token)
    digits = sum(ch.isdigit() for ch in word)
    letters = sum(ch.isalpha() for ch in word)
    return max(2, letters + digits * 3 + word.count("%") * 7 + word.count("+") * 3)


def _r(value: float) -> float:
    return round(value, 3)


class StreamWriter:
    """Turns a dialogue into timed messages, one Deepgram connection at a time."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue
        self.rng = random.Random(dialogue.seed)
        self.events: list[tuple[float, int, dict]] = []  # (due, order, message)
        self.order = 0
        self.output: list[dict] = []
        self.audio_seconds = 0.0
        self.word_count = 0
        self.finals = 0
        self.turns = 0

    def uniform(self, bounds: tuple[float, float]) -> float:
        return self.rng.uniform(*bounds)

    def emit(self, due: float, message: dict) -> None:
        self.events.append((due, self.order, message))
        self.order += 1

    def open(self, request_id: str) -> None:
        self.request_id = request_id
        self.window_start = 0.0  # where the next Results window begins
        self.last_word_end = 0.0
        self.clock = self.uniform((0.6, 1.2))  # the first word's start

    def close(self) -> None:
        # Deepgram sends Metadata once the stream is closed: after everything else.
        end = _r(max([self.window_start + 0.5, *(due + 0.05 for due, _, _ in self.events)]))
        digest = hashlib.sha256(f"{self.dialogue.name}:{self.request_id}".encode()).hexdigest()
        self.emit(
            end,
            {
                "type": "Metadata",
                "transaction_key": "deprecated",
                "request_id": self.request_id,
                "sha256": digest,
                "created": CREATED,
                "duration": end,
                "channels": 1,
                "models": [MODEL_UUID],
                "model_info": {MODEL_UUID: MODEL_INFO},
            },
        )
        self.events.sort(key=lambda e: (e[0], e[1]))
        self.output.extend(message for _, _, message in self.events)
        self.events = []
        self.audio_seconds += end

    def word_rows(self, text: str, speaker: int, role: str) -> list[dict]:
        rows = []
        t = self.clock
        for token in text.split():
            duration = (WORD_BASE + PER_LETTER * spoken_letters(token)) * self.uniform((0.85, 1.15))
            confidence = 0.80 + 0.199 * self.rng.random() ** 0.3
            bare = bare_word(token)
            if any(ch in bare for ch in "_+") or (bare != bare.lower()):
                confidence -= 0.2  # identifiers are where speech models hesitate
            rows.append(
                {
                    "word": bare,
                    "start": _r(t),
                    "end": _r(t + duration),
                    "confidence": round(confidence, 4),
                    "speaker": speaker,
                    "speaker_confidence": round(self.uniform((0.45, 0.95)), 4),
                    "punctuated_word": token,
                }
            )
            t += duration + self.uniform(WORD_GAP)
            if token.endswith((".", "?", "!")):
                t += self.uniform(SENTENCE_PAUSE)
            elif token.endswith((",", ";", ":")):
                t += self.uniform(COMMA_PAUSE)
        self.word_count += len(rows)
        return rows

    def utterance(self, words: list[dict], *, speech_final: bool) -> None:
        start = self.window_start
        first, last = words[0]["start"], words[-1]["end"]
        # Interim results about once a second, each with the words heard so far.
        heard_before = 0
        t = first + self.uniform(INTERIM_EVERY)
        while t < last:
            heard = [w for w in words if w["end"] <= t]
            if len(heard) > heard_before:
                heard_before = len(heard)
                self.emit(_r(t), self.results(heard, start, t, is_final=False))
            t += self.uniform(INTERIM_EVERY)
        end = last + self.uniform(ENDPOINT_TAIL)
        self.emit(
            _r(end), self.results(words, start, end, is_final=True, speech_final=speech_final)
        )
        self.finals += 1
        self.window_start = _r(end)
        self.last_word_end = last

    def results(
        self,
        words: list[dict],
        start: float,
        end: float,
        *,
        is_final: bool,
        speech_final: bool = False,
    ) -> dict:
        if not is_final:
            # Interim words are a little less sure, and the sentence is not closed.
            words = [{**w, "confidence": round(w["confidence"] * 0.93, 4)} for w in words]
            words[-1]["punctuated_word"] = words[-1]["punctuated_word"].rstrip(".,;:!?")
        confidence = sum(w["confidence"] for w in words) / len(words)
        return {
            "type": "Results",
            "channel_index": [0, 1],
            "duration": _r(end - start),
            "start": _r(start),
            "is_final": is_final,
            "speech_final": speech_final,
            "channel": {
                "alternatives": [
                    {
                        "transcript": " ".join(w["punctuated_word"] for w in words),
                        "confidence": round(confidence, 4),
                        "words": words,
                    }
                ]
            },
            "metadata": {
                "request_id": self.request_id,
                "model_info": MODEL_INFO,
                "model_uuid": MODEL_UUID,
            },
            "from_finalize": False,
        }

    def turn(self, turn: Turn, pause: float, *, first: bool) -> None:
        self.clock = max(self.clock, self.last_word_end + pause)
        speaker = self.dialogue.speakers[turn.role]
        if first or pause >= VAD_SILENCE:
            self.emit(
                _r(self.clock + SPEECH_STARTED_LATENCY),
                {"type": "SpeechStarted", "channel": [0, 1], "timestamp": _r(self.clock - 0.05)},
            )
        for index, text in enumerate(turn.segments):
            if index:
                self.clock = self.last_word_end + self.uniform(SPLIT_PAUSE)
            words = self.word_rows(text, speaker, turn.role)
            self.utterance(words, speech_final=index == len(turn.segments) - 1)
        self.turns += 1

    def utterance_end(self, silence: float) -> None:
        if silence >= VAD_SILENCE:
            self.emit(
                _r(self.last_word_end + VAD_SILENCE),
                {
                    "type": "UtteranceEnd",
                    "channel": [0, 1],
                    "last_word_end": _r(self.last_word_end),
                },
            )

    def write(self) -> list[dict]:
        self.open(self.dialogue.request_id)
        previous: Turn | None = None
        items = self.dialogue.items
        pauses = self._pauses()
        for index, item in enumerate(items):
            if isinstance(item, Reconnect):
                self.close()
                self.open(item.request_id)
                previous = None
                continue
            pause = 0.0 if previous is None else pauses[index]
            self.turn(item, pause, first=previous is None)
            following = pauses.get(index + 1)
            if following is not None and not isinstance(items[index + 1], Reconnect):
                self.utterance_end(following)
            else:
                self.utterance_end(VAD_SILENCE)  # the end of a connection is silence
            previous = item
        self.close()
        return self.output

    def _pauses(self) -> dict[int, float]:
        """The silence before each turn, drawn up front so UtteranceEnd can see it."""
        pauses: dict[int, float] = {}
        previous: Turn | None = None
        for index, item in enumerate(self.dialogue.items):
            if isinstance(item, Reconnect):
                previous = None
                continue
            if previous is not None:
                asked = previous.role != item.role and previous.segments[-1].rstrip().endswith("?")
                pauses[index] = self.uniform(ANSWER_PAUSE if asked else TURN_PAUSE)
            previous = item
        return pauses


def build(source: Path, out_dir: Path = HERE) -> tuple[Path, StreamWriter]:
    dialogue = parse_dialogue(source)
    writer = StreamWriter(dialogue)
    messages = writer.write()
    target = out_dir / f"{dialogue.name}.jsonl"
    with target.open("w", encoding="utf-8", newline="\n") as out:
        for message in messages:
            out.write(json.dumps(message, ensure_ascii=False) + "\n")
    return target, writer


def main() -> int:
    sources = sorted(SOURCES.glob("*.txt"))
    if not sources:
        print(f"No dialogues in {SOURCES}", file=sys.stderr)
        return 1
    for source in sources:
        target, writer = build(source)
        rate = writer.word_count / writer.audio_seconds if writer.audio_seconds else 0
        print(
            f"{target.name}: {len(writer.output)} messages, {writer.turns} turns, "
            f"{writer.finals} finals, {writer.audio_seconds / 60:.1f} min of audio, "
            f"{rate:.2f} words/s overall"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
