"""The live audio relay against the local Deepgram stand-in, through the real ASGI
application: audio in on `/ws/interviews/<id>/audio/`, transcript rows in the
database and `transcript` events on the feed websocket out."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.services import api_token_create
from interview_companion.asgi import application
from interviews.live.audio import CLOSE_BROWSER_SILENT
from interviews.live.relay import DeepgramRelay
from interviews.models import Interview, Transcript
from interviews.tests.deepgram_standin import DeepgramStandIn, free_port, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "dg-secret-server-key"


@pytest.fixture(autouse=True)
def _english(settings):
    # Status messages are asserted in English, whatever catalogue has been compiled.
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def relay_settings(settings):
    settings.DEEPGRAM_API_KEY = KEY
    settings.DEEPGRAM_MODEL = "nova-3"
    settings.STT_KEEPALIVE_SECONDS = 0.2
    settings.STT_RECONNECT_FIRST_SECONDS = 0.05
    settings.STT_RECONNECT_MAX_SECONDS = 0.2
    settings.STT_CLOSE_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def deepgram(relay_settings):
    with DeepgramStandIn(api_key=KEY) as standin:
        relay_settings.DEEPGRAM_URL = standin.url
        yield standin


@database_sync_to_async
def bearer(user) -> list[tuple[bytes, bytes]]:
    _, token = api_token_create(user=user)
    return [(b"authorization", f"Bearer {token}".encode())]


async def open_audio(interview, headers, query: str = "") -> WebsocketCommunicator:
    audio = WebsocketCommunicator(
        application, f"/ws/interviews/{interview.pk}/audio/{query}", headers=headers
    )
    connected, _ = await audio.connect()
    assert connected
    return audio


async def statuses_until(audio: WebsocketCommunicator, state: str, timeout: float = 5) -> list:
    """Status messages received up to and including the first with `state`."""
    seen = []
    while True:
        message = await audio.receive_json_from(timeout=timeout)
        seen.append(message)
        if message.get("state") == state:
            return seen


async def stop(audio: WebsocketCommunicator) -> list[dict]:
    await audio.send_to(text_data=json.dumps({"type": "stop"}))
    seen = await statuses_until(audio, "closed")
    closing = await audio.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": 1000}
    return seen


@database_sync_to_async
def rows(interview) -> list[tuple[str, str, bool]]:
    return [
        (r.speaker, r.text, r.is_interim)
        for r in Transcript.objects.filter(interview_id=interview.pk).chronological()
    ]


async def rows_until(interview, count: int, timeout: float = 5) -> list:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(found := await rows(interview)) < count:
        assert asyncio.get_running_loop().time() < deadline, found
        await asyncio.sleep(0.02)
    return found


async def feed_transcripts(feed: WebsocketCommunicator) -> list[dict]:
    """Every message the feed has delivered so far."""
    messages = []
    while not await feed.receive_nothing(timeout=0.3):
        messages.append(await feed.receive_json_from())
    return messages


async def test_audio_in_gives_rows_in_the_database_and_on_the_feed(deepgram, live_interview, alice):
    headers = await bearer(alice)
    feed = WebsocketCommunicator(
        application, f"/ws/interviews/{live_interview.pk}/", headers=headers
    )
    assert (await feed.connect())[0]
    assert (await feed.receive_json_from())["snapshot"] is True
    audio = await open_audio(live_interview, headers)
    await statuses_until(audio, "live")

    for frame in (
        "SPK1:¿Cuántos años llevas",
        "SPK1:con Django?",
        "SPK0:Cuatro años,",
        "SPK0:en una fintech.",
    ):
        await audio.send_to(bytes_data=frame.encode())
    seen = await stop(audio)

    assert await rows(live_interview) == [
        ("speaker_1", "¿Cuántos años llevas con Django?", False),
        ("speaker_0", "Cuatro años, en una fintech.", False),
    ]
    interview = await database_sync_to_async(Interview.objects.get)(pk=live_interview.pk)
    assert interview.stt_provider == "deepgram"
    events = [m for m in await feed_transcripts(feed) if m["type"] == "transcript"]
    finals = [m["data"]["text"] for m in events if not m["data"]["is_interim"]]
    assert finals == ["¿Cuántos años llevas con Django?", "Cuatro años, en una fintech."]
    assert any(m["data"]["is_interim"] for m in events)  # interim text shown while speaking
    # Deepgram was asked as documented, with the key only on the server's side.
    (connection,) = deepgram.connections
    assert connection.headers["authorization"] == f"Token {KEY}"
    assert connection.params == {
        "model": "nova-3",
        "language": "es",
        "diarize": "true",
        "interim_results": "true",
        "punctuate": "true",
        "smart_format": "true",
        "endpointing": "300",
        "utterance_end_ms": "1000",
    }
    assert connection.controls[-1] == "CloseStream" and connection.closed == "CloseStream"
    assert all(KEY not in json.dumps(status) for status in seen)
    await feed.disconnect()


async def test_an_english_interview_asks_for_english_and_raw_audio_declares_its_format(
    deepgram, live_interview, alice
):
    await database_sync_to_async(Interview.objects.filter(pk=live_interview.pk).update)(
        language="en"
    )
    audio = await open_audio(
        live_interview, await bearer(alice), "?encoding=linear16&sample_rate=16000"
    )
    await statuses_until(audio, "live")
    await stop(audio)
    params = deepgram.connections[0].params
    assert (params["language"], params["encoding"], params["sample_rate"]) == (
        "en",
        "linear16",
        "16000",
    )


async def test_an_upstream_drop_is_reported_and_recovered_without_losing_or_repeating_rows(
    deepgram, live_interview, alice
):
    audio = await open_audio(live_interview, await bearer(alice))
    await statuses_until(audio, "live")
    await audio.send_to(bytes_data="SPK1:¿Qué tal el viaje?".encode())
    # A pause: the question's final is stored before the answer starts.
    await rows_until(live_interview, 1)

    # The next frame is heard (an interim row appears), then the network fails, and
    # Deepgram refuses the next two handshakes: the speaker goes on meanwhile.
    deepgram.drop_after_frames = 2
    deepgram.reject_next = 2
    await audio.send_to(bytes_data=b"SPK0:Muy bien,")
    reconnecting = await statuses_until(audio, "reconnecting")
    await audio.send_to(bytes_data=b"SPK0:gracias por preguntar.")
    await statuses_until(audio, "live")
    await stop(audio)

    assert await rows(live_interview) == [
        ("speaker_1", "¿Qué tal el viaje?", False),
        ("speaker_0", "Muy bien, gracias por preguntar.", False),
    ]
    first, second = deepgram.connections
    assert first.closed == "dropped"
    assert first.sent[-1]["is_final"] is False  # the interim row the drop left behind
    # The new connection got the unanswered frame again, then the buffered one.
    assert second.frames == [b"SPK0:Muy bien,", b"SPK0:gracias por preguntar."]
    assert deepgram.rejected == [503, 503]
    assert "lost" in reconnecting[-1]["message"]


async def test_a_wrong_key_is_reported_and_retried(relay_settings, live_interview, alice):
    with DeepgramStandIn(api_key="the-real-key") as standin:
        relay_settings.DEEPGRAM_URL = standin.url
        audio = await open_audio(live_interview, await bearer(alice))
        status = await statuses_until(audio, "error")
        await wait_until(lambda: len(standin.rejected) >= 2)  # retried with backoff
        await audio.disconnect()
    assert "401" in status[-1]["message"] and "DEEPGRAM_API_KEY" in status[-1]["message"]
    assert KEY not in json.dumps(status)
    assert set(standin.rejected) == {401}
    assert standin.connections == []


async def test_keepalive_holds_a_silent_stream_open(relay_settings, live_interview, alice):
    with DeepgramStandIn(api_key=KEY, idle_timeout=0.6) as standin:
        relay_settings.DEEPGRAM_URL = standin.url
        audio = await open_audio(live_interview, await bearer(alice))
        await statuses_until(audio, "live")
        await asyncio.sleep(1.5)  # silence, longer than the stand-in's idle timeout
        await audio.send_to(bytes_data=b"SPK0:Sigo aqui.")
        await stop(audio)
    (connection,) = standin.connections
    assert connection.keepalives >= 4
    assert connection.closed == "CloseStream"
    assert await rows(live_interview) == [("speaker_0", "Sigo aqui.", False)]


async def test_audio_sent_while_deepgram_is_unreachable_is_buffered_up_to_the_bound(
    relay_settings, live_interview, alice
):
    port = free_port()  # nothing listens: connections are refused
    relay_settings.DEEPGRAM_URL = f"ws://127.0.0.1:{port}/v1/listen"
    relay_settings.STT_BUFFER_BYTES = 40
    audio = await open_audio(live_interview, await bearer(alice))
    await statuses_until(audio, "reconnecting")
    await audio.send_to(bytes_data=b"SPK0:Primera frase.")  # 19 bytes: kept
    await audio.send_to(bytes_data=b"SPK0:Segunda frase.")  # 38: kept
    await audio.send_to(bytes_data=b"SPK0:Tercera frase.")  # over 40: dropped, and said
    full = await statuses_until(audio, "reconnecting")
    while not full[-1].get("buffer_full"):
        full = await statuses_until(audio, "reconnecting")

    with DeepgramStandIn(api_key=KEY, port=port) as standin:
        back = await statuses_until(audio, "live")
        await stop(audio)

    assert full[-1]["dropped_bytes"] == 19 and full[-1]["buffered_bytes"] == 38
    assert "dropped" in back[-1]["message"]
    assert standin.connections[0].frames == [b"SPK0:Primera frase.", b"SPK0:Segunda frase."]
    assert [text for _, text, _ in await rows(live_interview)] == [
        "Primera frase.",
        "Segunda frase.",
    ]


async def test_a_reconnect_sends_the_webm_header_again_before_later_audio():
    header = b"\x1a\x45\xdf\xa3" + b"EBML-and-Tracks"
    first_chunk = header + b"\x1f\x43\xb6\x75" + b"cluster-1"
    statuses = []

    async def ignore(message):
        pass

    async def status(message):
        statuses.append(message)

    port = free_port()
    relay = DeepgramRelay(
        url=f"ws://127.0.0.1:{port}/v1/listen",
        api_key=KEY,
        params={"model": "nova-3"},
        on_results=ignore,
        on_status=status,
        reconnect_first_seconds=0.05,
        reconnect_max_seconds=0.1,
        close_timeout=5,
    )
    with DeepgramStandIn(api_key=KEY, port=port, opaque_final_after=10**9) as standin:
        relay.start()
        await wait_until(lambda: relay.state == "live")
        await relay.feed(first_chunk)
        await wait_until(lambda: standin.connections and standin.connections[0].frames)
        standin.drop_after_frames = 2
        await relay.feed(b"\x1f\x43\xb6\x75cluster-2")
        await wait_until(lambda: len(standin.connections) == 2)
        await relay.feed(b"\x1f\x43\xb6\x75cluster-3")
        await relay.finish()
    assert standin.connections[0].frames[0] == first_chunk
    # Nothing was finalised on the first connection, so its audio is replayed, and
    # starting with the first chunk it carries its header already.
    assert standin.connections[1].frames[0].startswith(header)
    assert statuses[-1]["state"] == "closed"


@pytest.mark.parametrize(
    "who, status, code",
    [
        (None, "live", 4401),
        ("bob", "live", 4403),
        ("alice", "scheduled", 4409),
        ("alice", "declined", 4409),  # the candidate declined the notice
        ("alice", "missing", 4404),
    ],
)
async def test_only_the_interviewer_or_staff_may_capture_a_live_interview(
    deepgram, interview, alice, bob, who, status, code
):
    from interviews.services import interview_transition

    if status == "declined":
        from interviews.notices import notice_record

        await database_sync_to_async(notice_record)(
            interview=interview, decision="declined", channel="spoken", by=alice
        )
    if status in ("live", "declined"):
        await database_sync_to_async(interview_transition)(interview=interview, to="live")
    path = f"/ws/interviews/{interview.pk + (1000 if status == 'missing' else 0)}/audio/"
    headers = await bearer({"alice": alice, "bob": bob}[who]) if who else []
    audio = WebsocketCommunicator(application, path, headers=headers)
    await audio.connect()
    output = await audio.receive_output(timeout=3)
    while output["type"] == "websocket.send":
        output = await audio.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": code}
    assert deepgram.connections == []


async def test_without_speech_to_text_the_page_is_told_and_the_socket_closes_4503(
    live_interview, alice, settings
):
    settings.DEEPGRAM_API_KEY = ""
    path = f"/ws/interviews/{live_interview.pk}/audio/"
    audio = WebsocketCommunicator(application, path, headers=await bearer(alice))
    await audio.connect()
    output = await audio.receive_output(timeout=3)
    assert output["type"] == "websocket.send"
    assert json.loads(output["text"])["state"] == "error"
    # A code Daphne can send (1011 made autobahn raise inside the server).
    assert (await audio.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4503}


async def test_staff_may_capture_for_another_interviewer(deepgram, live_interview, charlie):
    audio = await open_audio(live_interview, await bearer(charlie))
    await statuses_until(audio, "live")
    await stop(audio)
    assert len(deepgram.connections) == 1


async def test_capture_stops_when_the_interview_completes(deepgram, live_interview, alice):
    from interviews.services import interview_transition

    audio = await open_audio(live_interview, await bearer(alice))
    await statuses_until(audio, "live")
    await database_sync_to_async(interview_transition)(interview=live_interview, to="completed")
    await audio.send_to(bytes_data=b"SPK0:Demasiado tarde.")
    error = await statuses_until(audio, "error")
    assert error[-1].get("stopped") is True
    assert (await audio.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4409}
    assert await rows(live_interview) == []


async def test_an_utterance_end_from_deepgram_ends_the_answer_it_follows(
    deepgram, live_interview, alice
):
    deepgram.speech_final = False  # noisy audio: only UtteranceEnd says the speaker stopped
    headers = await bearer(alice)
    audio = await open_audio(live_interview, headers)
    await statuses_until(audio, "live")
    await audio.send_to(bytes_data="SPK0:Cuatro años, en una fintech.".encode())
    await rows_until(live_interview, 1)

    @database_sync_to_async
    def ended() -> bool:
        return Transcript.objects.get(interview_id=live_interview.pk).speech_final

    deadline = asyncio.get_running_loop().time() + 5
    while not await ended():
        assert asyncio.get_running_loop().time() < deadline, "the row was never ended"
        await asyncio.sleep(0.02)
    await stop(audio)


# --- A browser that goes silent (issue 17) ------------------------------------------


async def close_code(audio: WebsocketCommunicator, timeout: float) -> int:
    """The code of the close the application sends next (status messages skipped)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        message = await audio.receive_output(timeout=max(left, 0.01))
        if message["type"] == "websocket.close":
            return message["code"]


async def test_a_browser_gone_silent_gets_its_deepgram_stream_closed_within_5_s(
    deepgram, relay_settings, live_interview, alice, caplog
):
    """The network went away without a reset (a closed lid): the socket is still
    open, nothing more arrives. Before: KeepAlive upstream until Daphne's ping
    noticed (up to ~50 s)."""
    relay_settings.AUDIO_BROWSER_SILENCE_SECONDS = 4
    caplog.set_level(logging.INFO, logger="interviews.live.audio")
    audio = await open_audio(live_interview, await bearer(alice))
    await statuses_until(audio, "live")
    await audio.send_to(bytes_data=b"SPK1:Buenos dias.")
    await audio.send_to(bytes_data="SPK0:Tengo cinco años".encode())  # not finalised yet
    await rows_until(live_interview, 2)
    gone = time.monotonic()

    await wait_until(lambda: deepgram.connections[0].closed, timeout=6)
    seconds = time.monotonic() - gone
    assert deepgram.connections[0].closed == "CloseStream"
    assert 3.5 < seconds < 5, seconds
    assert await close_code(audio, timeout=1) == CLOSE_BROWSER_SILENT == 4408
    # The words already said were finalised by CloseStream and stored.
    await wait_until(lambda: deepgram.connections[0].sent[-1]["type"] == "Metadata")
    assert await rows(live_interview) == [
        ("speaker_1", "Buenos dias.", False),
        ("speaker_0", "Tengo cinco años", False),
    ]
    assert len(deepgram.connections) == 1
    assert any(
        r.levelno == logging.INFO and "nothing from the browser" in r.getMessage()
        for r in caplog.records
    ), caplog.text
    await audio.disconnect()


async def test_a_steady_stream_of_frames_is_never_cut(
    deepgram, relay_settings, live_interview, alice
):
    relay_settings.AUDIO_BROWSER_SILENCE_SECONDS = 0.5
    audio = await open_audio(live_interview, await bearer(alice))
    await statuses_until(audio, "live")
    # Eight times the allowance, a frame every 0.2 s (the page sends one every 0.25 s).
    for i in range(20):
        await audio.send_to(bytes_data=f"SPK0:palabra{i}".encode())
        await asyncio.sleep(0.2)
    await audio.send_to(bytes_data=b"SPK0:fin.")
    await stop(audio)  # the close that follows is the page's own stop: 1000
    (connection,) = deepgram.connections
    assert connection.closed == "CloseStream"
    assert len(connection.frames) == 21


async def test_a_stop_waiting_for_slow_last_results_is_not_taken_for_silence(
    deepgram, relay_settings, live_interview, alice
):
    relay_settings.AUDIO_BROWSER_SILENCE_SECONDS = 0.3
    deepgram.close_stream_delay = 1.2  # Deepgram thinks longer than the allowance
    audio = await open_audio(live_interview, await bearer(alice))
    await statuses_until(audio, "live")
    await audio.send_to(bytes_data=b"SPK0:Hasta luego")
    await stop(audio)  # closes with 1000 after the last result, not 4408 meanwhile
    assert await rows(live_interview) == [("speaker_0", "Hasta luego", False)]


async def test_the_silence_watchdog_can_be_turned_off(
    deepgram, relay_settings, live_interview, alice
):
    relay_settings.AUDIO_BROWSER_SILENCE_SECONDS = 0
    audio = await open_audio(live_interview, await bearer(alice))
    await statuses_until(audio, "live")
    await audio.send_to(bytes_data=b"SPK0:Hola.")
    await rows_until(live_interview, 1)
    assert await audio.receive_nothing(timeout=1)
    assert deepgram.connections[0].closed == ""
    await stop(audio)
