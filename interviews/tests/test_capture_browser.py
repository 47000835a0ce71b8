"""The browser half of live capture, in headless Chromium with a fake microphone
that speaks a WAV made by espeak-ng: the capture page records webm/opus chunks and
sends them over the audio websocket of a real Daphne server, whose relay delivers
them to the local Deepgram stand-in; the stand-in's answer comes back as a
transcript row on the same live page.

Daphne runs as a subprocess against the test database, so this test needs
PostgreSQL (an in-memory SQLite test database cannot be shared with a process).
System packages: chromium, espeak-ng (scripts/setup.sh installs them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client

from interviews.models import Transcript
from interviews.tests.deepgram_standin import EBML_MAGIC, DeepgramStandIn, free_port, wait_until
from tests.servers import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

KEY = "dg-browser-test-key"
SPOKEN = "Hola, me llamo Lucía y tengo cuatro años de experiencia con Django."
HEARD = "Hola, me llamo Lucía y vengo por el puesto."  # what the stand-in "hears"
CAPTURE_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing: scripts/setup.sh installs it")
        pytest.skip(f"{tool} is not installed (apt-get install -y {Path(tool).name})")


@pytest.fixture
def voice_wav(tmp_path) -> Path:
    _require("espeak-ng")
    wav = tmp_path / "voice.wav"
    subprocess.run(
        ["espeak-ng", "-v", "es", "-s", "150", "-w", str(wav), SPOKEN],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert wav.stat().st_size > 10_000
    return wav


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("Daphne exited before listening")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("Daphne did not start listening")


@pytest.fixture
def deepgram():
    with DeepgramStandIn(api_key=KEY, opaque_final_after=6000) as standin:
        yield standin


@pytest.fixture
def server(deepgram, tmp_path):
    """Daphne serving the project (and its static files) against the test database."""
    port = free_port()
    # A clean environment, not this process's: a variable another test left set
    # (Clerk keys, say) must not change how the server behaves.
    passed = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV")
    env = {
        **{name: os.environ[name] for name in passed if name in os.environ},
        "SECRET_KEY": settings.SECRET_KEY,  # the session cookie is signed with it
        "DATABASE_URL": _database_url(),
        "DEEPGRAM_URL": deepgram.url,
        "DEEPGRAM_API_KEY": KEY,
        "DEEPGRAM_MODEL": "nova-3",
        "ANALYSIS_IN_PROCESS": "false",
        "DEBUG": "true",
        "LANGUAGE_CODE": "en",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Shorter than the default 4 s, still eight chunks' worth: the capture test
        # below shows a real page's steady stream is never taken for silence (one
        # upstream connection got every byte the page sent).
        "AUDIO_BROWSER_SILENCE_SECONDS": "2",
    }
    log = (tmp_path / "daphne.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "interview_companion.asgi:application",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def page_until(page, expression: str, timeout: float = 10) -> None:
    """Poll a page expression. (Playwright's wait_for_function evaluates strings,
    which the page's Content-Security-Policy rightly forbids; evaluate does not.)"""
    deadline = time.monotonic() + timeout
    while not await page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"page never showed {expression}"
        await asyncio.sleep(0.1)


def _log(tmp_path) -> str:
    return (tmp_path / "daphne.log").read_text()[-3000:]


@database_sync_to_async
def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@database_sync_to_async
def transcript_texts(interview) -> list[str]:
    return list(
        Transcript.objects.filter(interview_id=interview.pk, is_interim=False).values_list(
            "text", flat=True
        )
    )


@contextlib.asynccontextmanager
async def capture_page(user, voice_wav, server, tmp_path):
    """A fresh headless Chromium whose fake microphone plays `voice_wav`, signed in
    as `user`: its first page, before any navigation."""
    _require(CHROMIUM)
    playwright_api = pytest.importorskip("playwright.async_api")
    cookie = await session_cookie(user)
    async with playwright_api.async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh profile
            executable_path=CHROMIUM,
            headless=True,
            args=[*CAPTURE_ARGS, f"--use-file-for-fake-audio-capture={voice_wav}"],
        )
        try:
            await context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server}]
            )
            yield await context.new_page()
        finally:
            await context.close()


async def test_the_capture_page_sends_microphone_audio_through_the_relay(
    live_interview, alice, voice_wav, deepgram, server, tmp_path
):
    async with capture_page(alice, voice_wav, server, tmp_path) as page:
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        response = await page.goto(f"{server}/interviews/{live_interview.pk}/live/")
        assert response.status == 200, (response.url, _log(tmp_path))
        assert response.url.endswith("/live/"), response.url  # not the sign-in page
        assert await page.locator("#capture").count() == 1, await page.title()

        await page.click("#capture-start")

        # Audio bytes reach Deepgram's stand-in through the relay, as webm.
        await wait_until(
            lambda: deepgram.connections and deepgram.connections[0].audio_bytes > 6000,
            timeout=30,
        )
        upstream = deepgram.connections[0]
        assert upstream.frames[0].startswith(EBML_MAGIC)
        assert upstream.headers["authorization"] == f"Token {KEY}"
        assert upstream.params["language"] == "es"
        await page_until(page, "document.getElementById('capture-status').dataset.state === 'live'")
        # The level meter moves: the fake microphone is speaking.
        await page_until(page, "document.getElementById('capture-level').value > 0")
        # Capturing, the control is one compact line: a labelled input level and
        # Stop; the start button and the tab option are out of the way.
        assert await page.locator("label[for=capture-level]").is_visible()
        assert "Input level" in await page.locator("label[for=capture-level]").inner_text()
        assert await page.locator("#capture-stop").is_visible()
        assert await page.locator("#capture-start").is_hidden()
        assert await page.locator("#capture-tab").is_hidden()
        box = await page.locator("#capture").bounding_box()
        assert box["height"] < 60, box
        await page.screenshot(
            path=str(tmp_path / "capturing.png"), clip={**box, "height": box["height"] + 4}
        )
        # The stand-in's answer is stored and shown on the page through the feed.
        deadline = asyncio.get_running_loop().time() + 20
        while HEARD not in await transcript_texts(live_interview):
            assert asyncio.get_running_loop().time() < deadline, console
            await asyncio.sleep(0.2)
        await page.locator("#transcript").get_by_text(HEARD).wait_for(timeout=10_000)

        await page.click("#capture-stop")
        await wait_until(lambda: upstream.closed == "CloseStream", timeout=15)
        await page_until(
            page, "document.getElementById('capture-status').dataset.state === 'stopped'"
        )
        sent = await page.evaluate("document.getElementById('capture').capture.sentBytes")
        # Every byte the page sent reached Deepgram (the relay adds nothing).
        assert upstream.audio_bytes == sent
        assert KEY not in await page.content()


async def test_a_page_that_stops_sending_is_closed_4408_and_reconnects(
    live_interview, alice, voice_wav, deepgram, server, tmp_path
):
    """The server takes a silent capture socket for a page that is gone; a page that
    is in fact still there (its recorder stalled) reconnects with a fresh recording
    instead of stopping."""
    async with capture_page(alice, voice_wav, server, tmp_path) as page:
        await page.goto(f"{server}/interviews/{live_interview.pk}/live/")
        await page.click("#capture-start")
        await wait_until(
            lambda: deepgram.connections and deepgram.connections[0].audio_bytes > 0,
            timeout=30,
        )
        await page_until(page, "document.getElementById('capture-status').dataset.state === 'live'")
        first = deepgram.connections[0]

        # The recorder stalls; the page and its socket stay.
        await page.evaluate("document.getElementById('capture').capture.recorder.pause()")
        await wait_until(lambda: first.closed, timeout=5)
        assert first.closed == "CloseStream"
        # Told 4408, the page reconnected and started a fresh recording.
        await wait_until(
            lambda: len(deepgram.connections) > 1 and deepgram.connections[1].frames,
            timeout=15,
        )
        assert deepgram.connections[1].frames[0].startswith(EBML_MAGIC)
        assert (
            await page.evaluate("document.getElementById('capture').capture.lastCloseCode") == 4408
        ), _log(tmp_path)
        await page_until(page, "document.getElementById('capture-status').dataset.state === 'live'")
        assert await page.locator("#capture-stop").is_enabled()
        assert await page.evaluate("document.getElementById('capture').capture.running")

        await page.click("#capture-stop")
        await wait_until(lambda: deepgram.connections[1].closed == "CloseStream", timeout=15)
        await page_until(
            page, "document.getElementById('capture-status').dataset.state === 'stopped'"
        )
        assert len(deepgram.connections) == 2
