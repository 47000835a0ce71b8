"""The live audio relay: browser audio in, Deepgram's live streaming API out.

The server holds the Deepgram key and the upstream websocket, so the key never
reaches the browser. One `DeepgramRelay` per capturing browser socket:

- audio from the browser goes into a bounded buffer, and from there upstream;
- while no audio arrives, a `KeepAlive` goes upstream every few seconds (Deepgram
  closes a connection that hears nothing for about ten);
- every `Results` message goes to `on_results` (the ingest service); status changes
  go to `on_status` as `{"type": "stt", "state": ...}` for the live page;
- an upstream failure (refused, closed mid-stream, an HTTP error such as 401 at the
  handshake) is reported and retried with capped exponential backoff. Audio that
  arrives meanwhile waits in the buffer and is replayed on the new connection; when
  the buffer's bound is hit the page is told that audio is being dropped;
- finishing sends `CloseStream` and waits (bounded) for Deepgram's last results.

Exactly once across a dropped connection: Deepgram restarts its clock and request
id on every connection, so audio it already finalised must not be sent again (it
would come back as new rows), and audio it had not finalised must be (or it is
lost). The relay keeps the audio sent since the last final result arrived and
replays it after the buffer's head; the interim rows the dropped connection left
behind are closed with an empty final (which removes them), so the replayed audio's
final is the only row for that speech. Audio sent between the end of the last final
and its arrival (under a second, and normally the pause that ended the utterance)
is the one thing a drop can lose.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext as _
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

logger = logging.getLogger(__name__)

# A webm stream (MediaRecorder's) starts with an EBML header and track description
# that only the first chunk carries; each cluster after it holds the audio. A new
# upstream connection must see the header again before any later cluster.
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
WEBM_CLUSTER_ID = b"\x1f\x43\xb6\x75"
MAX_HEADER_BYTES = 64 * 1024

# Encodings a browser may declare for raw audio (Deepgram detects containers such
# as webm/ogg by itself and must not be told an encoding for them).
RAW_ENCODINGS = frozenset(
    {"linear16", "linear32", "flac", "alaw", "mulaw", "amr-nb", "amr-wb", "opus", "speex", "g729"}
)


class RelayStopped(Exception):
    """Raised by `on_results` when capture must end (the interview is over)."""


def deepgram_params(
    *,
    model: str,
    language: str,
    endpointing_ms: int,
    utterance_end_ms: int,
    encoding: str | None = None,
    sample_rate: int | None = None,
) -> dict[str, str]:
    params = {
        "model": model,
        "language": language,
        "diarize": "true",
        "interim_results": "true",
        "punctuate": "true",
        "smart_format": "true",
        "endpointing": str(endpointing_ms),
        # UtteranceEnd messages (needs interim results): an end of turn even when
        # background noise keeps endpointing from firing.
        "utterance_end_ms": str(utterance_end_ms),
    }
    if encoding:
        params["encoding"] = encoding
        if sample_rate:
            params["sample_rate"] = str(sample_rate)
    return params


def listen_url(base: str, params: dict[str, str]) -> str:
    parts = urlsplit(base)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


def backoff_delays(first: float, cap: float) -> Callable[[int], float]:
    def delay(attempt: int) -> float:
        return min(cap, first * (2**attempt))

    return delay


class _UpstreamClosed(Exception):
    pass


class DeepgramRelay:
    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        params: dict[str, str],
        on_results: Callable[[dict], Awaitable[None]],
        on_status: Callable[[dict], Awaitable[None]],
        keepalive_seconds: float = 5.0,
        buffer_bytes: int = 2 * 1024 * 1024,
        close_timeout: float = 10.0,
        reconnect_first_seconds: float = 0.5,
        reconnect_max_seconds: float = 15.0,
        open_timeout: float = 10.0,
    ) -> None:
        self.url = listen_url(url, params)
        self._api_key = api_key
        self._on_results = on_results
        self._on_status = on_status
        self.keepalive_seconds = keepalive_seconds
        self.buffer_bytes = buffer_bytes
        self.close_timeout = close_timeout
        self._delay = backoff_delays(reconnect_first_seconds, reconnect_max_seconds)
        self.open_timeout = open_timeout

        # Audio waiting to go upstream (bounded by buffer_bytes).
        self._pending: deque[bytes] = deque()
        self._pending_bytes = 0
        # Audio sent on the current connection since the last final result arrived:
        # replayed if the connection drops (bounded by buffer_bytes too).
        self._unacked: deque[bytes] = deque()
        self._unacked_bytes = 0
        # Interim rows of the current connection not finalised yet, by chunk identity.
        self._interims: dict[tuple[str, int, float], dict] = {}
        self._header: bytes | None = None
        self._header_probe: bytes | None = None
        self._audio = asyncio.Event()
        self._closing = False
        self._close_sent = False
        self._overflowing = False
        self._task: asyncio.Task | None = None

        self.state = "connecting"
        self.connections = 0
        self.sent_bytes = 0
        self.dropped_bytes = 0
        self.keepalives_sent = 0
        self.stop_reason: str | None = None

    # --- The browser side ----------------------------------------------------------

    def start(self) -> asyncio.Task:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="deepgram-relay")
        return self._task

    async def feed(self, chunk: bytes) -> None:
        """Audio from the browser. Never blocks on the upstream."""
        if self._closing or not chunk:
            return
        self._probe_header(chunk)
        if self._pending_bytes + len(chunk) > self.buffer_bytes:
            self.dropped_bytes += len(chunk)
            if not self._overflowing:
                # Said once per overflow, not once per chunk.
                self._overflowing = True
                await self._status(
                    self.state,
                    _(
                        "The audio buffer is full (%(n)d KB): audio is being dropped until "
                        "the speech service catches up."
                    )
                    % {"n": self.buffer_bytes // 1024},
                    buffer_full=True,
                )
            return
        self._pending.append(chunk)
        self._pending_bytes += len(chunk)
        self._audio.set()

    async def finish(self) -> None:
        """Flush the buffer, send CloseStream, wait for the last results (bounded)."""
        if self._task is None:
            return
        self._closing = True
        self._audio.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self.close_timeout)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            left = self._pending_bytes + self._unacked_bytes
            await self._status(
                "error",
                _(
                    "The speech service did not finish in time; %(n)d KB of audio were not transcribed."
                )
                % {"n": max(1, left // 1024)},
            )
        except asyncio.CancelledError:
            self._task.cancel()
            raise

    async def abort(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    @property
    def buffered_bytes(self) -> int:
        return self._pending_bytes

    def _probe_header(self, chunk: bytes) -> None:
        if self._header is not None:
            return
        if self._header_probe is None:
            if not chunk.startswith(EBML_MAGIC):
                self._header = b""  # not webm: nothing to resend
                return
            self._header_probe = b""
        self._header_probe += chunk
        cluster = self._header_probe.find(WEBM_CLUSTER_ID)
        if cluster > 0:
            self._header = self._header_probe[:cluster]
            self._header_probe = None
        elif len(self._header_probe) > MAX_HEADER_BYTES:
            self._header, self._header_probe = b"", None

    # --- The upstream side ------------------------------------------------------------

    async def _status(self, state: str, message: str = "", **extra) -> None:
        self.state = state
        status = {
            "type": "stt",
            "state": state,
            "message": message,
            "buffered_bytes": self._pending_bytes,
            "dropped_bytes": self.dropped_bytes,
            **extra,
        }
        try:
            await self._on_status(status)
        except Exception:  # the browser went away: the relay still finishes its work
            logger.debug("Could not deliver an STT status", exc_info=True)

    async def _run(self) -> None:
        attempt = 0
        try:
            while True:
                if self._closing and not self._pending and not self._unacked:
                    # Stopped while disconnected with nothing left to transcribe.
                    await self._status("closed", _("Capture stopped."))
                    return
                state, message = "reconnecting", ""
                try:
                    async with connect(
                        self.url,
                        additional_headers={"Authorization": f"Token {self._api_key}"},
                        open_timeout=self.open_timeout,
                        # Deepgram's results are small; audio goes the other way.
                        max_size=2**22,
                        proxy=None,
                        user_agent_header="interview-companion",
                    ) as upstream:
                        self.connections += 1
                        attempt = 0
                        self._close_sent = False
                        dropped = self.dropped_bytes
                        await self._status(
                            "live",
                            _("Transcribing.")
                            if not dropped
                            else _("Transcribing again; %(n)d KB of audio were dropped.")
                            % {"n": max(1, dropped // 1024)},
                        )
                        self._overflowing = False
                        await self._stream(upstream)
                        await self._status("closed", _("Capture stopped."))
                        return
                except InvalidStatus as exc:
                    code = exc.response.status_code
                    if code in (401, 403):
                        state = "error"
                        message = _(
                            "The speech service refused the server's credentials (HTTP %(code)d); "
                            "check DEEPGRAM_API_KEY. Retrying."
                        ) % {"code": code}
                    else:
                        message = _("The speech service answered HTTP %(code)d; retrying.") % {
                            "code": code
                        }
                except (ConnectionClosed, _UpstreamClosed):
                    message = _("The connection to the speech service was lost; reconnecting.")
                except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
                    logger.info("Deepgram connection failed: %r", exc)
                    message = _("The speech service cannot be reached; retrying.")
                await self._after_drop()
                delay = self._delay(attempt)
                attempt += 1
                await self._status(state, message, retry_in=delay)
                await asyncio.sleep(delay)
        except RelayStopped as exc:
            self.stop_reason = str(exc)
            await self._status("error", str(exc), stopped=True)

    async def _after_drop(self) -> None:
        """What the dropped connection left unfinished: its interim rows are closed
        (an empty final removes them) and its unacknowledged audio is replayed."""
        stale, self._interims = list(self._interims.values()), {}
        for message in stale:
            await self._on_results(_empty_final(message))
        if self._unacked:
            self._pending.extendleft(reversed(self._unacked))
            self._pending_bytes += self._unacked_bytes
            self._unacked.clear()
            self._unacked_bytes = 0

    async def _stream(self, upstream: ClientConnection) -> None:
        sender = asyncio.create_task(self._send(upstream), name="deepgram-send")
        receiver = asyncio.create_task(self._receive(upstream), name="deepgram-receive")
        try:
            done, _pending = await asyncio.wait(
                {sender, receiver}, return_when=asyncio.FIRST_EXCEPTION
            )
            for task in done:
                task.result()  # re-raise the first failure
            if not receiver.done():
                await receiver  # the sender finished (CloseStream): read the last results
        finally:
            for task in (sender, receiver):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    async def _send(self, upstream: ClientConnection) -> None:
        if self._header and not (self._pending and self._pending[0].startswith(EBML_MAGIC)):
            await upstream.send(self._header)
        while True:
            while self._pending:
                chunk = self._pending[0]
                await upstream.send(chunk)
                self._pending.popleft()
                self._pending_bytes -= len(chunk)
                self.sent_bytes += len(chunk)
                self._remember(chunk)
                if self._overflowing and self._pending_bytes < self.buffer_bytes // 2:
                    self._overflowing = False  # caught up: a new overflow is reported again
            if self._closing:
                await upstream.send(json.dumps({"type": "CloseStream"}))
                self._close_sent = True
                return
            self._audio.clear()
            try:
                await asyncio.wait_for(self._audio.wait(), self.keepalive_seconds)
            except TimeoutError:
                await upstream.send(json.dumps({"type": "KeepAlive"}))
                self.keepalives_sent += 1

    def _remember(self, chunk: bytes) -> None:
        self._unacked.append(chunk)
        self._unacked_bytes += len(chunk)
        while self._unacked_bytes > self.buffer_bytes and len(self._unacked) > 1:
            # Deepgram has not finalised anything for a long stretch: the oldest
            # audio leaves the replay window rather than memory growing.
            self._unacked_bytes -= len(self._unacked.popleft())

    async def _receive(self, upstream: ClientConnection) -> None:
        started = time.monotonic()
        async for raw in upstream:
            if isinstance(raw, bytes):
                continue
            try:
                message = json.loads(raw)
            except ValueError:
                logger.warning("Deepgram sent a message that is not JSON")
                continue
            if not isinstance(message, dict):
                continue
            kind = message.get("type")
            if kind == "Results":
                await self._results(message)
            elif kind == "UtteranceEnd":
                # The end of a turn: the ingest service marks the last final so the
                # answer it ends is analysed without waiting for a quiet gap.
                await self._on_results(message)
            elif kind == "Error" or "err_code" in message:
                logger.warning("Deepgram reported an error: %s", message)
        # The upstream closed normally: expected only after our CloseStream.
        if not self._close_sent:
            logger.info("Deepgram closed the stream after %.1f s", time.monotonic() - started)
            raise _UpstreamClosed

    async def _results(self, message: dict) -> None:
        identity = _identity(message)
        if message.get("is_final"):
            if identity is not None:
                self._interims.pop(identity, None)
            # Everything sent before this final arrived has been heard.
            self._unacked.clear()
            self._unacked_bytes = 0
        elif identity is not None:
            self._interims[identity] = message
        await self._on_results(message)


def _identity(message: dict) -> tuple[str, int, float] | None:
    try:
        channel = message.get("channel_index") or [0]
        return (
            message["metadata"]["request_id"],
            channel[0] if isinstance(channel, Sequence) else int(channel),
            float(message.get("start", 0)),
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _empty_final(interim: dict) -> dict:
    """A final for the same chunk saying nothing was said: the ingest service removes
    the chunk's interim row."""
    return {
        **interim,
        "is_final": True,
        "speech_final": True,
        "channel": {"alternatives": [{"transcript": "", "confidence": 0, "words": []}]},
    }
