"""Reading Deepgram's live `Results` messages (and pre-recorded responses).

Pure functions: they turn Deepgram JSON into `Segment`s (one per speaker run) and
raise `InvalidResults` with a message a client can act on. The ingest service
decides what to write.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any


class InvalidResults(ValueError):
    """A message that is not a Deepgram `Results` message we can read."""


@dataclass(frozen=True)
class Segment:
    request_id: str
    channel_index: int
    start_ms: int  # the segment's start: part of the chunk identity
    run: int  # index of the speaker run inside a final segment (0 for interim)
    end_ms: int
    duration_ms: int
    text: str
    speaker: str | None
    confidence: int | None  # 0-100
    is_final: bool
    # The speaker finished here (Deepgram's `speech_final`; the last run only).
    speech_final: bool = False


@dataclass(frozen=True)
class ParsedResult:
    segments: list[Segment]  # empty: nothing to write (empty transcript)
    is_final: bool
    request_id: str
    channel_index: int
    start_ms: int
    # An `UtteranceEnd` message: no row of its own, it ends the channel's last final.
    utterance_end: bool = False


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidResults(f"'{name}' must be a number.")
    if value < 0 or value > 10**7:
        raise InvalidResults(f"'{name}' is out of range.")
    return float(value)


def _speaker(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1000:
        raise InvalidResults("'speaker' must be a small non-negative integer.")
    return f"speaker_{value}"


def _confidence(values: list[float]) -> int | None:
    if not values:
        return None
    return max(0, min(100, round(sum(values) / len(values) * 100)))


def _word_text(word: dict) -> str:
    text = word.get("punctuated_word") or word.get("word") or ""
    if not isinstance(text, str):
        raise InvalidResults("'words[].word' must be a string.")
    return text


def is_results_message(message: Any) -> bool:
    return isinstance(message, dict) and message.get("type", "Results") == "Results"


def is_utterance_end(message: Any) -> bool:
    return isinstance(message, dict) and message.get("type") == "UtteranceEnd"


def parse_utterance_end(message: dict) -> ParsedResult:
    """An `UtteranceEnd` (`{"type": "UtteranceEnd", "channel": [0, 1],
    "last_word_end": 2.4}`): the speaker on that channel stopped talking."""
    channel = message.get("channel", [0])
    channel_index = channel[0] if isinstance(channel, list) and channel else channel
    if (
        isinstance(channel_index, bool)
        or not isinstance(channel_index, int)
        or not (0 <= channel_index < 32)
    ):
        raise InvalidResults("'channel' must be a small non-negative integer.")
    return ParsedResult([], False, "", channel_index, 0, utterance_end=True)


def parse_results(message: Any) -> ParsedResult:
    """Parse one live `Results` message into speaker-run segments."""
    if not isinstance(message, dict):
        raise InvalidResults("Each item must be a JSON object (a Deepgram Results message).")
    channel = message.get("channel")
    if not isinstance(channel, dict):
        raise InvalidResults("'channel' is missing or not an object.")
    alternatives = channel.get("alternatives")
    if (
        not isinstance(alternatives, list)
        or not alternatives
        or not isinstance(alternatives[0], dict)
    ):
        raise InvalidResults("'channel.alternatives' must be a non-empty list.")
    alternative = alternatives[0]
    transcript = alternative.get("transcript", "")
    if not isinstance(transcript, str):
        raise InvalidResults("'channel.alternatives[0].transcript' must be a string.")
    words = alternative.get("words") or []
    if not isinstance(words, list) or not all(isinstance(w, dict) for w in words):
        raise InvalidResults("'channel.alternatives[0].words' must be a list of objects.")

    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("request_id"), str):
        raise InvalidResults("'metadata.request_id' is required.")
    request_id = metadata["request_id"].strip()
    if not request_id or len(request_id) > 128:
        raise InvalidResults("'metadata.request_id' must be 1-128 characters.")

    channel_index = message.get("channel_index", [0])
    if isinstance(channel_index, list):
        channel_index = channel_index[0] if channel_index else 0
    if (
        isinstance(channel_index, bool)
        or not isinstance(channel_index, int)
        or not (0 <= channel_index < 32)
    ):
        raise InvalidResults("'channel_index' must be a small non-negative integer.")

    start = _number(message.get("start", 0), "start")
    duration = _number(message.get("duration", 0), "duration")
    is_final = message.get("is_final", False)
    if not isinstance(is_final, bool):
        raise InvalidResults("'is_final' must be a boolean.")
    speech_final = message.get("speech_final", False)
    if not isinstance(speech_final, bool):
        raise InvalidResults("'speech_final' must be a boolean.")
    speech_final = speech_final and is_final
    start_ms = round(start * 1000)
    end_ms = round((start + duration) * 1000)

    if not transcript.strip():
        return ParsedResult([], is_final, request_id, channel_index, start_ms)

    parsed_words = []
    for word in words:
        w_start = _number(word.get("start", start), "words[].start")
        w_end = _number(word.get("end", w_start), "words[].end")
        conf = word.get("confidence")
        parsed_words.append(
            (
                _speaker(word.get("speaker")),
                _word_text(word),
                w_start,
                w_end,
                _number(conf, "words[].confidence") if conf is not None else None,
            )
        )

    alt_conf = alternative.get("confidence")
    fallback_conf = [_number(alt_conf, "confidence")] if alt_conf is not None else []

    if not is_final or not parsed_words:
        # Interim text (or a final without word timing) is one row; its speaker is
        # the one who says most of it.
        speakers = Counter(w[0] for w in parsed_words if w[0] is not None)
        speaker = speakers.most_common(1)[0][0] if speakers else None
        confs = [w[4] for w in parsed_words if w[4] is not None] or fallback_conf
        segment = Segment(
            request_id=request_id,
            channel_index=channel_index,
            start_ms=start_ms,
            run=0,
            end_ms=end_ms,
            duration_ms=max(0, end_ms - start_ms),
            text=transcript.strip(),
            speaker=speaker,
            confidence=_confidence(confs),
            is_final=is_final,
            speech_final=speech_final,
        )
        return ParsedResult([segment], is_final, request_id, channel_index, start_ms)

    # A final whose words belong to several speakers: one row per speaker run.
    runs: list[list[tuple]] = []
    for word in parsed_words:
        if runs and runs[-1][0][0] == word[0]:
            runs[-1].append(word)
        else:
            runs.append([word])
    segments = []
    for index, run in enumerate(runs):
        run_start = round(run[0][2] * 1000)
        run_end = round(run[-1][3] * 1000)
        segments.append(
            Segment(
                request_id=request_id,
                channel_index=channel_index,
                start_ms=start_ms,
                run=index,
                end_ms=max(run_end, run_start),
                duration_ms=max(0, run_end - run_start),
                text=" ".join(w[1] for w in run).strip(),
                speaker=run[0][0],
                confidence=_confidence([w[4] for w in run if w[4] is not None]),
                is_final=True,
                speech_final=speech_final and index == len(runs) - 1,
            )
        )
    return ParsedResult(segments, True, request_id, channel_index, start_ms)


def prerecorded_to_results(response: Any) -> list[dict]:
    """A finished Deepgram pre-recorded response (diarised, with utterances) as the
    live `Results` messages the ingest path reads: one final message per utterance."""
    if not isinstance(response, dict):
        raise InvalidResults("The transcript file must be a JSON object.")
    results = response.get("results")
    metadata = response.get("metadata") or {}
    request_id = metadata.get("request_id") if isinstance(metadata, dict) else None
    if not isinstance(results, dict) or not isinstance(results.get("utterances"), list):
        raise InvalidResults(
            "Not a diarised Deepgram response: 'results.utterances' is missing "
            "(request it with utterances=true&diarize=true)."
        )
    if not isinstance(request_id, str) or not request_id:
        raise InvalidResults("'metadata.request_id' is required.")
    messages = []
    for utterance in results["utterances"]:
        if not isinstance(utterance, dict):
            raise InvalidResults("Each utterance must be an object.")
        start = _number(utterance.get("start", 0), "utterances[].start")
        end = _number(utterance.get("end", start), "utterances[].end")
        channel = utterance.get("channel", 0)
        words = utterance.get("words") or []
        speaker = utterance.get("speaker")
        messages.append(
            {
                "type": "Results",
                "channel_index": [channel if isinstance(channel, int) else 0, 1],
                "start": start,
                "duration": max(0.0, end - start),
                "is_final": True,
                "speech_final": True,
                "channel": {
                    "alternatives": [
                        {
                            "transcript": utterance.get("transcript", ""),
                            "confidence": utterance.get("confidence", 0),
                            "words": [
                                {**w, "speaker": w.get("speaker", speaker)}
                                for w in words
                                if isinstance(w, dict)
                            ],
                        }
                    ]
                },
                "metadata": {"request_id": request_id},
            }
        )
    return messages
