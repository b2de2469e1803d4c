"""A catalogue of requests covering every export shape and every error status, for the
single-response checks to run on one by one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bitly_exports_contract.kit.client import UNKNOWN_GROUP, UNKNOWN_TOKEN, export_path
from bitly_exports_contract.kit.exchange import Exchange
from bitly_exports_contract.kit.relations import World
from bitly_exports_contract.kit.request_view import BATCH, LINKS, QR_CODES

DAY = 86400
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Sample:
    """A named request; `send` returns its exchange or None when the target cannot make it."""

    name: str
    send: Callable[[World], Exchange | None]


def _export(
    body: Callable[[World], Any],
    *,
    role: str | None = None,
    token: str | None = None,
    group_guid: str | None = None,
) -> Callable[[World], Exchange | None]:
    """An export request, sent with the token of `role` (skipped when the target has none) or `token`."""

    def send(world: World) -> Exchange | None:
        chosen = world.target.token_for(role) if role is not None else token
        if role is not None and chosen is None:
            return None
        if chosen is None:
            return world.client.export(body(world), group_guid=group_guid, check=False)
        return world.client.export(body(world), token=chosen, group_guid=group_guid, check=False)

    return send


def _raw(
    method: str, path: Callable[[World], str], content: bytes, **options: Any
) -> Callable[[World], Exchange]:
    return lambda world: world.client.send(method, path(world), content=content, check=False, **options)


def _ids(world: World, count: int) -> list[str]:
    return world.discovery.links.ids()[:count]


def _window(world: World, days_back: int, days_span: int) -> dict[str, int]:
    now = world.discovery.now
    return {"unix_from": now - days_back * DAY, "unix_to": now - (days_back - days_span) * DAY}


def _tag(world: World) -> list[str]:
    return world.discovery.tags()[:1]


def _export_path(world: World) -> str:
    return export_path(world.target.group_guid)


SAMPLES: tuple[Sample, ...] = (
    Sample("links, all", _export(lambda w: {"export_type": LINKS, "filter": {"archived": "both"}})),
    Sample("links, default filter", _export(lambda w: {"export_type": LINKS, "filter": {}})),
    Sample("links, archived", _export(lambda w: {"export_type": LINKS, "filter": {"archived": "on"}})),
    Sample(
        "links, with metrics",
        _export(lambda w: {"export_type": LINKS, "filter": {}, "include_metrics": True}),
    ),
    Sample(
        "links, with metrics and bounds",
        _export(
            lambda w: {
                "export_type": LINKS,
                "filter": {"archived": "both"},
                "include_metrics": True,
                **_window(w, 60, 40),
            }
        ),
    ),
    Sample(
        "links, by tag",
        _export(lambda w: {"export_type": LINKS, "filter": {"archived": "both", "tags": _tag(w)}}),
    ),
    Sample("links, by domain", _export(lambda w: {"export_type": LINKS, "filter": {"domain": "BIT.LY"}})),
    Sample(
        "links, by query",
        _export(lambda w: {"export_type": LINKS, "filter": {"archived": "both", "query": "e"}}),
    ),
    Sample(
        "links, created window",
        _export(
            lambda w: {
                "export_type": LINKS,
                "filter": {
                    "created_after": w.discovery.now - 90 * DAY,
                    "created_before": w.discovery.now - 30 * DAY,
                },
            }
        ),
    ),
    Sample(
        "links, nothing",
        _export(lambda w: {"export_type": LINKS, "filter": {"created_after": 5, "created_before": 5}}),
    ),
    Sample("QR codes, all", _export(lambda w: {"export_type": QR_CODES, "filter": {"archived": "both"}})),
    Sample(
        "QR codes, with metrics",
        _export(lambda w: {"export_type": QR_CODES, "filter": {"archived": "both"}, "include_metrics": True}),
    ),
    Sample(
        "QR codes, by domain", _export(lambda w: {"export_type": QR_CODES, "filter": {"domain": "bit.ly"}})
    ),
    Sample(
        "QR codes, by query",
        _export(lambda w: {"export_type": QR_CODES, "filter": {"archived": "both", "query": "Q"}}),
    ),
    Sample(
        "batch, bitlinks with duplicates",
        _export(lambda w: {"export_type": BATCH, "bitlinks": _ids(w, 5) * 2}),
    ),
    Sample("batch, 201 bitlinks", _export(lambda w: {"export_type": BATCH, "bitlinks": _ids(w, 201)})),
    Sample("batch, filter", _export(lambda w: {"export_type": BATCH, "filter": {"archived": "both"}})),
    Sample(
        "batch, bounds",
        _export(lambda w: {"export_type": BATCH, "bitlinks": _ids(w, 50), **_window(w, 20, 10)}),
    ),
    Sample(
        "batch, future bounds",
        _export(
            lambda w: {
                "export_type": BATCH,
                "bitlinks": _ids(w, 5),
                "unix_from": 4 * 10**9,
                "unix_to": 5 * 10**9,
            }
        ),
    ),
    Sample(
        "batch, core tier", _export(lambda w: {"export_type": BATCH, "bitlinks": _ids(w, 20)}, role="core")
    ),
    Sample(
        "batch, growth tier",
        _export(lambda w: {"export_type": BATCH, "bitlinks": _ids(w, 20)}, role="growth"),
    ),
    Sample(
        "batch, enterprise tier", _export(lambda w: {"export_type": BATCH, "filter": {}}, role="enterprise")
    ),
    Sample("400, unknown field", _export(lambda w: {"export_type": LINKS, "filter": {}, "filters": {}})),
    Sample(
        "400, several fields",
        _export(lambda w: {"export_type": LINKS, "filter": {"archived": 1, "tags": "x"}, "unix_to": 5}),
    ),
    Sample(
        "400, malformed bitlinks",
        _export(lambda w: {"export_type": BATCH, "bitlinks": ["x", "bit.ly/ok", "https://a.b/c"]}),
    ),
    Sample("400, malformed JSON", _raw("POST", _export_path, b"{oops", headers=JSON)),
    Sample(
        "400, wrong Content-Type", _raw("POST", _export_path, b"{}", headers={"Content-Type": "text/csv"})
    ),
    Sample("402, free tier metrics", _export(lambda w: {"export_type": BATCH, "filter": {}}, role="free")),
    Sample(
        "403, unknown token",
        _export(lambda w: {"export_type": LINKS, "filter": {}}, token=UNKNOWN_TOKEN),
    ),
    Sample(
        "403, unknown group",
        _export(lambda w: {"export_type": LINKS, "filter": {}}, group_guid=UNKNOWN_GROUP),
    ),
    Sample("404, other path", _raw("POST", lambda w: _export_path(w) + "/", b"{}", headers=JSON)),
    Sample("405, other method", _raw("GET", _export_path, b"")),
    Sample("413, body too large", _raw("POST", _export_path, b" " * (2 * 1024 * 1024), headers=JSON)),
    Sample(
        "422, unknown bitlinks",
        _export(lambda w: {"export_type": BATCH, "bitlinks": ["bit.ly/Zq0nexist9", *_ids(w, 1)]}),
    ),
)
