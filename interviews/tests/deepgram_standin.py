"""A local stand-in for Deepgram's live streaming API (`wss://api.deepgram.com/v1/listen`).

It speaks the protocol as Deepgram documents it: the key in `Authorization: Token
<key>` (HTTP 401 at the handshake otherwise), binary audio in, the text control
messages `KeepAlive`, `Finalize` and `CloseStream`, and JSON out: interim and final
`Results` with diarised words, `UtteranceEnd`, and `Metadata` before it closes
after `CloseStream`. Like Deepgram it closes a connection that gets neither audio
nor KeepAlive for a while.

It cannot hear, so tests speak a toy codec: a binary frame `SPK<n>:<words>` is those
words said by speaker n (0.3 s per word); a sentence ending in `.`, `?` or `!` is
finalised. Any other bytes are opaque audio (a browser's webm/opus): counted, and
once `opaque_final_after` bytes have arrived on a connection it answers with one
final for `opaque_transcript`, so a real browser's audio also produces a row.

It runs in a thread with its own event loop, so tests in any loop (or none) and
server processes elsewhere can use it; its records are plain lists.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

WORD_SECONDS = 0.3
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


@dataclass
class Connection:
    """What one upstream connection received and sent."""

    request_id: str
    params: dict[str, str]
    headers: dict[str, str]
    frames: list[bytes] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    closed: str = ""  # "CloseStream", "dropped", "idle", "client"

    @property
    def audio_bytes(self) -> int:
        return sum(len(f) for f in self.frames)

    @property
    def keepalives(self) -> int:
        return self.controls.count("KeepAlive")


class DeepgramStandIn:
    def __init__(
        self,
        *,
        api_key: str = "dg-test-key",
        port: int = 0,
        idle_timeout: float = 10.0,
        opaque_transcript: str = "Hola, me llamo Lucía y vengo por el puesto.",
        opaque_final_after: int = 4000,
    ) -> None:
        self.api_key = api_key
        self.idle_timeout = idle_timeout
        self.opaque_transcript = opaque_transcript
        self.opaque_final_after = opaque_final_after
        self.connections: list[Connection] = []
        self.rejected: list[int] = []  # HTTP statuses answered at the handshake
        # One-shot faults, set by tests.
        self.drop_after_frames: int | None = None  # abort the connection after N frames
        # False: finals without `speech_final`, the end of speech told only by the
        # `UtteranceEnd` that follows (background noise keeps endpointing from firing).
        self.speech_final = True
        self.reject_next: int = 0  # answer the next N handshakes with 503
        # Seconds to think before answering CloseStream (a slow last result).
        self.close_stream_delay: float = 0.0
        self._wanted_port = port
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/listen"

    # --- Lifecycle ---------------------------------------------------------------

    def start(self) -> DeepgramStandIn:
        self._thread = threading.Thread(target=self._main, name="deepgram-standin", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the Deepgram stand-in did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(
                lambda: self._stop.done() or self._stop.set_result(None)
            )
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> DeepgramStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.get_running_loop().create_future()
        async with serve(
            self._handle,
            "127.0.0.1",
            self._wanted_port,
            process_request=self._check_request,
            process_response=self._add_request_id,
            max_size=2**22,
            ping_interval=None,
        ) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop

    # --- Handshake ---------------------------------------------------------------

    def _check_request(self, connection: ServerConnection, request):
        if urlparse(request.path).path != "/v1/listen":
            self.rejected.append(404)
            return connection.respond(HTTPStatus.NOT_FOUND, "Not Found\n")
        if request.headers.get("Authorization") != f"Token {self.api_key}":
            self.rejected.append(401)
            response = connection.respond(
                HTTPStatus.UNAUTHORIZED,
                json.dumps(
                    {
                        "err_code": "INVALID_AUTH",
                        "err_msg": "Invalid credentials.",
                        "request_id": str(uuid.uuid4()),
                    }
                ),
            )
            response.headers["Content-Type"] = "application/json"
            return response
        if self.reject_next > 0:
            self.reject_next -= 1
            self.rejected.append(503)
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Try again later\n")
        connection.request_id = str(uuid.uuid4())
        return None

    def _add_request_id(self, connection: ServerConnection, request, response):
        request_id = getattr(connection, "request_id", None)
        if request_id:
            response.headers["dg-request-id"] = request_id
        return response

    # --- One connection ----------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        query = parse_qs(urlparse(ws.request.path).query)
        record = Connection(
            request_id=ws.request_id,
            params={k: v[-1] for k, v in query.items()},
            headers={k.lower(): v for k, v in ws.request.headers.raw_items()},
        )
        self.connections.append(record)
        stream = _Stream(self, ws, record)
        try:
            await stream.run()
        except ConnectionClosed:
            record.closed = record.closed or "client"


class _Stream:
    """The toy recogniser's state for one connection: its audio clock restarts at 0,
    as Deepgram's does on every connection."""

    def __init__(self, standin: DeepgramStandIn, ws: ServerConnection, record: Connection):
        self.standin = standin
        self.ws = ws
        self.record = record
        self.clock = 0.0
        self.segment_start = 0.0
        self.words: list[dict] = []
        self.opaque_bytes = 0
        self.opaque_done = False
        self.started = datetime.now(UTC)

    async def run(self) -> None:
        while True:
            try:
                message = await asyncio.wait_for(self.ws.recv(), self.standin.idle_timeout)
            except TimeoutError:
                # Deepgram: NET-0001, no audio received within the timeout window.
                self.record.closed = "idle"
                await self.ws.close(1011, "NET-0001")
                return
            if isinstance(message, bytes):
                await self.audio(message)
                drop = self.standin.drop_after_frames
                if drop is not None and len(self.record.frames) >= drop:
                    self.standin.drop_after_frames = None
                    await asyncio.sleep(0.05)  # let what was sent reach the client
                    self.record.closed = "dropped"
                    self.ws.transport.abort()  # a network failure, no close frame
                    return
                continue
            try:
                control = json.loads(message).get("type", "")
            except (ValueError, AttributeError):
                control = "invalid"
            self.record.controls.append(control)
            if control == "Finalize":
                await self.finalize(from_finalize=True)
            elif control == "CloseStream":
                if self.standin.close_stream_delay:
                    await asyncio.sleep(self.standin.close_stream_delay)
                await self.finalize(from_finalize=False)
                await self.send(self.metadata())
                self.record.closed = "CloseStream"
                await self.ws.close(1000)
                return

    async def audio(self, frame: bytes) -> None:
        self.record.frames.append(frame)
        if frame.startswith(b"SPK") and b":" in frame:
            head, _, text = frame.partition(b":")
            speaker = int(head[3:] or 0)
            for word in text.decode("utf-8").split():
                self.words.append(
                    {
                        "speaker": speaker,
                        "word": word,
                        "start": round(self.clock, 3),
                        "end": round(self.clock + WORD_SECONDS, 3),
                    }
                )
                self.clock += WORD_SECONDS
            if self.words and self.words[-1]["word"][-1] in ".?!":
                await self.finalize(from_finalize=False)
            elif self.words:
                await self.send(self.results(is_final=False))
            return
        # Opaque audio: roughly 32 kbit/s of opus.
        self.opaque_bytes += len(frame)
        self.clock += len(frame) / 4000
        if not self.opaque_done and self.opaque_bytes >= self.standin.opaque_final_after:
            self.opaque_done = True
            step = max(self.clock - self.segment_start, 0.3) / max(
                1, len(self.standin.opaque_transcript.split())
            )
            for i, word in enumerate(self.standin.opaque_transcript.split()):
                start = self.segment_start + i * step
                self.words.append({"speaker": 0, "word": word, "start": start, "end": start + step})
            await self.finalize(from_finalize=False)

    async def finalize(self, *, from_finalize: bool) -> None:
        if not self.words:
            return
        await self.send(self.results(is_final=True, from_finalize=from_finalize))
        await self.send(
            {"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": self.words[-1]["end"]}
        )
        self.words = []
        self.segment_start = self.clock

    def results(self, *, is_final: bool, from_finalize: bool = False) -> dict:
        words = [
            {
                "word": w["word"].strip(".,¿?¡!").lower(),
                "start": w["start"],
                "end": w["end"],
                "confidence": 0.97,
                "speaker": w["speaker"],
                "speaker_confidence": 0.85,
                "punctuated_word": w["word"],
            }
            for w in self.words
        ]
        return {
            "type": "Results",
            "channel_index": [0, 1],
            "duration": round(self.clock - self.segment_start, 3),
            "start": round(self.segment_start, 3),
            "is_final": is_final,
            "speech_final": is_final and self.standin.speech_final,
            "channel": {
                "alternatives": [
                    {
                        "transcript": " ".join(w["word"] for w in self.words),
                        "confidence": 0.97,
                        "words": words,
                    }
                ]
            },
            "metadata": {
                "request_id": self.record.request_id,
                "model_info": {"name": "2-general-nova", "version": "2024-01-09", "arch": "nova-3"},
                "model_uuid": "c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c",
            },
            "from_finalize": from_finalize,
        }

    def metadata(self) -> dict:
        return {
            "type": "Metadata",
            "transaction_key": "deprecated",
            "request_id": self.record.request_id,
            "sha256": "0" * 64,
            "created": self.started.isoformat().replace("+00:00", "Z"),
            "duration": round(self.clock, 3),
            "channels": 1,
            "models": ["c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c"],
            "model_info": {
                "c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c": {
                    "name": "2-general-nova",
                    "version": "2024-01-09",
                    "arch": "nova-3",
                }
            },
        }

    async def send(self, message: dict) -> None:
        self.record.sent.append(message)
        await self.ws.send(json.dumps(message, ensure_ascii=False))


def free_port() -> int:
    """A port nothing listens on (yet): a refused connection until a stand-in binds it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_until(predicate, timeout: float = 5.0, interval: float = 0.02) -> None:
    """Poll a condition from async test code (the stand-in runs in another thread)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
