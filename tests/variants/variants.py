"""Conforming variants: servers that differ from the reference server only where CONTRACT.md leaves a
point open (§7: "every reading is conforming"), or in their clock and data. The suite must pass
every one; a variant it fails is a false alarm, a defect of the suite.

Each variant is built through declared seams only: a transform of the fixture (the data the server
loads, CONTRACT §6's format) and ASGI middleware around the app (`exports-server`'s `wrap`). None
patches a name inside the server.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from middleware import (
    App,
    Headers,
    Scope,
    header,
    rewrite_json_bodies,
    rewrite_request_bodies,
    rewrite_responses,
    without,
)

Fixture = dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """A server the suite must pass: what differs, and how it is made."""

    name: str
    reading: str
    data: Callable[[Fixture], Fixture] | None = None
    wrap: Callable[[App, Fixture], App] | None = None


VARIANTS: dict[str, Variant] = {}


def variant(reading: str, *, data: Callable[[Fixture], Fixture] | None = None) -> Callable[..., Any]:
    """Register a variant under its function's name; the function, if it takes an app, wraps it."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        wraps = function.__code__.co_argcount == 2
        VARIANTS[function.__name__] = Variant(
            name=function.__name__, reading=reading, data=data, wrap=function if wraps else None
        )
        return function

    return register


def _groups(fixture: Fixture) -> list[dict[str, Any]]:
    return list(fixture["groups"])


def _changed(fixture: Fixture, change: Callable[[Fixture], None]) -> Fixture:
    copied = copy.deepcopy(fixture)
    change(copied)
    return copied


# --- the reference server itself --------------------------------------------------------------


@variant("the reference server as it is (it answers a lone surrogate escape `400 INVALID_JSON`)")
def reference() -> None:
    """No change."""


# --- clock and data ---------------------------------------------------------------------------


def _real_clock(fixture: Fixture) -> Fixture:
    """No `now`: the server reads the real clock on every request; the data is shifted so that it is
    as recent against the real clock as the seed's is against its fixed one."""

    def change(data: Fixture) -> None:
        shift = int(time.time()) - int(data.pop("now"))
        for group in data["groups"]:
            for item in (*group["links"], *group["qr_codes"]):
                item["created"] += shift
            for row in group["engagements"]:
                row["at"] += shift

    return _changed(fixture, change)


@variant(
    "a real clock that moves during the run (§7: `now` read once per request), recent data",
    data=_real_clock,
)
def real_clock() -> None:
    """Data and clock only."""


_NOT_ONE_TO_ONE = ("Maßstab", "ılık", "İzmir", "ǅemal", "ﬁnale", "ΣΟΦΟΣ")


def _case_mapping(fixture: Fixture) -> Fixture:
    def change(data: Fixture) -> None:
        for group in data["groups"]:
            for n, item in enumerate((*group["links"], *group["qr_codes"])):
                if n % 3 == 0:
                    word = _NOT_ONE_TO_ONE[n // 3 % len(_NOT_ONE_TO_ONE)]
                    item["title"] = f"{word} {item['title'] or ''}".strip()

    return _changed(fixture, change)


@variant(
    "titles whose case mapping is not one to one (`Maß`.upper() is `MASS`, `İ`.lower() is two code points)",
    data=_case_mapping,
)
def case_mapping_titles() -> None:
    """Data only."""


def _semicolon_tags(fixture: Fixture) -> Fixture:
    def change(data: Fixture) -> None:
        for group in data["groups"]:
            for n, item in enumerate((*group["links"], *group["qr_codes"])):
                if n % 4 == 1:
                    item["tags"] = [*item["tags"], "a;b", "c"]
                elif n % 4 == 2:
                    item["tags"] = ["a", "b;c"]

    return _changed(fixture, change)


@variant("tags that hold `;` (nothing forbids it; the joined cell is then ambiguous)", data=_semicolon_tags)
def tags_with_semicolons() -> None:
    """Data only."""


def _other_account_tiers(fixture: Fixture) -> Fixture:
    def change(data: Fixture) -> None:
        first = data["groups"][0]["guid"]
        for token in data["tokens"]:
            if token["tier"] != "premium" and first in token["groups"] and len(token["groups"]) > 1:
                token["groups"] = [guid for guid in token["groups"] if guid != first]

    return _changed(fixture, change)


@variant(
    "tier tokens of other accounts: the free, core, growth and enterprise tokens cannot see the group",
    data=_other_account_tiers,
)
def tier_tokens_of_other_accounts() -> None:
    """Data only."""


def _sparse(fixture: Fixture) -> Fixture:
    def change(data: Fixture) -> None:
        group = data["groups"][0]
        kept = {qr["id"] for qr in group["qr_codes"]}
        group["qr_codes"] = []
        group["engagements"] = [row for row in group["engagements"] if row["target"] not in kept]
        for link in group["links"]:
            link["archived"] = False
            link["tags"] = []

    return _changed(fixture, change)


@variant("a group with no QR codes, no archived links and no tags", data=_sparse)
def sparse_group() -> None:
    """Data only."""


def _qr_types(fixture: Fixture) -> Fixture:
    def change(data: Fixture) -> None:
        for group in data["groups"]:
            for qr in group["qr_codes"]:
                if qr["qr_code_type"] != "bitlink":
                    qr["qr_code_type"] = "website"

    return _changed(fixture, change)


@variant("QR code types other than the seed's (`website` for those without a bitlink)", data=_qr_types)
def other_qr_code_types() -> None:
    """Data only."""


# --- bodies -----------------------------------------------------------------------------------


@variant("200 bodies carry fields the contract does not list (§7: servers add fields over time)")
def extra_fields_in_exports(app: App, _fixture: Fixture) -> App:
    def change(_scope: Scope, status: int, value: Any) -> Any:
        if status == 200 and isinstance(value, dict):
            return {"request_id": "r-0001", **value, "expires_at": None, "links": {"self": "x"}}
        return value

    return rewrite_json_bodies(app, change)


@variant("error bodies and their `errors[]` items carry more fields (§7)")
def extra_fields_in_errors(app: App, _fixture: Fixture) -> App:
    def change(_scope: Scope, status: int, value: Any) -> Any:
        if status >= 400 and isinstance(value, dict):
            items = [{**item, "hint": "see docs"} for item in value.get("errors", [])]
            return {**value, "errors": items, "documentation_url": "https://dev.example/errors"}
        return value

    return rewrite_json_bodies(app, change)


@variant("other free texts: `description`, `error_code` and `errors[].message` are the server's (§6)")
def other_free_texts(app: App, _fixture: Fixture) -> App:
    def change(_scope: Scope, status: int, value: Any) -> Any:
        if status >= 400 and isinstance(value, dict):
            items = [{**item, "error_code": "bad", "message": "Nope."} for item in value.get("errors", [])]
            return {**value, "description": f"Refused ({status}).", "errors": items}
        return value

    return rewrite_json_bodies(app, change)


@variant("`errors[]` in another order (§7: their order is free)")
def errors_in_another_order(app: App, _fixture: Fixture) -> App:
    def change(_scope: Scope, _status: int, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            return {**value, "errors": list(reversed(value["errors"]))}
        return value

    return rewrite_json_bodies(app, change)


@variant("another 403 `description` for a bad token than for a hidden group (§7: it leaks no group)")
def token_403_described_apart(app: App, fixture: Fixture) -> App:
    known = {token["token"] for token in fixture["tokens"]}

    def change(scope: Scope, status: int, value: Any) -> Any:
        if status != 403 or not isinstance(value, dict):
            return value
        authorization = (header(scope, b"authorization") or b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in known:
            return {**value, "description": "The access token is missing or invalid."}
        return value

    return rewrite_json_bodies(app, change)


@variant("JSON written another way: indented, keys reversed, non-ASCII escaped (§6: formatting is free)")
def other_json_formatting(app: App, _fixture: Fixture) -> App:
    def reorder(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: reorder(value[key]) for key in reversed(list(value))}
        if isinstance(value, list):
            return [reorder(item) for item in value]
        return value

    def rewrite(_scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        try:
            value = json.loads(body)
        except ValueError:
            return status, headers, body
        return status, headers, json.dumps(reorder(value), indent=2, ensure_ascii=True).encode()

    return rewrite_responses(app, rewrite)


@variant("integers of answers written with a fraction (`132.0`): the same JSON value (§6)")
def integral_floats(app: App, _fixture: Fixture) -> App:
    names = ("size_bytes", "column_count", "row_count", "unix_from", "unix_to")

    def change(_scope: Scope, status: int, value: Any) -> Any:
        if status == 200 and isinstance(value, dict):
            return {key: float(item) if key in names else item for key, item in value.items()}
        return value

    return rewrite_json_bodies(app, change)


# --- requests ---------------------------------------------------------------------------------

_LONE_SURROGATE = re.compile(rb"(?<!\\)\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


@variant("a lone surrogate escape read as text, not `400 INVALID_JSON` (§7: open)")
def lone_surrogates_accepted(app: App, _fixture: Fixture) -> App:
    def change(_scope: Scope, body: bytes) -> bytes:
        # Every surrogate escape, paired or not, read as U+FFFD: a lenient parser's text.
        return _LONE_SURROGATE.sub(rb"\\ufffd", body)

    return rewrite_request_bodies(app, change)


# --- HTTP -------------------------------------------------------------------------------------


@variant("every answer closes its connection (`Connection: close`; no keep-alive)")
def connection_close(app: App, _fixture: Fixture) -> App:
    def rewrite(_scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        return status, [*without(headers, b"connection"), (b"connection", b"close")], body

    return rewrite_responses(app, rewrite)


@variant("answers sent chunked, without Content-Length")
def chunked_answers(app: App, _fixture: Fixture) -> App:
    def rewrite(_scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        return status, headers, body

    return rewrite_responses(app, rewrite, content_length=False)


@variant("answers gzip-compressed for clients that accept it (`Content-Encoding: gzip`)")
def gzip_answers(app: App, _fixture: Fixture) -> App:
    def rewrite(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        accepted = (header(scope, b"accept-encoding") or b"").lower()
        if b"gzip" not in accepted:
            return status, headers, body
        headers = [*headers, (b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
        return status, headers, gzip.compress(body, mtime=0)

    return rewrite_responses(app, rewrite)


@variant("a body over the limit refused from its headers, unread, and the connection closed")
def oversized_refused_unread(app: App, _fixture: Fixture) -> App:
    # The reference server answers 413 from Content-Length without reading; this one also closes.
    def rewrite(_scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        if status == 413:
            headers = [*without(headers, b"connection"), (b"connection", b"close")]
        return status, headers, body

    return rewrite_responses(app, rewrite)


@variant("one passing server error: the 40th request is answered 502 once (a live server's hiccup)")
def one_passing_server_error(app: App, _fixture: Fixture) -> App:
    count = 0

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        nonlocal count
        if scope["type"] == "http":
            count += 1
            if count == 40:
                body = b'{"message":"BAD_GATEWAY","resource":"groups","description":"upstream","errors":[]}'
                length = str(len(body)).encode()
                headers = [(b"content-type", b"application/json"), (b"content-length", length)]
                await send({"type": "http.response.start", "status": 502, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return wrapped


@variant("errors as `application/problem+json` (§5 names the body, not its media type)")
def problem_json_errors(app: App, _fixture: Fixture) -> App:
    def rewrite(_scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        if status >= 400:
            headers = [*without(headers, b"content-type"), (b"content-type", b"application/problem+json")]
        return status, headers, body

    return rewrite_responses(app, rewrite)
