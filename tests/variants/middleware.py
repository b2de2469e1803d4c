"""Small ASGI middleware the conforming variants are made of: each changes what the reference
server answers (or reads) only where CONTRACT.md leaves the point open."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]
# (request scope, status, headers, body) -> (status, headers, body)
Rewrite = Callable[[Scope, int, Headers, bytes], tuple[int, Headers, bytes]]


def header(scope_or_headers: Scope | Headers, name: bytes) -> bytes | None:
    """A header's value from a scope or a header list, by lower-case name."""
    if isinstance(scope_or_headers, MutableMapping):
        items = scope_or_headers.get("headers", [])
    else:
        items = scope_or_headers
    return next((value for key, value in items if key.lower() == name), None)


def without(headers: Headers, name: bytes) -> Headers:
    return [(key, value) for key, value in headers if key.lower() != name]


def sized(headers: Headers, body: bytes) -> Headers:
    """`headers` with its Content-Length, if any, replaced by the length of `body`."""
    return [*without(headers, b"content-length"), (b"content-length", str(len(body)).encode())]


async def read_body(receive: Receive) -> bytes:
    """The whole request body, however many messages it arrives in."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


def rewrite_responses(app: App, rewrite: Rewrite, *, content_length: bool = True) -> App:
    """Middleware that hands every whole response to `rewrite` before it leaves."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            original = list(start.get("headers", []))
            status, headers, body = rewrite(scope, start["status"], original, b"".join(chunks))
            headers = sized(headers, body) if content_length else without(headers, b"content-length")
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


def rewrite_json_bodies(app: App, change: Callable[[Scope, int, Any], Any]) -> App:
    """Middleware that changes every JSON answer's value (`change(scope, status, value)`)."""

    def rewrite(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        try:
            value = json.loads(body)
        except ValueError:
            return status, headers, body
        return status, headers, json.dumps(change(scope, status, value)).encode()

    return rewrite_responses(app, rewrite)


def rewrite_request_bodies(app: App, change: Callable[[Scope, bytes], bytes]) -> App:
    """Middleware that reads the whole request body and hands `change(scope, body)` to the app."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        body = change(scope, await read_body(receive))
        headers = sized(list(scope.get("headers", [])), body)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app({**scope, "headers": headers}, replay, send)

    return wrapped
