"""The capture websocket `/ws/interviews/<id>/audio/`: binary audio from the
interviewer's browser, relayed to Deepgram by `relay.DeepgramRelay`.

Thin like the feed consumer: authenticate in `connect()`, hand audio to the relay,
hand Deepgram's results to the ingest service (which broadcasts the rows to the
feed), forward the relay's status to the page. Close codes: 4401 not signed in,
4403 not this interview's interviewer (or staff), 4404 no such interview, 4409 the
interview is not live or the candidate declined the notice, 4400 a bad query
parameter, 4009 a message over `WEBSOCKET_MAX_MESSAGE_BYTES` (1009 is refused by
autobahn when a server sends it), 4408 the browser went silent while capturing (see
below), 4503 no Deepgram key on the server.

Whenever this socket ends (closed by either side, the network gone, an error in a
handler, the application cancelled), the relay is finished: Deepgram gets its
`CloseStream` at once and the last results are stored.

A network that goes away without a TCP reset (a closed lid, Wi-Fi gone) ends
nothing by itself: Daphne's ping notices after up to `--ping-interval` +
`--ping-timeout` (about 50 s), and meanwhile the upstream would be fed KeepAlives.
But a capturing page sends an audio chunk every 250 ms without pause
(static/js/capture.js), so once the first chunk has arrived, silence is absence:
after `AUDIO_BROWSER_SILENCE_SECONDS` without any message the socket is closed with
4408 and the relay finished as on any other close. One timer per socket, pushed
back only when it fires (a frame just records the time). A page that is still
there reconnects on 4408 with a fresh recording, as after any dropped connection.

Query parameters (optional, for raw audio only; webm/ogg from MediaRecorder are
detected by Deepgram): `encoding` (e.g. linear16) and `sample_rate` (8000-48000).
Text messages: `{"type": "stop"}` flushes, waits for the last results and closes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from interviews.live.deepgram import InvalidResults
from interviews.live.ingest import InterviewNotLive, RecordingDeclined, transcript_ingest
from interviews.live.relay import RAW_ENCODINGS, DeepgramRelay, RelayStopped, deepgram_params
from interviews.models import Interview, InterviewStatus
from interviews.selectors import InterviewNotFound, NotAllowed, interview_for_change

logger = logging.getLogger(__name__)


# 1009 (message too big) as an application code a server may send.
CLOSE_TOO_BIG = 4009
# Nothing from a capturing browser for AUDIO_BROWSER_SILENCE_SECONDS (as HTTP 408):
# the page, if it is still there, reconnects.
CLOSE_BROWSER_SILENT = 4408


def _ingest(interview: Interview, message: dict) -> None:
    transcript_ingest(interview=interview, results=message, stt_provider="deepgram")


class InterviewAudioConsumer(AsyncWebsocketConsumer):
    relay: DeepgramRelay | None = None
    interview: Interview
    open = False
    # The silence watchdog: seconds allowed (0: off), when the browser last sent
    # anything (loop time), the one timer, and the task closing a silent socket.
    silence_seconds = 0.0
    _last_message = 0.0
    _silence_timer: asyncio.TimerHandle | None = None
    _silence_off = False
    _silence_task: asyncio.Task | None = None

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # `disconnect()` runs only when the server reports the close: after an
            # exception in a handler, or when Daphne cancels an application slow to
            # finish, the upstream would otherwise stay open, sending KeepAlive
            # until the process restarts.
            await self._finish_relay()
            if self._silence_task is not None:
                # Closing a silent socket: its relay is finishing (bounded by
                # STT_CLOSE_TIMEOUT_SECONDS); the application ends after it.
                await self._silence_task

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        self.open = True
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        interview_id = int(self.scope["url_route"]["kwargs"]["interview_id"])
        try:
            interview = await database_sync_to_async(interview_for_change)(
                user=user, interview_id=interview_id
            )
        except InterviewNotFound:
            await self.close(code=4404)
            return
        except NotAllowed:
            await self.close(code=4403)
            return
        if interview.status != InterviewStatus.LIVE:
            await self.send_status("error", _("Start the interview before capturing audio."))
            await self.close(code=4409)
            return
        if interview.recording_declined:
            await self.send_status("error", str(RecordingDeclined()))
            await self.close(code=4409)
            return
        if not settings.DEEPGRAM_API_KEY:
            await self.send_status("error", _("Speech-to-text is not configured on the server."))
            # 4503, not 1011: Daphne may not send 1011 (autobahn raises, and the demo,
            # which has no Deepgram key, logged a traceback for every click on Start).
            await self.close(code=4503)
            return
        try:
            encoding, sample_rate = self._audio_format()
        except ValueError as exc:
            await self.send_status("error", str(exc))
            await self.close(code=4400)
            return
        self.interview = interview
        self.silence_seconds = settings.AUDIO_BROWSER_SILENCE_SECONDS
        self.relay = DeepgramRelay(
            url=settings.DEEPGRAM_URL,
            api_key=settings.DEEPGRAM_API_KEY,
            params=deepgram_params(
                model=settings.DEEPGRAM_MODEL,
                language=interview.language or "es",
                endpointing_ms=settings.STT_ENDPOINTING_MS,
                utterance_end_ms=settings.STT_UTTERANCE_END_MS,
                encoding=encoding,
                sample_rate=sample_rate,
            ),
            on_results=self.on_results,
            on_status=self.on_status,
            keepalive_seconds=settings.STT_KEEPALIVE_SECONDS,
            buffer_bytes=settings.STT_BUFFER_BYTES,
            close_timeout=settings.STT_CLOSE_TIMEOUT_SECONDS,
            reconnect_first_seconds=settings.STT_RECONNECT_FIRST_SECONDS,
            reconnect_max_seconds=settings.STT_RECONNECT_MAX_SECONDS,
        )
        self.relay.start().add_done_callback(self._relay_ended)
        await self.send_status("connecting", _("Connecting to the speech service…"))

    def _audio_format(self) -> tuple[str | None, int | None]:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        encoding = query.get("encoding", [None])[0]
        rate = query.get("sample_rate", [None])[0]
        if encoding is not None and encoding not in RAW_ENCODINGS:
            raise ValueError(_("Unknown audio encoding “%(e)s”.") % {"e": encoding})
        sample_rate = None
        if rate is not None:
            if not rate.isdigit() or not 8000 <= int(rate) <= 48000:
                raise ValueError(_("sample_rate must be a whole number from 8000 to 48000."))
            sample_rate = int(rate)
        return encoding, sample_rate

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.relay is None:
            return
        self._last_message = asyncio.get_running_loop().time()
        if len(bytes_data or b"") + len(text_data or "") > settings.WEBSOCKET_MAX_MESSAGE_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            # Now, not when the browser acknowledges the close (it may never).
            await self._finish_relay()
            return
        if bytes_data is not None:
            self._watch_silence()  # capture has started
            await self.relay.feed(bytes_data)
            return
        try:
            message = json.loads(text_data or "")
        except (ValueError, RecursionError):  # RecursionError: nested past the parser's limit
            message = None
        if isinstance(message, dict) and message.get("type") == "stop":
            # The page stopped recording on purpose: the silence that follows is not
            # its absence.
            self._stop_watching()
            await self.relay.finish()
            await self.close(code=1000)
            return
        await self.send_status("error", _('Send binary audio, or {"type": "stop"} to finish.'))

    async def disconnect(self, code: int) -> None:
        # The browser left (tab closed, network): Deepgram still gets its
        # CloseStream and the last results are stored.
        await self._finish_relay()

    # --- The silence watchdog -------------------------------------------------------

    def _watch_silence(self) -> None:
        if self._silence_timer is None and not self._silence_off and self.silence_seconds > 0:
            self._silence_timer = asyncio.get_running_loop().call_later(
                self.silence_seconds, self._silence_check
            )

    def _stop_watching(self) -> None:
        self._silence_off = True
        if self._silence_timer is not None:
            self._silence_timer.cancel()
            self._silence_timer = None

    def _silence_check(self) -> None:
        self._silence_timer = None
        if self._silence_off:
            return
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self._last_message
        if quiet < self.silence_seconds:
            # Frames came meanwhile: look again when this one's allowance runs out.
            self._silence_timer = loop.call_later(self.silence_seconds - quiet, self._silence_check)
            return
        self._silence_off = True
        self._silence_task = loop.create_task(self._browser_silent(quiet))

    async def _browser_silent(self, quiet: float) -> None:
        logger.info(
            "Capture for interview %s: nothing from the browser for %.1f s; "
            "closing its socket (%d) and its Deepgram stream",
            self.interview.pk,
            quiet,
            CLOSE_BROWSER_SILENT,
        )
        try:
            await self.close(code=CLOSE_BROWSER_SILENT)
        finally:
            # Now, not when the browser acknowledges the close (it is gone).
            await self._finish_relay()

    async def _finish_relay(self) -> None:
        self._stop_watching()
        self.open = False
        relay, self.relay = self.relay, None
        if relay is not None:
            await relay.finish()

    async def on_results(self, message: dict) -> None:
        try:
            await database_sync_to_async(_ingest)(self.interview, message)
        except InterviewNotLive as exc:
            raise RelayStopped(_("The interview is no longer live; capture stopped.")) from exc
        except RecordingDeclined as exc:
            raise RelayStopped(str(exc)) from exc
        except InvalidResults as exc:
            logger.warning(
                "Unreadable Deepgram result for interview %s: %s", self.interview.pk, exc
            )

    async def on_status(self, status: dict) -> None:
        if self.open:
            await self.send(text_data=json.dumps(status, ensure_ascii=False))

    async def send_status(self, state: str, message: str) -> None:
        await self.on_status({"type": "stt", "state": state, "message": message})

    def _relay_ended(self, task) -> None:
        # The relay stops by itself only when the interview is over: close the page's
        # socket with the "not live" code so it does not reconnect.
        if self.open and self.relay is not None and self.relay.stop_reason:
            self._stop_watching()
            task.get_loop().create_task(self.close(code=4409))
