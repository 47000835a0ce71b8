"""Oversized bodies refused before Daphne reads them (`interview_companion/early_limit.py`).

On a real Daphne: a declared 300 MB Content-Length is answered 413 at once, with no
byte of the body sent, and other clients go on being served meanwhile. Without the
hook (before, or with EARLY_BODY_LIMIT=false) Daphne waits for the whole body and
spools it to disk before the application's limit can answer."""

from __future__ import annotations

import json
import logging
import socket
import time
import types

import httpx
import pytest
from daphne import http_protocol
from twisted.web import http as twisted_http

from accounts.services import api_token_create
from interview_companion.early_limit import body_limit, install
from interviews.services import interview_transition
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory
from tests.servers import Server, subprocess_database_url

HUGE = 300 * 1024 * 1024


def send_and_read(sock: socket.socket, data: bytes, wait: float) -> bytes:
    """Send `data`, then read whatever the server answers within `wait` seconds."""
    sock.sendall(data)
    sock.settimeout(wait)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pass
    return received


def head(path: str, length: int | None, content_type: str = "application/json", extra=b""):
    lines = [
        f"POST {path} HTTP/1.1".encode(),
        b"Host: 127.0.0.1",
        f"Content-Type: {content_type}".encode(),
        b"Authorization: Bearer ic_" + b"A" * 40,
        b"Accept-Language: en",
    ]
    if length is None:
        lines.append(b"Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {length}".encode())
    return b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"


@pytest.fixture
def server():
    started = Server({"DATABASE_URL": subprocess_database_url(), "ANALYSIS_IN_PROCESS": "false"})
    started.start()
    yield started
    started.stop()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_declared_300_mb_body_is_refused_at_once_without_being_sent(server, alice):
    interview = interview_transition(interview=InterviewFactory(interviewer=alice), to="live")
    _row, token = api_token_create(user=alice, name="t")
    path = f"/api/interviews/{interview.pk}/transcripts/"
    with socket.create_connection(("127.0.0.1", server.port)) as refused:
        started = time.monotonic()
        answer = send_and_read(refused, head(path, HUGE), wait=2)
        took = time.monotonic() - started

        status, _, rest = answer.partition(b"\r\n")
        assert status == b"HTTP/1.1 413 Content Too Large", answer[:200]
        assert took < 2
        assert json.loads(rest.partition(b"\r\n\r\n")[2]) == {
            "error": "The request body is too large."
        }
        # Meanwhile (that connection still open) another client is served as usual.
        ok = httpx.post(
            f"{server.url}{path}",
            json=results("Hola", start=1.0),
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert ok.status_code == 201, ok.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_continue_is_sent_after_the_refusal(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        answer = send_and_read(
            sock, head("/api/interviews/1/transcripts/", HUGE, extra=b"Expect: 100-continue\r\n"), 2
        )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"100 Continue" not in answer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_is_refused_once_it_passes_the_limit(server):
    piece = b"x" * 256 * 1024
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head("/api/interviews/1/transcripts/", None))
        for _ in range(10):  # 2.5 MiB, past the 2 MiB limit
            sock.sendall(chunk)
        answer = send_and_read(sock, b"", wait=2)
    assert answer.startswith(b"HTTP/1.1 413 ")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_uploads_get_the_upload_limit_and_a_body_within_it_is_waited_for(server, settings):
    assert body_limit(b"multipart/form-data; boundary=x") > settings.TRANSCRIPT_IMPORT_MAX_BYTES
    assert body_limit(b"application/json") == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        # 5 MB of CV upload is allowed: the server waits for it (no answer yet).
        answer = send_and_read(
            sock, head("/candidates/1/cv/", 5_000_000, "multipart/form-data; boundary=x"), 1
        )
    assert answer == b""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_early_body_limit_off_daphne_waits_for_the_whole_body(alice):
    server = Server(
        {
            "DATABASE_URL": subprocess_database_url(),
            "ANALYSIS_IN_PROCESS": "false",
            "EARLY_BODY_LIMIT": "false",
        }
    ).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            answer = send_and_read(sock, head("/api/interviews/1/transcripts/", HUGE), 1.5)
    finally:
        server.stop()
    assert answer == b""  # no answer until 300 MB have arrived


# --- The fallback: Daphne or Twisted not the expected shape -------------------


def original_request_class() -> type:
    current = http_protocol.WebRequest
    return current.__bases__[0] if getattr(current, "_early_limit_installed", False) else current


@pytest.fixture
def warnings(caplog):
    caplog.set_level(logging.WARNING, logger="interview_companion.early_limit")
    logging.getLogger("interview_companion.early_limit").addHandler(caplog.handler)
    yield caplog
    logging.getLogger("interview_companion.early_limit").removeHandler(caplog.handler)


def test_installs_on_the_daphne_it_was_written_for(warnings):
    daphne = types.SimpleNamespace(
        WebRequest=original_request_class(), HTTPFactory=http_protocol.HTTPFactory
    )
    assert install(daphne, twisted_http)
    assert issubclass(daphne.WebRequest, original_request_class())
    installed = daphne.WebRequest
    assert install(daphne, twisted_http) and daphne.WebRequest is installed  # once
    assert not warnings.records


class NotTwistedRequest:
    def gotLength(self, length): ...


class FactoryWithoutTheGlobal:
    def buildProtocol(self, addr):
        return addr.requestFactory  # does not read a module-level WebRequest


@pytest.mark.parametrize(
    "daphne",
    [
        types.SimpleNamespace(WebRequest=NotTwistedRequest, HTTPFactory=http_protocol.HTTPFactory),
        types.SimpleNamespace(
            WebRequest=original_request_class(), HTTPFactory=FactoryWithoutTheGlobal
        ),
        types.SimpleNamespace(HTTPFactory=http_protocol.HTTPFactory),
    ],
    ids=["not-a-twisted-request", "factory-changed", "no-request-class"],
)
def test_another_shape_is_left_alone_with_a_warning(daphne, warnings):
    before = dict(vars(daphne))
    assert not install(daphne, twisted_http)
    assert vars(daphne) == before
    assert "EARLY_BODY_LIMIT has no effect" in warnings.text
