"""The kit's HTTP client: sends export requests, honours `Retry-After`, checks every response."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, Final
from urllib.parse import quote

import httpx

from bitly_exports_contract.kit.exchange import Exchange, Received, SentRequest
from bitly_exports_contract.kit.limits import LOCAL_LIMITS, Pacer, retry_after_seconds
from bitly_exports_contract.kit.paced_http import RETRY_STATUSES, RefusedUnread, no_answer, paced_client
from bitly_exports_contract.kit.target import Target


class _Default:
    """Marks "the main token" where None means "no Authorization header"."""


MAIN_TOKEN: Final = _Default()

ExchangeHook = Callable[[Exchange], None]


# A token and a group that no server knows: the answers to them are the 403s of CONTRACT §5.
UNKNOWN_TOKEN = "tok-n0t-a-real-token"
UNKNOWN_GROUP = "Bq0nexist9Zz"


def export_path(group_guid: str) -> str:
    """The export path of a group, the guid percent-encoded."""
    return f"/groups/{quote(group_guid, safe='')}/exports"


def encode_json(body: Any) -> bytes:
    """A JSON body as the kit sends it: compact, UTF-8, keys in the given order."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class BodyRefused(Exception):
    """The server closed the connection instead of reading a body over the size limit (a refusal
    with no answer to check)."""

    def __init__(self, sent: SentRequest, detail: str) -> None:
        super().__init__(f"the server closed the connection without reading a body over the limit: {detail}")
        self.sent = sent


class ExportsClient:
    """Sends requests to a target; each exchange goes through `on_exchange` (the contract checks).

    Every request goes through `pacer` (the run's budget, rate, timeouts and deadline); without one,
    requests are only bounded in time.
    """

    def __init__(
        self,
        target: Target,
        *,
        pacer: Pacer | None = None,
        max_retries: int = 4,
        on_exchange: ExchangeHook | None = None,
    ) -> None:
        self.target = target
        self.pacer = (
            pacer if pacer is not None else Pacer(replace(LOCAL_LIMITS, max_requests=None, deadline=None))
        )
        self.max_retries = max_retries
        self.on_exchange = on_exchange
        self._http = paced_client(self.pacer)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ExportsClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def export(
        self,
        body: Any,
        *,
        token: str | None | _Default = MAIN_TOKEN,
        group_guid: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
        check: bool = True,
    ) -> Exchange:
        """POST an export request; `body` is JSON-encoded unless it is already bytes."""
        content = body if isinstance(body, bytes) else encode_json(body)
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return self.send(
            "POST",
            export_path(group_guid or self.target.group_guid),
            content=content,
            headers=all_headers,
            token=token,
            retry=retry,
            check=check,
        )

    def send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | Iterable[bytes] = b"",
        headers: Mapping[str, str] | None = None,
        token: str | None | _Default = MAIN_TOKEN,
        authorization: str | None = None,
        retry: bool = True,
        check: bool = True,
    ) -> Exchange:
        """Send any request under the base URL.

        `authorization` sets the header verbatim (another scheme, a bare token); else `token`
        is sent as `Bearer <token>`, and `token=None` sends no Authorization header at all.
        """
        real_token = self.target.token if isinstance(token, _Default) else token
        request_headers = dict(headers or {})
        if authorization is not None:
            request_headers["Authorization"] = authorization
        elif real_token is not None:
            request_headers["Authorization"] = f"Bearer {real_token}"
        tier = self.target.tier_of(real_token) if real_token is not None and authorization is None else None
        # A body given as chunks goes out with chunked transfer encoding, as sent by a streaming client.
        chunks = None if isinstance(content, bytes) else list(content)
        payload = content if isinstance(content, bytes) else b"".join(chunks or [])
        attempts = 0
        while True:
            attempts += 1
            body: bytes | Iterable[bytes] = payload if chunks is None else iter(chunks)
            request = self._http.build_request(
                method,
                self.target.base_url + path,
                headers=request_headers,
                content=body,
                extensions={"body_bytes": len(payload)},
            )
            sent = SentRequest.build(
                method=method,
                url=str(request.url),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                body=payload,
                tier=tier,
            )
            try:
                response = self._http.send(request)
            except RefusedUnread as exc:
                raise BodyRefused(sent, str(exc)) from None
            except httpx.RequestError as exc:
                raise no_answer(sent, exc, self.pacer) from None
            received = Received.build(
                status=response.status_code, headers=response.headers.multi_items(), content=response.content
            )
            exchange = Exchange(sent=sent, received=received)
            if check and self.on_exchange is not None:
                self.on_exchange(exchange)
            if not retry or attempts > self.max_retries or received.status not in RETRY_STATUSES:
                return exchange
            self.pacer.wait_retry_after(
                retry_after_seconds(received.header("retry-after")), status=received.status
            )
