"""The reference server: a thin ASGI layer over the contract rules, in CONTRACT §7's order of decisions."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import orjson

from ..rules import errors
from ..rules.errors import ApiError
from ..rules.export import build_export
from ..rules.validation import parse_request
from ..spec import figures
from ..store.dataset import Token
from ..store.db import Store
from .ratelimit import Admission, RateLimiter
from .transport import bearer_token, is_json_media_type, parse_prefer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_log = logging.getLogger("bitly_exports_contract.server")
_EXPORT_PATH = re.compile(rb"^/v4/groups/([^/]+)/exports$")
# \uD800-\uDFFF: high surrogates D8-DB and low surrogates DC-DF, hex digits in either case
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class ServerConfig:
    """What a server instance serves and how."""

    store: Store
    now: int | None = None
    faults_enabled: bool = True
    clock: Callable[[], float] = time.time
    tokens: dict[str, Token] = field(default_factory=dict)
    # per-token counts: this process's own, or a SharedRateLimiter that every worker of the server sees
    rate_limiter: Admission = field(default_factory=RateLimiter)

    def current_time(self) -> int:
        """The fixture's or `--now` clock, else the real clock in whole seconds."""
        if self.now is not None:
            return self.now
        if self.store.now is not None:
            return self.store.now
        return int(self.clock())


class ExportsApp:
    """ASGI application serving `POST /v4/groups/{group_guid}/exports`."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.rate_limiter = config.rate_limiter
        self._tokens = [(t.token.encode(), t) for t in config.store.tokens()]
        self._max_body = figures().max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            status, body, headers = await self._handle(scope, receive)
        except ApiError as exc:
            status, body, headers = exc.status, exc.body(), exc.headers
        except Exception:
            # a bug, never an answer the contract allows: log it, and still answer with Bitly's Error body
            _log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            failure = errors.internal_error()
            status, body, headers = failure.status, failure.body(), failure.headers
        await _respond(send, status, body, headers)

    async def _handle(self, scope: Scope, receive: Receive) -> tuple[int, dict[str, Any], dict[str, str]]:
        match = _EXPORT_PATH.match(scope.get("raw_path") or scope["path"].encode())
        if match is None:
            raise errors.not_found()
        if scope["method"] != "POST":
            raise errors.method_not_allowed()
        headers = _headers(scope)
        if self.config.faults_enabled:
            await self._faults(headers.get(b"prefer", []))

        group = _group_segment(match.group(1))
        token = self._authorise(_one(headers, b"authorization"), group)
        if token.rate_limit_per_minute is not None:
            retry_after = self.rate_limiter.admit(token=token.token, limit=token.rate_limit_per_minute)
            if retry_after is not None:
                raise errors.rate_limited(retry_after)

        raw = await self._read_body(receive, _one(headers, b"content-length"))
        if not is_json_media_type(_one(headers, b"content-type")):
            raise errors.invalid_content_type(_one(headers, b"content-type"))
        request = parse_request(_parse_json(raw))
        if group is None:  # _authorise refused it already; this keeps the type checker told
            raise errors.forbidden()
        now = self.config.current_time()
        body = build_export(request=request, store=self.config.store, group=group, tier=token.tier, now=now)
        return 200, body, {}

    async def _faults(self, prefer: list[str]) -> None:
        faults = parse_prefer(prefer, latency_cap_ms=figures().fault_latency_cap_ms)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.code == 429:
            raise errors.rate_limited(1)
        if faults.code == 500:
            raise errors.internal_error()
        if faults.code == 503:
            raise errors.temporarily_unavailable()

    def _authorise(self, header: str | None, group: str | None) -> Token:
        """The token's record, or 403 alike for a bad token and for a group it may not see."""
        presented = bearer_token(header)
        found: Token | None = None
        if presented is not None:
            candidate = presented.encode("utf-8", "surrogateescape")
            for secret, token in self._tokens:
                # compare with every token, in constant time, so timing tells nothing
                if hmac.compare_digest(secret, candidate):
                    found = token
        if found is None or group is None or group not in found.groups:
            raise errors.forbidden()
        return found

    async def _read_body(self, receive: Receive, content_length: str | None) -> bytes:
        if content_length is not None and content_length.isdigit() and int(content_length) > self._max_body:
            raise errors.payload_too_large(self._max_body)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise errors.payload_too_large(self._max_body)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _group_segment(raw: bytes) -> str | None:
    """The percent-decoded group segment; None when it is not UTF-8 (no group has such a guid)."""
    try:
        return unquote(raw.decode("ascii"), errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_int(digits: str) -> int:
    """Exact below Python's 4300-digit conversion limit; beyond it, an int of the same sign and order.

    Longer integers only ever meet comparisons (>= 0, clamping to `now`), so their magnitude
    is kept as (length, leading digits) instead of paying a quadratic conversion.
    """
    if len(digits) <= 4300:
        return int(digits)
    sign = -1 if digits.startswith("-") else 1
    magnitude = digits.lstrip("-")
    return sign * (len(magnitude) * 10**4400 + int(magnitude[:4000]))


def _parse_json(raw: bytes) -> dict[str, Any]:
    """Strict RFC 8259: UTF-8 without BOM, no NaN/Infinity, no lone surrogates, an object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.invalid_json("it is not UTF-8 text") from exc
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except RecursionError as exc:
        raise errors.invalid_json("it is nested too deeply") from exc
    except ValueError as exc:
        raise errors.invalid_json(str(exc).split(":")[0].lower()) from exc
    if not isinstance(value, dict):
        raise errors.invalid_json("the body must be a JSON object")
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise errors.invalid_json("it contains a lone surrogate escape, which is not Unicode text")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    # A walk with its own stack: the parser accepts nesting deeper than Python's recursion limit allows here.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _headers(scope: Scope) -> dict[bytes, list[str]]:
    out: dict[bytes, list[str]] = {}
    for name, value in scope["headers"]:
        out.setdefault(name.lower(), []).append(value.decode("latin-1"))
    return out


def _one(headers: dict[bytes, list[str]], name: bytes) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


async def _respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    payload = orjson.dumps(body)
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
