"""Refusing an oversized request body before Daphne reads it.

Daphne calls the ASGI application only once Twisted has received a request's
whole body: Twisted's `Request.gotLength` spools a body of 100 KB or more into a
temporary file, and Daphne then puts all of it on the application's queue. So a
client declaring 300 MB made the server write 300 MB to disk and copy it into
memory before the application's 2 MiB limit could say no. Measured with
`bench/big_body.py` (README, "Reliability"), over loopback: a 300 MB POST was
answered after 1.1-1.5 s (over a real network, as long as the upload takes),
with a 300 MiB temporary file and the server's peak memory 114 -> 423 MiB; with
this hook it is answered 413 in 1 ms, nothing spooled, memory unchanged.

Here Daphne's request class gets a subclass whose `gotLength` (Twisted calls it
once the headers are in) answers 413 to a declared `Content-Length` over the
limit, and whose `handleContentChunk` counts an undeclared (chunked) body and
refuses it the same way once it passes the limit. A refused request is never
handed to the application, its body is read and thrown away (so the client,
still sending, gets the answer rather than a reset), and the connection is closed
once the client has finished or after `LINGER_SECONDS`. Other connections are
untouched: everything here is per request.

The limits are the application's own: `MAX_REQUEST_BYTES` (Django's
`DATA_UPLOAD_MAX_MEMORY_SIZE`, which every JSON or form body must fit), and for
multipart uploads the largest file the app takes (CV, transcript import) plus
`MAX_REQUEST_BYTES` for the other fields.

This reaches into Daphne and Twisted (versions pinned in requirements.txt):
`EARLY_BODY_LIMIT=false` turns it off, and if either is not the shape it was
written against, `install` logs a warning and changes nothing; the
application's limits then still answer, after the body has been read.
"""

from __future__ import annotations

import json
import logging
from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from interview_companion.http import accept_language

logger = logging.getLogger(__name__)

# How long a refused connection keeps reading (and discarding) what the client
# still sends, so that it reads the 413 instead of a connection reset.
LINGER_SECONDS = 5.0

# The methods of Twisted's request this module overrides.
REQUEST_NEEDS = ("gotLength", "handleContentChunk", "requestReceived")


def body_limit(content_type: bytes) -> int:
    """The largest body the application takes with this Content-Type."""
    if content_type.split(b";")[0].strip().lower() == b"multipart/form-data":
        upload = max(settings.CV_MAX_UPLOAD_BYTES, settings.TRANSCRIPT_IMPORT_MAX_BYTES)
        return upload + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def refusal_response(path: bytes, accept: str) -> bytes:
    """The whole HTTP response of a refused request (JSON under /api/)."""
    language = accept_language(accept)
    with translation.override(language):
        message = _("The request body is too large.")
    if path.startswith(b"/api/") or not path:
        body = json.dumps({"error": message}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        body = message.encode()
        content_type = b"text/plain; charset=utf-8"
    head = [
        b"HTTP/1.1 413 Content Too Large",
        b"Content-Type: " + content_type,
        b"Content-Length: " + str(len(body)).encode(),
        b"Content-Language: " + language.encode(),
        b"X-Content-Type-Options: nosniff",
        b"Cache-Control: no-store",
        b"Connection: close",
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def limited(request_class: type, http_channel: type) -> type:
    """A subclass of Daphne's request class that refuses oversized bodies early."""

    class LimitedRequest(request_class):
        _early_refused = False
        _early_seen = 0
        _early_limit = None

        def _limit(self) -> int | None:
            """The limit, or None where this request is not one we can refuse here
            (not HTTP/1.x over Twisted's channel: HTTP/2 streams are left alone)."""
            if not isinstance(self.channel, http_channel):
                return None
            if self._early_limit is None:
                content_type = self.requestHeaders.getRawHeaders(b"content-type", [b""])[0]
                self._early_limit = body_limit(content_type)
            return self._early_limit

        def gotLength(self, length):
            limit = self._limit()
            if limit is not None and length is not None and length > limit:
                self._refuse()
                return
            super().gotLength(length)

        def handleContentChunk(self, data):
            if self._early_refused:
                return  # read and thrown away
            self._early_seen += len(data)
            limit = self._limit()
            if limit is not None and self._early_seen > limit:  # a chunked body
                self._refuse()
                return
            super().handleContentChunk(data)

        def requestReceived(self, command, path, version):
            if self._early_refused:
                return  # answered already: the application never sees it
            super().requestReceived(command, path, version)

        def _refuse(self) -> None:
            from twisted.internet import reactor  # Daphne's, installed by now

            self._early_refused = True
            # No "100 Continue" after the answer (Twisted sends it after gotLength).
            self.requestHeaders.removeHeader(b"expect")
            if self.content is not None:
                self.content.close()  # a chunked body spooled so far
            self.content = BytesIO()
            channel = self.channel
            channel.persistent = False  # nothing more is read as a request
            transport = channel.transport
            path = getattr(channel, "_path", b"") or b""
            accept = b",".join(self.requestHeaders.getRawHeaders(b"accept-language", []))
            transport.write(refusal_response(path, accept.decode("latin-1")))
            # Finish writing, then close our side; keep reading (and discarding) what
            # the client still sends, for a while.
            if hasattr(transport, "loseWriteConnection"):
                transport.loseWriteConnection()
                reactor.callLater(LINGER_SECONDS, transport.loseConnection)
            else:
                transport.loseConnection()

    LimitedRequest.__name__ = LimitedRequest.__qualname__ = f"Limited{request_class.__name__}"
    return LimitedRequest


def install(http_protocol=None, twisted_http=None) -> bool:
    """Make Daphne's HTTP factory build limited requests; False (and a warning)
    when Daphne or Twisted is not the shape this was written against.

    Daphne's `HTTPFactory.buildProtocol` sets `protocol.requestFactory =
    WebRequest`, read from its module at each connection: the subclass is put
    there. Arguments are for tests; by default the installed modules.
    """
    if http_protocol is None:
        from daphne import http_protocol
    if twisted_http is None:
        from twisted.web import http as twisted_http
    current = getattr(http_protocol, "WebRequest", None)
    if getattr(current, "_early_limit_installed", False):
        return True
    factory = getattr(http_protocol, "HTTPFactory", None)
    build = getattr(getattr(factory, "buildProtocol", None), "__code__", None)
    request_base = getattr(twisted_http, "Request", None)
    channel = getattr(twisted_http, "HTTPChannel", None)
    if not (
        isinstance(current, type)
        and isinstance(request_base, type)
        and issubclass(current, request_base)
        and all(hasattr(current, name) for name in REQUEST_NEEDS)
        and isinstance(channel, type)
        and build is not None
        and "WebRequest" in build.co_names
        and "requestFactory" in build.co_names
    ):
        logger.warning(
            "Daphne's or Twisted's request handling changed shape: oversized bodies are"
            " refused only after they are read (EARLY_BODY_LIMIT has no effect)"
        )
        return False
    request_class = limited(current, channel)
    request_class._early_limit_installed = True
    http_protocol.WebRequest = request_class
    return True
