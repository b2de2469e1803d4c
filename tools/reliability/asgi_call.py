"""Drive an ASGI app in-process with raw bytes: no socket and no HTTP client in between."""

from __future__ import annotations

import asyncio
import json as _json
from collections.abc import Coroutine, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

Message = MutableMapping[str, Any]


class AsgiApp(Protocol):
    def __call__(self, scope: Any, receive: Any, send: Any) -> Coroutine[Any, Any, None]: ...


@dataclass(frozen=True)
class RawRequest:
    """One HTTP request as a server would hand it to the app, body split into the chunks that arrive."""

    raw_path: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body_chunks: tuple[bytes, ...] = (b"",)
    method: str = "POST"


@dataclass(frozen=True)
class RawResponse:
    """What the app sent: status, headers (names lower-cased) and the whole body."""

    status: int
    headers: dict[bytes, bytes]
    body: bytes


def http_scope(request: RawRequest) -> dict[str, Any]:
    """The scope uvicorn builds for such a request (path percent-decoded from the raw target)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": unquote(request.raw_path.decode("latin-1")),
        "raw_path": request.raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(name.lower(), value) for name, value in request.headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


async def call_app(app: AsgiApp, request: RawRequest) -> RawResponse:
    """Send `request` through `app` and collect its answer; exceptions of the app propagate."""
    pending = list(request.body_chunks) or [b""]
    sent: list[Message] = []

    async def receive() -> Message:
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(http_scope(request), receive, send)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    if len(starts) != 1:
        raise AssertionError(f"the app sent {len(starts)} response starts")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {bytes(name).lower(): bytes(value) for name, value in starts[0]["headers"]}
    return RawResponse(status=int(starts[0]["status"]), headers=headers, body=body)


def call_app_sync(app: AsgiApp, request: RawRequest, *, loop: asyncio.AbstractEventLoop) -> RawResponse:
    """`call_app` on an event loop the caller keeps (creating one a call costs more than the call)."""
    return loop.run_until_complete(call_app(app, request))


@dataclass(frozen=True)
class Answer:
    """An answer as tests read it: status, headers by lower-case name, body."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def json(self) -> Any:
        return _json.loads(self.content)


class InProcessClient:
    """A synchronous client of an ASGI app in-process: the few calls tests make of an HTTP client.

    `json=` is sent as compact UTF-8 JSON with `Content-Type: application/json` (unless a Content-Type is
    given); `content=` as it is. Paths are appended to `prefix`. One event loop serves every call.
    """

    def __init__(self, app: AsgiApp, *, prefix: str = "") -> None:
        self.app, self.prefix = app, prefix
        self.loop = asyncio.new_event_loop()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {name.lower(): value for name, value in (headers or {}).items()}
        body = content if content is not None else b""
        if json is not None:
            body = _json.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            sent.setdefault("content-type", "application/json")
        if body:
            sent["content-length"] = str(len(body))
        raw = RawRequest(
            raw_path=(self.prefix + path).encode(),
            headers=tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in sent.items()),
            body_chunks=(body,),
            method=method,
        )
        answer = call_app_sync(self.app, raw, loop=self.loop)
        headers_read = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in answer.headers.items()
        }
        return Answer(status_code=answer.status, headers=headers_read, content=answer.body)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def close(self) -> None:
        self.loop.close()

    def __enter__(self) -> InProcessClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
