"""uvicorn's HTTP protocols with a bound on how long a request's headers may take to arrive.

uvicorn closes a keep-alive connection that stays idle after a response (`timeout_keep_alive`), but a
connection that sends part of a request line or of its headers and then stops is kept open for as long
as the client likes: a few hundred of them hold as many sockets and file descriptors. Here a connection
must deliver a request's complete headers within `header_timeout` seconds of being opened, or of the
previous response being sent; otherwise it is closed. The body and the answer are not bounded by it.

uvicorn takes a protocol class by import string (`--http`), so each parser has its class here; the bound
is read from the uvicorn Config (`HEADER_TIMEOUT_ATTR`), which the CLI sets.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_HEADER_TIMEOUT = 10.0
HEADER_TIMEOUT_ATTR = "exports_header_timeout"
PROTOCOLS = {
    "httptools": "bitly_exports_contract.server.protocols:HttpToolsHeaderTimeout",
    "h11": "bitly_exports_contract.server.protocols:H11HeaderTimeout",
}


class _HeaderDeadline:
    """A timer that closes the connection unless `_headers_arrived` is called before it fires."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _deadline: asyncio.TimerHandle | None = None
    _header_timeout: float = DEFAULT_HEADER_TIMEOUT

    # Placed before uvicorn's protocol class in the bases: these run first, then hand on to it.
    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)  # type: ignore[call-arg]
        self._header_timeout = float(getattr(config, HEADER_TIMEOUT_ATTR, DEFAULT_HEADER_TIMEOUT))

    def connection_made(self, transport: Any) -> None:  # an asyncio.Transport
        super().connection_made(transport)  # type: ignore[misc]
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_arrived()
        super().connection_lost(exc)  # type: ignore[misc]

    def _await_headers(self) -> None:
        self._headers_arrived()
        self._deadline = self.loop.call_later(self._header_timeout, self._headers_late)

    def _headers_arrived(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_late(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class HttpToolsHeaderTimeout(_HeaderDeadline, HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose request headers are late."""

    def on_headers_complete(self) -> None:
        self._headers_arrived()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # A pipelined request already read is started by the call below: its headers are in.
        pipelined = bool(self.pipeline)
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._await_headers()


class H11HeaderTimeout(_HeaderDeadline, H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request headers are late."""

    def handle_events(self) -> None:
        super().handle_events()
        self._follow_state()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_state()

    def _follow_state(self) -> None:
        # h11 leaves IDLE for the client once a whole request head (line and headers) is parsed, and
        # returns to IDLE once both sides have finished a request: then the next head is awaited.
        if self.conn.their_state is not h11.IDLE:
            self._headers_arrived()
        elif self._deadline is None and not self.transport.is_closing():
            self._await_headers()
