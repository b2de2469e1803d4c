"""Checks of error responses and statuses."""

from __future__ import annotations

import re

from bitly_exports_contract.kit.checks._base import Broken, contract_check, error_of
from bitly_exports_contract.kit.exchange import Received, SentRequest

MESSAGES: dict[int, str] = {
    402: "UPGRADE_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "TEMPORARILY_UNAVAILABLE",
}
# §7: an unknown top-level key `""` is `INVALID_ARG_`, with nothing after the prefix.
_BAD_REQUEST = re.compile(r"^(INVALID_ARG_[A-Z0-9_]*|INVALID_JSON|INVALID_CONTENT_TYPE)$")
_BITLINK_INDEX = re.compile(r"^bitlinks\[\d+\]$")
DOCUMENTED_STATUSES = frozenset({200, 400, *MESSAGES})
# Refusals of the HTTP layer itself, before any endpoint sees the request (a URI or headers too
# long for the server, a request it timed out reading): the contract does not speak of them.
HTTP_LAYER_STATUSES = frozenset({408, 411, 414, 431})


_INDEX = re.compile(r"\[\d+\]")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _name(path: str, *, units: str) -> str:
    """FIELD of a path: ASCII letters upper-cased, every other character (counted in `units`) one `_`."""
    out: list[str] = []
    for char in path.translate(_ASCII_UPPER):
        if "A" <= char <= "Z" or "0" <= char <= "9":
            out.append(char)
        elif units == "utf-16" and ord(char) > 0xFFFF:
            out.append("__")  # a character outside the BMP is two UTF-16 code units
        else:
            out.append("_")
    return "".join(out)


def invalid_arg_messages(field: str) -> set[str]:
    """Every `INVALID_ARG_<FIELD>` a conforming server may give for an `errors[]` path.

    §7: `[n]` indexes dropped, ASCII letters upper-cased, every other character one `_`. Python's
    `str.upper()` is not that (`ß` becomes `SS`). Open points, all accepted: whether "character"
    counts code points or UTF-16 code units, and whether a key that itself looks like `[3]` is
    an index (dropped) or part of a key (kept).
    """
    found = set()
    for path in {_INDEX.sub("", field), field}:
        for units in ("code points", "utf-16"):
            found.add("INVALID_ARG_" + _name(path, units=units))
    return found


def invalid_arg_message(field: str) -> str:
    """The code-point reading of `INVALID_ARG_<FIELD>` (`filter.é-x` -> `INVALID_ARG_FILTER___X`)."""
    return "INVALID_ARG_" + _name(_INDEX.sub("", field), units="code points")


@contract_check(
    '§5: Every error body is Bitly\'s `Error` object: `{"message": "...", "resource": "groups", '
    '"description": "...", "errors": [{"field": "...", "error_code": "...", "message": "..."}]}`; '
    "§7: `resource` is always `groups`",
    source="documented",
)
def error_body_conformance(sent: SentRequest, received: Received) -> None:
    if received.status < 400 or sent.method == "HEAD":
        return
    body = error_of(received)
    if body is None:
        raise Broken(f"the error body is not a JSON object: {received.excerpt(200)!r}")
    for name in ("message", "description"):
        if not isinstance(body.get(name), str):
            raise Broken(f"`{name}` is {body.get(name)!r}")
    if body.get("resource") != "groups":
        raise Broken(f"`resource` is {body.get('resource')!r}")
    errors = body.get("errors")
    if not isinstance(errors, list):
        raise Broken(f"`errors` is {errors!r}")
    for item in errors:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) for key in ("field", "error_code", "message")
        ):
            raise Broken(f"an `errors` item is not {{field, error_code, message}} strings: {item!r}")


@contract_check(
    "§5: the `message` of each status: 400 `INVALID_ARG_<FIELD>`, `INVALID_JSON`, `INVALID_CONTENT_TYPE`; "
    "402 `UPGRADE_REQUIRED`; 403 `FORBIDDEN`; 413 `PAYLOAD_TOO_LARGE`; 422 `UNPROCESSABLE_ENTITY`; "
    "429 `RATE_LIMIT_EXCEEDED`; §7: 404 `NOT_FOUND`, 405 `METHOD_NOT_ALLOWED`"
)
def error_message_conformance(sent: SentRequest, received: Received) -> None:
    body = error_of(received)
    if body is None:
        return
    message = body.get("message")
    if received.status == 400:
        if not isinstance(message, str) or not _BAD_REQUEST.match(message):
            raise Broken(f"a 400 with message {message!r}")
    elif received.status in MESSAGES and message != MESSAGES[received.status]:
        raise Broken(f"message {message!r}, expected {MESSAGES[received.status]!r}")


@contract_check(
    "§5: `errors[]` names each offending field by its JSON path; §7: one `errors[]` item per path; "
    "`INVALID_ARG_<FIELD>`: FIELD is the `errors[]` path with `[n]` indexes dropped, ASCII letters "
    "upper-cased, and every other character that is not `A`-`Z` or `0`-`9` turned into one `_`; `errors` "
    "is `[]` for errors not about a field"
)
def error_fields_conformance(sent: SentRequest, received: Received) -> None:
    body = error_of(received)
    if body is None or not isinstance(body.get("errors"), list):
        return
    fields = [item.get("field") for item in body["errors"] if isinstance(item, dict)]
    message = body.get("message")
    about_fields = received.status == 422 or (isinstance(message, str) and message.startswith("INVALID_ARG_"))
    if not about_fields:
        if fields:
            raise Broken(f"{message!r} is not about a field but `errors` names {fields!r}")
        return
    if not fields:
        raise Broken(f"{message!r} names no offending field in `errors`")
    if len(set(fields)) != len(fields):
        raise Broken(f"`errors` repeats a path: {fields!r}")
    if received.status == 422:
        odd = [f for f in fields if not isinstance(f, str) or not _BITLINK_INDEX.match(f)]
        if odd:
            raise Broken(f"a 422 names fields that are not `bitlinks[i]`: {odd!r}")
    elif not any(message in invalid_arg_messages(str(f)) for f in fields):
        raise Broken(f"message {message!r} matches none of the fields {fields!r}")


@contract_check(
    "§5: 429 ... with a `Retry-After` header; §7: `Retry-After` is the whole seconds ..., at least 1"
)
def retry_after_conformance(sent: SentRequest, received: Received) -> None:
    if received.status != 429 and not (received.status == 503 and sent.asks_for_fault):
        return
    value = received.header("retry-after")
    if value is None or not value.isdigit() or int(value) < 1:
        raise Broken(f"Retry-After is {value!r}")


@contract_check("§7: another method on the export path 405 `METHOD_NOT_ALLOWED` with `Allow: POST`")
def method_not_allowed_conformance(sent: SentRequest, received: Received) -> None:
    if received.status != 405:
        return
    allowed = {part.strip().upper() for part in (received.header("allow") or "").split(",") if part.strip()}
    if allowed != {"POST"}:
        raise Broken(f"a 405 with Allow {received.header('allow')!r}")


@contract_check("§5: the statuses of the contract: 200, 400, 402, 403, 413, 422, 429, 500/503; §7: 404, 405")
def documented_status_conformance(sent: SentRequest, received: Received) -> None:
    if received.status not in DOCUMENTED_STATUSES | HTTP_LAYER_STATUSES:
        raise Broken(f"status {received.status} is not one the contract names: {received.excerpt(200)!r}")


@contract_check("§5: No input, however malformed, gets a 5xx unless a fault was asked for (section 6)")
def no_server_error_conformance(sent: SentRequest, received: Received) -> None:
    if received.status >= 500 and not sent.asks_for_fault:
        raise Broken(f"a server error for a request that asked for no fault: {received.excerpt(300)!r}")
