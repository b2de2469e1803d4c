"""More mutants, one per rule the suite's blind spots used to miss: middleware through the server's
seam like every mutant (see `seam.py`), given the fixture it serves.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from seam import (
    App,
    Fixture,
    Scope,
    Witness,
    Wrap,
    group_data,
    header,
    mutant,
    rewrite_json_bodies,
    rewrite_request,
)
from seam import csv_rewrite as _csv_rewrite
from seam import group_of as _group_of
from seam import remember_requests as _remember_requests
from seam import request_json as _request_json

METRICS = ("clicks", "scans", "button_clicks")
BATCH, LINKS, QRS = "link_engagements_batch", "links_list", "qr_codes_list"
LIST = Witness(body={"export_type": LINKS, "filter": {}})
MISSING_GROUP = "/v4/groups/Bn0SuchGroup/exports"


def _qr_bitlink(data: Any) -> list[str]:
    """The bitlink of the group's first QR code (by id) that has one and engagements."""
    return [
        str(qr["bitlink"])
        for k, qr in sorted(data.qr_codes.items())
        if qr.get("bitlink") and k in data.series
    ][:1]


# --- metrics: which target an engagement counts for, QR codes' window ----------------------------


@mutant(
    "a link's metrics also count the engagements of the QR codes that point to it",
    witness=Witness(body=lambda d: {"export_type": BATCH, "bitlinks": _qr_bitlink(d)}),
)
def engagements_counted_for_the_qr_codes_bitlink() -> Wrap:
    def wrap(app: App, fixture: Fixture) -> App:
        def change(scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
            data = group_data(fixture, _group_of(scope))
            if data is None or "clicks" not in head or head[0] != "bitlink":
                return
            for row in rows:
                for qr_id, qr in data.qr_codes.items():
                    if qr.get("bitlink") == row[0]:
                        extra = data.metrics(qr_id, (0, 10**12))
                        for k, name in enumerate(METRICS):
                            column = head.index(name)
                            row[column] = str(int(row[column]) + extra[k])
                        if "total_engagements" in head:
                            total = head.index("total_engagements")
                            row[total] = str(sum(int(row[head.index(n)]) for n in METRICS))

        return _csv_rewrite(app, change)

    return wrap


@mutant(
    "QR codes' metrics count every engagement, whatever the window",
    witness=Witness(
        body={"export_type": QRS, "filter": {}, "include_metrics": True, "unix_from": 0, "unix_to": 0}
    ),
)
def qr_metrics_ignore_the_window() -> Wrap:
    def wrap(app: App, fixture: Fixture) -> App:
        def change(scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
            data = group_data(fixture, _group_of(scope))
            if data is None or "clicks" not in head or head[0] != "qrcode_id":
                return
            for row in rows:
                counts = data.metrics(row[0].lstrip("'"), (0, 10**12))
                for k, name in enumerate(METRICS):
                    row[head.index(name)] = str(counts[k])

        return _csv_rewrite(app, change)

    return wrap


# --- cells: QR destination, the formula guard ----------------------------------------------------


@mutant(
    "a QR code with a bitlink shows its long URL and never matches a domain filter",
    witness=Witness(body={"export_type": QRS, "filter": {}}),
)
def qr_destination_hides_the_bitlink() -> Wrap:
    def wrap(app: App, fixture: Fixture) -> App:
        def change(scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
            data = group_data(fixture, _group_of(scope))
            if data is None or head[0] != "qrcode_id":
                return
            if isinstance(request, dict) and (request.get("filter") or {}).get("domain") is not None:
                rows.clear()
                return
            for row in rows:
                qr = data.qr_codes.get(row[0])
                if qr is not None and qr.get("bitlink"):
                    row[3] = str(qr["long_url"])

        return _csv_rewrite(app, change)

    return wrap


@mutant("the formula guard writes two quotes", witness=LIST)
def formula_guard_doubled() -> Wrap:
    def wrap(app: App, _fixture: Fixture) -> App:
        def change(scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
            for row in rows:
                for n, cell in enumerate(row):
                    if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
                        row[n] = "'" + cell

        return _csv_rewrite(app, change)

    return wrap


@mutant(
    "the formula guard also quotes cells that begin with a digit or a double quote",
    witness=Witness(body={"export_type": LINKS, "filter": {"archived": "both"}}),
)
def formula_guard_overreaches() -> Wrap:
    def wrap(app: App, _fixture: Fixture) -> App:
        def change(scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
            for row in rows:
                for n, cell in enumerate(row):
                    if cell[:1] == '"' or cell[:1].isdigit() and head[n] in ("title", "tags"):
                        row[n] = "'" + cell

        return _csv_rewrite(app, change)

    return wrap


# --- filters: campaigns, batch by filter, huge bounds ---------------------------------------------


def _rewrite_request(change: Callable[[dict[str, Any]], None]) -> Wrap:
    """`seam.rewrite_request` for a change made in place (the body reaches the app unchanged when it is)."""

    def changed(_scope: Scope, value: dict[str, Any]) -> dict[str, Any] | None:
        before = json.dumps(value)
        change(value)
        return value if json.dumps(value) != before else None

    return rewrite_request(changed)


@mutant(
    "a known campaign selects the links of the group's next campaign",
    witness=Witness(body=lambda d: {"export_type": LINKS, "filter": {"campaign_guid": d.campaigns[0]}}),
)
def campaign_selects_another_campaign() -> Wrap:
    def wrap(app: App, fixture: Fixture) -> App:
        following: dict[str, str] = {}
        for group in fixture["groups"]:
            campaigns = list(group.get("campaigns", []))
            following.update(zip(campaigns, [*campaigns[1:], *campaigns[:1]], strict=True))

        def change(value: dict[str, Any]) -> None:
            filter_ = value.get("filter")
            if (
                isinstance(filter_, dict)
                and isinstance(filter_.get("campaign_guid"), str)
                and filter_["campaign_guid"] in following
            ):
                filter_["campaign_guid"] = following[filter_["campaign_guid"]]

        return _rewrite_request(change)(app, fixture)

    return wrap


@mutant(
    "a batch export by filter applies only `archived` and the created window",
    witness=Witness(body={"export_type": BATCH, "filter": {"query": "grand"}}),
)
def batch_filter_ignores_search_fields() -> Wrap:
    def change(value: dict[str, Any]) -> None:
        filter_ = value.get("filter")
        if value.get("export_type") == "link_engagements_batch" and isinstance(filter_, dict):
            for name in ("query", "domain", "tags", "campaign_guid"):
                if isinstance(filter_.get(name), str | list):
                    filter_.pop(name)

    return _rewrite_request(change)


@mutant(
    "a created_* bound past int64 is refused as out of range",
    witness=Witness(body={"export_type": LINKS, "filter": {"created_after": 2**64}}),
)
def huge_created_bounds_refused() -> Wrap:
    def change(value: dict[str, Any]) -> None:
        filter_ = value.get("filter")
        if isinstance(filter_, dict):
            for name in ("created_after", "created_before"):
                if isinstance(filter_.get(name), int) and filter_[name] > 2**63 - 1:
                    filter_[name] = "out of range"  # the server then answers 400 at this field

    return _rewrite_request(change)


# --- order of decisions and rule order ------------------------------------------------------------


def _answer(status: int, message: str, errors: list[dict[str, str]] | None = None) -> Callable[..., Any]:
    async def send_it(send: Any) -> None:
        body = json.dumps(
            {"message": message, "resource": "groups", "description": message.lower(), "errors": errors or []}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return send_it


def _token_sees(fixture: Fixture, scope: Scope) -> tuple[str | None, bool]:
    """(the token's tier, whether it may see the path's group)."""
    authorization = (header(scope, b"authorization") or b"").decode("latin-1")
    token = authorization.partition(" ")[2].strip()
    found = next((t for t in fixture["tokens"] if t["token"] == token), None)
    if found is None:
        return None, False
    return str(found["tier"]), _group_of(scope) in found["groups"]


def _before_403(status: int, message: str, applies: Callable[[str | None, Any], bool]) -> Wrap:
    def wrap(app: App, fixture: Fixture) -> App:
        async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope.get("method") == "POST":
                tier, sees = _token_sees(fixture, scope)
                if tier is not None and not sees and applies(tier, _request_json(scope)):
                    await _answer(status, message)(send)
                    return
            await app(scope, receive, send)

        return _remember_requests(wrapped)

    return wrap


@mutant(
    "the tier (402) is decided before the group (403)",
    witness=Witness(body={"export_type": BATCH, "filter": {}}, tier="free", path=MISSING_GROUP),
)
def upgrade_before_forbidden() -> Wrap:
    def applies(tier: str | None, request: Any) -> bool:
        metrics = isinstance(request, dict) and (
            request.get("export_type") == "link_engagements_batch" or request.get("include_metrics") is True
        )
        return tier == "free" and metrics

    return _before_403(402, "UPGRADE_REQUIRED", applies)


@mutant(
    "bitlink resolution (422) is decided before the group (403)",
    witness=Witness(body={"export_type": BATCH, "bitlinks": ["bit.ly/n0SuchLink1"]}, path=MISSING_GROUP),
)
def resolution_before_forbidden() -> Wrap:
    def applies(tier: str | None, request: Any) -> bool:
        return (
            isinstance(request, dict)
            and isinstance(request.get("bitlinks"), list)
            and bool(request["bitlinks"])
        )

    return _before_403(422, "UNPROCESSABLE_ENTITY", applies)


@mutant(
    "inside `filter`, `message` names the last offending field, not the first in rule order",
    witness=Witness(body={"export_type": LINKS, "filter": {"archived": "x", "tags": "y"}}),
)
def filter_message_names_the_last() -> Wrap:
    def wrap(app: App, _fixture: Fixture) -> App:
        def change(_scope: Scope, status: int, value: Any) -> Any:
            if status == 400 and isinstance(value, dict):
                errors = value.get("errors", [])
                fields = sorted(
                    str(e.get("field")) for e in errors if str(e.get("field")).startswith("filter.")
                )
                if len(fields) > 1 and str(value.get("message", "")).startswith("INVALID_ARG_FILTER"):
                    # the field whose name sorts last, whatever §7's rule order says
                    name = fields[-1].split("[")[0].upper()
                    value["message"] = "INVALID_ARG_" + "".join(
                        c if c.isascii() and c.isalnum() else "_" for c in name
                    )
            return value

        return rewrite_json_bodies(app, change)

    return wrap


@mutant(
    "when `bitlinks` is too long, its malformed items go unreported",
    witness=Witness(body={"export_type": BATCH, "bitlinks": ["https://bit.ly/x"] * 1001}),
)
def bitlinks_size_hides_items() -> Wrap:
    def wrap(app: App, _fixture: Fixture) -> App:
        def change(_scope: Scope, status: int, value: Any) -> Any:
            if status == 400 and isinstance(value, dict):
                fields = [e.get("field") for e in value.get("errors", [])]
                if "bitlinks" in fields:
                    value["errors"] = [
                        e for e in value["errors"] if not str(e.get("field")).startswith("bitlinks[")
                    ]
            return value

        return rewrite_json_bodies(app, change)

    return wrap


# --- bytes, Prefer -------------------------------------------------------------------------------


@mutant(
    "every other answer to the same request has a trailing space in its first title",
    witness=Witness(body={"export_type": LINKS, "filter": {}}, repeat=2),
)
def answers_vary_between_calls() -> Wrap:
    def wrap(app: App, _fixture: Fixture) -> App:
        seen: dict[str, int] = {}

        def change(scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
            key = json.dumps(request, sort_keys=True)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] % 2 == 0 and rows and len(rows[0]) > 1:
                rows[0][1] += " "

        return _csv_rewrite(app, change)

    return wrap


def _strip_prefer(change: Callable[[str], str | None]) -> Wrap:
    def wrap(app: App, _fixture: Fixture) -> App:
        async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                headers = []
                for key, value in scope.get("headers", []):
                    if key.lower() == b"prefer":
                        kept = change(value.decode("latin-1"))
                        if kept is None:
                            continue
                        value = kept.encode("latin-1")
                    headers.append((key, value))
                scope = {**scope, "headers": headers}
            await app(scope, receive, send)

        return wrapped

    return wrap


@mutant(
    "`Prefer` fault switches are ignored",
    witness=Witness(body={"export_type": LINKS, "filter": {}}, headers=(("prefer", "code=503"),)),
)
def prefer_ignored() -> Wrap:
    return _strip_prefer(lambda _value: None)


@mutant(
    "only the first of several preferences in one `Prefer` header is honoured",
    witness=Witness(
        body={"export_type": LINKS, "filter": {}}, headers=(("prefer", "latency_ms=1, code=503"),)
    ),
)
def prefer_only_the_first() -> Wrap:
    return _strip_prefer(lambda value: value.split(",")[0])


@mutant(
    "`latency_ms` is not capped at 10000",
    witness=Witness(body={"export_type": LINKS, "filter": {}}, headers=(("prefer", "latency_ms=20000"),)),
)
def prefer_latency_uncapped() -> Wrap:
    def wrap(app: App, _fixture: Fixture) -> App:
        async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                prefer = (header(scope, b"prefer") or b"").decode("latin-1")
                for part in prefer.split(","):
                    name, _, value = part.strip().partition("=")
                    if name == "latency_ms" and value.isdigit() and int(value) > 10000:
                        await asyncio.sleep((int(value) - 10000) / 1000)
            await app(scope, receive, send)

        return wrapped

    return wrap
