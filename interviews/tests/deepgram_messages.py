"""Builders of Deepgram live `Results` messages, as Deepgram documents them."""

from __future__ import annotations


def results(
    words: list[tuple[int, str]] | str,
    *,
    start: float = 0.0,
    duration: float | None = None,
    is_final: bool = True,
    request_id: str = "req-1",
    channel: int = 0,
    speaker: int = 0,
    speech_final: bool | None = None,
) -> dict:
    """A Results message; `words` is [(speaker, word), ...] or plain text for one speaker.

    `speech_final` (the speaker finished) is `is_final` unless given."""
    if isinstance(words, str):
        words = [(speaker, w) for w in words.split()]
    step = 0.3
    word_rows = [
        {
            "word": w.strip(".,¿?¡!").lower(),
            "start": round(start + i * step, 3),
            "end": round(start + (i + 1) * step, 3),
            "confidence": 0.95,
            "speaker": spk,
            "speaker_confidence": 0.8,
            "punctuated_word": w,
        }
        for i, (spk, w) in enumerate(words)
    ]
    return {
        "type": "Results",
        "channel_index": [channel, 1],
        "duration": duration if duration is not None else round(len(words) * step, 3),
        "start": start,
        "is_final": is_final,
        "speech_final": is_final if speech_final is None else speech_final,
        "channel": {
            "alternatives": [
                {
                    "transcript": " ".join(w for _, w in words),
                    "confidence": 0.95,
                    "words": word_rows,
                }
            ]
        },
        "metadata": {
            "request_id": request_id,
            "model_info": {"name": "general-nova-3", "version": "2025-01-01", "arch": "nova-3"},
            "model_uuid": "00000000-0000-0000-0000-000000000000",
        },
        "from_finalize": False,
    }
