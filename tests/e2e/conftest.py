"""Browser fixtures for the end-to-end tests: Debian's Chromium driven by Playwright's
sync API, and the real ASGI app served by Daphne on 127.0.0.1 against the test
database (so PostgreSQL only: an in-memory SQLite database cannot be shared with
another process).

The browser is never downloaded (`playwright install` is not used): a missing or
broken /usr/bin/chromium is a failure, not a skip, because CI installs it with
scripts/setup.sh and a skipped browser test would hide exactly that.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from accounts.services import api_token_create
from interviews.services import interview_transition
from tests.factories import CandidateFactory, InterviewFactory, JobPositionFactory, cv
from tests.servers import CHROMIUM, CHROMIUM_ARGS, ROOT, Server, subprocess_database_url

ARTIFACTS = ROOT / "artifacts" / "e2e"
CANDIDATE = "Javier Morales Gil"  # the candidate of the Spanish recording
SPANISH_RECORDING = ROOT / "interviews" / "recordings" / "entrevista_backend_es.jsonl"


def server_env() -> dict[str, str]:
    return {
        "DATABASE_URL": subprocess_database_url(),
        # One server at a time: the in-memory channel layer is all it needs, and a
        # REDIS_URL inherited from CI must not send its broadcasts elsewhere.
        "REDIS_URL": "",
        "ANALYSIS_IN_PROCESS": "true",
        "ANALYSIS_POLL_SECONDS": "0.3",
        "AI_PROVIDERS": "builtin",
        # Password sign-in: Clerk is another test's business.
        "CLERK_PUBLISHABLE_KEY": "",
        "CLERK_JWT_KEY": "",
        "LANGUAGE_CODE": "es",
        "TIME_ZONE": "Europe/Madrid",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }


@pytest.fixture
def artifacts(request) -> Path:
    """This test's screenshots and server log, from this run only."""
    path = ARTIFACTS / re.sub(r"\W+", "_", request.node.name)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def server(artifacts) -> Iterator[Server]:
    server = Server(server_env(), log=artifacts / "daphne.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser(tmp_path, monkeypatch):
    """A fresh Chromium profile per test, English UI (scenario 3 switches to Spanish)."""
    # Playwright's sync API leaves its event loop marked as running in this thread
    # between calls, which Django's guard reads as "inside a coroutine". The test's
    # ORM calls are plain synchronous calls on the test thread, so this is safe
    # here (and only here: the server under test does not inherit it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs the chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="en-US",
            timezone_id="Europe/Madrid",
            viewport={"width": 1280, "height": 1000},
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
            # The test's ORM calls ran while Playwright's loop was marked running, on
            # a connection of their own: close it, or it outlives the test and keeps
            # pytest from dropping the test database.
            connections.close_all()


@pytest.fixture
def page(browser):
    """The context's page, collecting console errors and uncaught exceptions so a
    test can assert the page ran clean (a CSP violation is a console error)."""
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.errors.append(f"pageerror: {error}"))
    return page


def recording_messages() -> list[dict]:
    lines = SPANISH_RECORDING.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def spanish_recording() -> list[dict]:
    return recording_messages()


def sign_in(page, server_url: str, email: str, password: str) -> None:
    page.goto(f"{server_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit].primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


# --- The interview of the Spanish recording ------------------------------------


@pytest.fixture
def backend_position():
    return JobPositionFactory(
        title="Backend Python/Django",
        requirements={
            "technical_skills": ["Python", "Django", "PostgreSQL", "Celery", "Docker"],
            "experience": "5+ years",
            "english_level": "B2",
            "nice_to_have": ["Kubernetes", "AWS"],
        },
    )


@pytest.fixture
def javier():
    return CandidateFactory(
        name=CANDIDATE,
        email="javier.morales@example.com",
        cv_data=cv("Python", "Django", "PostgreSQL", "Celery", "Docker", years=6),
    )


@pytest.fixture
def started(alice, javier, backend_position):
    """Javier's interview, live, with an API token for the STT side."""
    interview = InterviewFactory(interviewer=alice, candidate=javier, job_position=backend_position)
    interview_transition(interview=interview, to="live", by=alice)
    _row, token = api_token_create(user=alice, name="e2e")
    return interview, token
