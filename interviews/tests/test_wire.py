"""Live events written straight to Daphne's socket (`interviews/live/wire.py`), on real
Daphne, autobahn and Twisted objects over a socket pair. No reactor runs: what the
peer can read right after `write` is what went out at once, and Twisted's
`doWrite` stands in for the reactor's next turn."""

from __future__ import annotations

import functools
import logging
import socket

import pytest
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory
from twisted.internet.tcp import Connection

from interviews.live.wire import direct_socket, live_events


class FdSet:
    """The reactor's file-descriptor set, which is all a Twisted connection asks of it."""

    def __init__(self) -> None:
        self.writers: set = set()

    def addWriter(self, writer) -> None:
        self.writers.add(writer)

    def removeWriter(self, writer) -> None:
        self.writers.discard(writer)

    def addReader(self, reader) -> None:
        pass

    def removeReader(self, reader) -> None:
        pass


@pytest.fixture(autouse=True)
def direct_write_on(settings):
    """These tests are about the direct write itself: on, whatever LIVE_DIRECT_WRITE
    the run has (CI runs the end-to-end feed tests with it off as well)."""
    settings.LIVE_DIRECT_WRITE = True


@pytest.fixture
def daphne_server():
    return Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"])


@pytest.fixture
def open_socket(daphne_server):
    """An open Daphne websocket on one end of a socket pair; the test reads the other."""
    made = []

    def make(send_buffer: int | None = None):
        ours, peer = socket.socketpair()
        if send_buffer:
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
            peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, send_buffer)
        peer.setblocking(False)
        protocol = WebSocketFactory(daphne_server).buildProtocol(None)
        protocol.transport = Connection(ours, protocol, reactor=FdSet())
        protocol.transport.connected = True
        protocol._connectionMade()
        protocol.state = protocol.STATE_OPEN
        made.append((ours, peer))
        return protocol, peer

    yield make
    for ours, peer in made:
        ours.close()
        peer.close()


def read_all(peer: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = peer.recv(1 << 20)
        except BlockingIOError:
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def autobahn_bytes(open_socket, text: str) -> bytes:
    """What Daphne's usual path (autobahn's sendMessage, then Twisted) puts on the wire."""
    protocol, peer = open_socket()
    protocol.sendMessage(text.encode())
    protocol.transport.doWrite()
    return read_all(peer)


def test_daphnes_send_resolves_to_its_socket_and_nothing_else_does(daphne_server, open_socket):
    protocol, _peer = open_socket()
    assert direct_socket(functools.partial(daphne_server.handle_reply, protocol)) is not None

    async def other_server_send(message):
        pass

    assert direct_socket(other_server_send) is None
    assert direct_socket(functools.partial(print, protocol)) is None
    # Daphne's send for an HTTP request (a protocol that is not a websocket).
    assert direct_socket(functools.partial(daphne_server.handle_reply, object())) is None


def test_a_frame_goes_out_at_once_with_the_bytes_autobahn_would_send(daphne_server, open_socket):
    text = '{"type": "insight", "seq": 7, "data": {"content": "Buena respuesta: ñ"}}'
    protocol, peer = open_socket()
    [event] = live_events([(7, text)])

    direct_socket(functools.partial(daphne_server.handle_reply, protocol)).write(event.frame)

    assert read_all(peer) == autobahn_bytes(open_socket, text)
    assert not protocol.transport.reactor.writers  # nothing left for the reactor


def test_a_frame_waits_behind_bytes_twisted_has_not_sent_yet(daphne_server, open_socket):
    protocol, peer = open_socket()
    protocol.sendMessage(b'{"type": "interview", "snapshot": true}')  # the ASGI path
    [event] = live_events([(1, '{"seq": 1}')])

    direct_socket(functools.partial(daphne_server.handle_reply, protocol)).write(event.frame)

    assert read_all(peer) == b""  # neither jumped ahead of the reactor
    protocol.transport.doWrite()
    assert read_all(peer) == (
        autobahn_bytes(open_socket, '{"type": "interview", "snapshot": true}')
        + autobahn_bytes(open_socket, '{"seq": 1}')
    )


def test_a_slow_reader_gets_every_byte_in_order(daphne_server, open_socket):
    protocol, peer = open_socket(send_buffer=4096)
    big, small = "x" * 500_000, '{"seq": 2}'
    events = live_events([(1, big), (2, small)])
    wire = direct_socket(functools.partial(daphne_server.handle_reply, protocol))

    wire.write(events[0].frame)
    assert protocol.transport.reactor.writers  # the rest is Twisted's to send
    wire.write(events[1].frame)

    received = read_all(peer)
    while protocol.transport.reactor.writers:
        protocol.transport.doWrite()
        received += read_all(peer)
    assert received == events[0].frame.payloadHybi + events[1].frame.payloadHybi


def test_nothing_is_written_to_a_socket_that_is_closing(daphne_server, open_socket):
    protocol, peer = open_socket()
    protocol.state = protocol.STATE_CLOSING
    [event] = live_events([(1, '{"seq": 1}')])

    direct_socket(functools.partial(daphne_server.handle_reply, protocol)).write(event.frame)

    protocol.transport.doWrite()
    assert read_all(peer) == b""


def test_a_transport_of_another_shape_falls_back_to_asgi(daphne_server, open_socket, caplog):
    # The project's LOGGING may have been applied by an earlier test: capture this
    # module's logger directly, whatever its handlers and propagation.
    caplog.set_level(logging.WARNING, logger="interviews.live.wire")
    logging.getLogger("interviews.live.wire").addHandler(caplog.handler)
    protocol, _peer = open_socket()
    del protocol.transport._tempDataBuffer  # as if a later Twisted renamed it

    assert direct_socket(functools.partial(daphne_server.handle_reply, protocol)) is None
    assert "live events go through ASGI" in caplog.text


def test_with_live_direct_write_off_every_socket_goes_through_asgi(
    daphne_server, open_socket, settings
):
    protocol, _peer = open_socket()
    settings.LIVE_DIRECT_WRITE = False
    assert direct_socket(functools.partial(daphne_server.handle_reply, protocol)) is None
