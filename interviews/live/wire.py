"""Writing a live event's websocket frame straight to Daphne's socket.

A broadcast goes to every page watching an interview: 1,000 viewers means 1,000
sends of the same text. Through ASGI each send is a consumer `send`, Daphne's
`handle_reply`, autobahn framing the text again, and Twisted's `write`, which never
writes at once: it registers the socket for writability (an `epoll_ctl`), sends on
the next loop turn and unregisters it (another `epoll_ctl`). Profiled at 1,000
viewers that path was ~85% of the server's time per broadcast (README,
"Performance").

Here the frame is built once per event with autobahn's `PreparedMessage` (its API
for broadcast) and written with one `send()` per socket, as asyncio transports do.
Whenever that could reorder or lose bytes (Twisted still holds unsent data for the
socket, autobahn has a send queue, compression or TLS is on, the socket is not open)
the frame goes through autobahn's own `sendPreparedMessage` instead, behind whatever
is queued. A server that is not Daphne gets no `DirectSocket` and everything goes
through ASGI as before, and so does everything when `LIVE_DIRECT_WRITE` is off.
"""

from __future__ import annotations

import functools
import logging
from typing import NamedTuple

from autobahn.websocket.protocol import PreparedMessage
from django.conf import settings

logger = logging.getLogger(__name__)

SCOPE_KEY = "interview_companion.direct_socket"


class LiveEvent(NamedTuple):
    """One logged event on its way to live pages: its seq, its JSON text and its
    websocket frame, framed once for all of them."""

    seq: int
    text: str
    frame: PreparedMessage


def live_events(events: list) -> list[LiveEvent]:
    """Frame each (seq, text) from the channel layer once, for every local page."""
    return [
        LiveEvent(seq, text, PreparedMessage(text.encode(), False, False, True))
        for seq, text in events
    ]


class DirectSocket:
    """One Daphne websocket, written to without ASGI. Only `write` is public."""

    __slots__ = ("protocol",)

    def __init__(self, protocol) -> None:
        self.protocol = protocol

    def write(self, frame: PreparedMessage) -> None:
        protocol = self.protocol
        if protocol.state != protocol.STATE_OPEN:
            return  # what autobahn does with a send on a closing socket
        transport = protocol.transport
        if (
            protocol._perMessageCompress is not None
            or protocol.send_queue
            or transport.TLS
            or not transport.connected
            or transport.disconnecting
            or transport._tempDataBuffer
            or transport.offset < len(transport.dataBuffer)
        ):
            # Queued bytes go first, and compression and TLS have their own framing.
            protocol.sendPreparedMessage(frame)
            return
        data = frame.payloadHybi
        try:
            sent = transport.socket.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            # A broken connection: Twisted finds it and closes it in its own way.
            protocol.sendPreparedMessage(frame)
            return
        if sent < len(data):
            # The client reads slowly: Twisted keeps the rest and, from now on, this
            # socket's frames queue behind it (the check above).
            transport.write(data[sent:])


def direct_socket(send) -> DirectSocket | None:
    """The socket behind an ASGI `send` if Daphne made it, else None.

    Daphne hands each websocket application `partial(server.handle_reply, protocol)`;
    anything else (another server, Channels' test communicator, a later Daphne that
    changed this) is written to through ASGI, as is every socket when the
    `LIVE_DIRECT_WRITE` setting is off.
    """
    if not settings.LIVE_DIRECT_WRITE:
        return None
    try:
        from daphne.server import Server
        from daphne.ws_protocol import WebSocketProtocol
        from twisted.internet.tcp import Connection
    except ImportError:  # pragma: no cover - Daphne is a dependency
        return None
    if not (
        isinstance(send, functools.partial)
        and getattr(send.func, "__func__", None) is Server.handle_reply
        and len(send.args) == 1
        and not send.keywords
    ):
        return None
    protocol = send.args[0]
    if not isinstance(protocol, WebSocketProtocol) or not isinstance(
        protocol.transport, Connection
    ):
        return None
    transport_needs = ("_tempDataBuffer", "dataBuffer", "offset", "socket", "TLS", "disconnecting")
    protocol_needs = ("send_queue", "_perMessageCompress", "state", "sendPreparedMessage")
    if not (
        all(hasattr(protocol.transport, name) for name in transport_needs)
        and all(hasattr(protocol, name) for name in protocol_needs)
    ):
        logger.warning(
            "autobahn's protocol or Twisted's transport changed shape: live events go through ASGI"
        )
        return None
    return DirectSocket(protocol)
