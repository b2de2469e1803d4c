"""What every mutant is made of: the registry, the witness a mutant declares, and middleware builders.

A mutant is a factory returning `wrap(app, fixture) -> app`: ASGI middleware around the reference app,
given the fixture the server loads (CONTRACT §6's format), that `serve_mutant.py` hands to
`exports-server`'s declared seam (`main(..., wrap=...)`). Nothing here imports the server, its rules or
its store: a mutant sees requests and answers only, and the fixture through `kit.fixture`, so no rename
inside the server can disarm one. Each mutant names a witness: a request on which its answer differs
from the reference server's (`test_witnesses.py` checks that it does).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).parent.parent / "variants"))

from middleware import (  # noqa: E402
    App,
    Headers,
    Message,
    Receive,
    Scope,
    Send,
    header,
    read_body,
    rewrite_json_bodies,
    rewrite_request_bodies,
    rewrite_responses,
    sized,
    without,
)

from bitly_exports_contract.kit.fixture import GroupData, group_data  # noqa: E402

__all__ = [  # what mutants take from here, the middleware helpers of tests/variants included
    "App",
    "Headers",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "GroupData",
    "group_data",
    "header",
    "rewrite_json_bodies",
    "rewrite_request_bodies",
    "rewrite_responses",
    "without",
]

Fixture = dict[str, Any]
Wrap = Callable[[App, Fixture], App]
METRICS = ("clicks", "scans", "button_clicks")
BATCH, LINKS, QRS = "link_engagements_batch", "links_list", "qr_codes_list"


# --- the registry and the witnesses ----------------------------------------------------------------


@dataclass(frozen=True)
class Witness:
    """A request on which a mutant's answer must differ from the reference server's.

    `body` is the JSON value sent, or a function of the witness group's data (`GroupData`) that makes it;
    `raw` sends bytes instead. The token is the fixture's first of `tier` that sees the group (the seed
    fixture's first group); `path` may name `{group}`; `headers` are added, or replace the defaults
    (`authorization`, `content-type`) when they share a name, `{token}` in a value standing for that
    token. `repeat` sends it that many times; the last answer is the one compared.
    """

    body: Any = None
    raw: bytes | None = None
    tier: str = "premium"
    method: str = "POST"
    path: str = "/v4/groups/{group}/exports"
    headers: tuple[tuple[str, str], ...] = ()
    repeat: int = 1


Factory = Callable[[], Wrap]
MUTANTS: dict[str, tuple[str, Factory]] = {}
WITNESSES: dict[str, tuple[Witness, ...]] = {}


def mutant(description: str, witness: Witness | Iterable[Witness] = ()) -> Callable[[Factory], Factory]:
    """Register a mutant under its function's name, with the request(s) that tell it apart."""

    def register(fn: Factory) -> Factory:
        MUTANTS[fn.__name__] = (description, fn)
        WITNESSES[fn.__name__] = (witness,) if isinstance(witness, Witness) else tuple(witness)
        return fn

    return register


def listing(export_type: str = LINKS, **fields: Any) -> Witness:
    """A witness asking a list export (by default of the whole unarchived group) with these top fields."""
    body = {"export_type": export_type, "filter": fields.pop("filter", {}), **fields}
    return Witness(body=body)


# --- reading requests and answers ------------------------------------------------------------------


def request_json(scope: Scope) -> Any:
    """The request's JSON value, as remembered by `remember_requests` (None when it was not JSON)."""
    return scope.get("state", {}).get("request_json")


def remember_requests(app: App) -> App:
    """Keep each request's JSON body in its scope, for the rewrites of its answer."""

    def remember(scope: Scope, body: bytes) -> bytes:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
            parsed = None
        scope.setdefault("state", {})["request_json"] = parsed
        return body

    return rewrite_request_bodies(app, remember)


def group_of(scope: Scope) -> str:
    """The path's group segment, percent-decoded ('' when the path has none)."""
    parts = str(scope.get("path", "")).split("/")
    return parts[3] if len(parts) >= 5 else ""


def raw_group_of(scope: Scope) -> str | None:
    """The group as the server reads it: the raw segment percent-decoded, None when it is not UTF-8."""
    raw = scope.get("raw_path") or str(scope.get("path", "")).encode()
    parts = bytes(raw).split(b"/")
    if len(parts) < 5:
        return None
    try:
        return unquote(parts[3].decode("ascii"), errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None


def metrics_asked(request: Any) -> bool:
    """§2: metrics are included for a batch export, or a list export with `include_metrics: true`."""
    return isinstance(request, dict) and (
        request.get("export_type") == BATCH or request.get("include_metrics") is True
    )


def filter_of(request: Any) -> dict[str, Any] | None:
    """The request's `filter` object, when it is one."""
    if isinstance(request, dict) and isinstance(request.get("filter"), dict):
        return request["filter"]
    return None


def token_record(fixture: Fixture, scope: Scope) -> dict[str, Any] | None:
    """The fixture's token the request presents (`Bearer`, any case), or None."""
    authorization = (header(scope, b"authorization") or b"").decode("latin-1")
    token = authorization.strip().partition(" ")[2].strip()
    return next((t for t in fixture["tokens"] if t["token"] == token), None)


def token_of_tier(fixture: Fixture, tier: str, group: str) -> str | None:
    """A token of `tier` that may see `group`, without a rate limit when there is one."""
    found = [t for t in fixture["tokens"] if t["tier"] == tier and group in t["groups"]]
    found.sort(key=lambda t: t.get("rate_limit_per_minute") is not None)
    return str(found[0]["token"]) if found else None


def ident(cell: str) -> str:
    """A row's id from its first cell (the formula guard's quote taken off, should there be one)."""
    return cell[1:] if cell[:1] == "'" else cell


# --- middleware builders ---------------------------------------------------------------------------


def rewrite_request(change: Callable[[Scope, dict[str, Any]], dict[str, Any] | None]) -> Wrap:
    """Middleware that edits a request's JSON object before the app reads it.

    The body is read as strict UTF-8 JSON; a body that is not a JSON object, or that `change` leaves alone
    (returns None), reaches the app byte for byte; a changed one is re-encoded.
    """

    def wrap(app: App, _fixture: Fixture) -> App:
        def rewrite(scope: Scope, body: bytes) -> bytes:
            try:
                value = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                return body
            if not isinstance(value, dict):
                return body
            changed = change(scope, value)
            return body if changed is None else json.dumps(changed).encode()

        return rewrite_request_bodies(app, rewrite)

    return wrap


def rewrite_answer(change: Callable[[Scope, Any, int, Headers, Any], tuple[int, Headers, Any]]) -> Wrap:
    """Middleware that edits every JSON answer: `change(scope, request, status, headers, value)`."""

    def wrap(app: App, _fixture: Fixture) -> App:
        def rewrite(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
            try:
                value = json.loads(body)
            except ValueError:
                return status, headers, body
            status, headers, value = change(scope, request_json(scope), status, headers, value)
            return status, headers, json.dumps(value).encode()

        return remember_requests(rewrite_responses(app, rewrite))

    return wrap


def rewrite_export(change: Callable[[Scope, Any, dict[str, Any]], None]) -> Wrap:
    """Middleware that edits the body of every 200 export in place: `change(scope, request, body)`."""

    def change_answer(
        scope: Scope, request: Any, status: int, headers: Headers, value: Any
    ) -> tuple[int, Headers, Any]:
        if status == 200 and isinstance(value, dict):
            change(scope, request, value)
        return status, headers, value

    return rewrite_answer(change_answer)


def rewrite_errors(
    change: Callable[[int, Headers, dict[str, Any]], tuple[int, Headers, dict[str, Any]]],
) -> Wrap:
    """Middleware that edits every error answer: `change(status, headers, body)` returns the new three."""

    def change_answer(
        scope: Scope, request: Any, status: int, headers: Headers, value: Any
    ) -> tuple[int, Headers, Any]:
        if status >= 400 and isinstance(value, dict):
            return change(status, headers, value)
        return status, headers, value

    return rewrite_answer(change_answer)


def csv_bytes(body: dict[str, Any]) -> bytes:
    return base64.b64decode(body["data_uri"].split(",", 1)[1])


def set_csv(body: dict[str, Any], data: bytes) -> None:
    """Put new CSV bytes in an export, `size_bytes` kept consistent."""
    body["data_uri"] = "data:text/csv;base64," + base64.b64encode(data).decode()
    body["size_bytes"] = len(data)


def read_table(body: dict[str, Any]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_bytes(body).decode("utf-8"), newline="")))


def write_table(body: dict[str, Any], table: list[list[str]], *, recount: bool = False) -> None:
    """The CSV of `table` (§7's writing), into the export; `recount` sets `row_count` to its rows."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    set_csv(body, out.getvalue().encode("utf-8"))
    if recount:
        body["row_count"] = len(table) - 1


CsvChange = Callable[[Scope, Any, list[str], list[list[str]]], None]


def csv_rewrite(app: App, change: CsvChange, *, recount: bool = False) -> App:
    """Middleware that edits the CSV rows of every 200 export (`change(scope, request, header, rows)`);
    `size_bytes` follows, and `row_count` too when `recount`."""

    def rewrite(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        if status != 200:
            return status, headers, body
        value = json.loads(body)
        head, *rows = read_table(value)
        change(scope, request_json(scope), head, rows)  # rows may be edited, reordered, dropped or added
        write_table(value, [head, *rows], recount=recount)
        return status, headers, json.dumps(value).encode()

    return remember_requests(rewrite_responses(app, rewrite))


def rows_rewrite(change: CsvChange, *, recount: bool = False) -> Wrap:
    """`csv_rewrite` as a mutant's wrap, for a change that needs no fixture."""
    return lambda app, _fixture: csv_rewrite(app, change, recount=recount)


def data_rows_rewrite(
    change: Callable[[GroupData, Scope, Any, list[str], list[list[str]]], None], *, recount: bool = False
) -> Wrap:
    """`csv_rewrite` with the path's group's data from the fixture (exports of unknown groups left alone)."""

    def wrap(app: App, fixture: Fixture) -> App:
        def with_data(scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
            data = group_data(fixture, group_of(scope))
            if data is not None:
                change(data, scope, request, head, rows)

        return csv_rewrite(app, with_data, recount=recount)

    return wrap


def rewrite_scope(change: Callable[[Scope], Scope]) -> Wrap:
    """Middleware that hands the app another scope (path, headers) for every HTTP request."""

    def wrap(app: App, _fixture: Fixture) -> App:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            await app(change(scope) if scope["type"] == "http" else scope, receive, send)

        return wrapped

    return wrap


def with_header(scope: Scope, name: bytes, value: bytes | None) -> Scope:
    """The scope with header `name` replaced by `value` (dropped when None)."""
    headers = without(list(scope.get("headers", [])), name)
    if value is not None:
        headers.append((name, value))
    return {**scope, "headers": headers}


@dataclass
class Answer:
    status: int
    headers: Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def ask(app: App, scope: Scope, body: bytes) -> Answer:
    """Call the app with a request of our own (`scope`'s path and headers, this body) and keep its answer."""
    headers = sized(list(scope.get("headers", [])), body)
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    start: Message = {}
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app({**scope, "headers": headers}, receive, send)
    return Answer(int(start["status"]), list(start.get("headers", [])), b"".join(chunks))


async def reply(send: Send, answer: Answer) -> None:
    headers = sized(list(answer.headers), answer.body)
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


Reask = Callable[[App, Fixture, Scope, bytes, Answer], Any]


def reasking(decide: Reask) -> Wrap:
    """Middleware that first lets the app answer, then may answer otherwise: `decide(app, fixture, scope,
    body, answer)` is a coroutine returning the Answer to send (it may ask the app again)."""

    def wrap(app: App, fixture: Fixture) -> App:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            body = await read_body(receive)
            first = await ask(app, scope, body)
            await reply(send, await decide(app, fixture, scope, body, first))

        return wrapped

    return wrap


def json_answer(status: int, value: Any, headers: Headers | None = None) -> Answer:
    return Answer(
        status, [(b"content-type", b"application/json"), *(headers or [])], json.dumps(value).encode()
    )


def error_body(message: str, description: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"message": message, "resource": "groups", "description": description, "errors": errors or []}
