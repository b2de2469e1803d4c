"""Relations of the reference server's fault switches (`Prefer`, CONTRACT §6 and §7.2).

`Prefer` is not part of the public contract: these run only against a server whose user says it
honours the switches (`--honours-prefer`; the embedded server does).
"""

from __future__ import annotations

import time

from bitly_exports_contract.kit.exchange import Exchange
from bitly_exports_contract.kit.relations._base import (
    Inapplicable,
    RelationBroken,
    World,
    links_body,
    relation,
)
from bitly_exports_contract.spec import figures

_FAULTS = {429: "RATE_LIMIT_EXCEEDED", 500: "INTERNAL_ERROR", 503: "TEMPORARILY_UNAVAILABLE"}


def _honoured(world: World) -> None:
    if not world.target.honours_prefer:
        raise Inapplicable("the server is not said to honour `Prefer` fault switches (pass --honours-prefer)")


def _timed(world: World, prefer: str) -> tuple[Exchange, float]:
    started = time.monotonic()
    exchange = world.send(links_body(), headers={"Prefer": prefer}, retry=False)
    return exchange, time.monotonic() - started


def _is_fault(exchange: Exchange, code: int, what: str) -> None:
    body = exchange.json if isinstance(exchange.json, dict) else {}
    if exchange.status != code or body.get("message") != _FAULTS[code]:
        raise RelationBroken(
            f"{what}: expected {code} {_FAULTS[code]}, got HTTP {exchange.status} "
            f"{exchange.received.excerpt(200)}",
            exchange,
        )
    if code in (429, 503) and exchange.received.header("retry-after") != "1":
        raise RelationBroken(
            f"{what}: an injected {code} with Retry-After {exchange.received.header('retry-after')!r}, not 1",
            exchange,
        )


@relation(
    "§6: a request header `Prefer: code=429|500|503` answers with that error; §7: other codes and malformed "
    "preferences are ignored; injected 429 and 503 carry `Retry-After: 1`"
)
def prefer_code_answers_that_fault(world: World) -> None:
    _honoured(world)
    for code in _FAULTS:
        _is_fault(_timed(world, f"code={code}")[0], code, f"Prefer: code={code}")
    for ignored in ("code=418", "code=abc", "respond-async", "code", "latency_ms=x"):
        exchange, _ = _timed(world, ignored)
        if exchange.status != 200:
            raise RelationBroken(f"Prefer: {ignored} (to be ignored): HTTP {exchange.status}", exchange)


@relation("§6: `Prefer: latency_ms=N` delays the answer")
def prefer_latency_delays_the_answer(world: World) -> None:
    _honoured(world)
    exchange, took = _timed(world, "latency_ms=400")
    if exchange.status != 200 or took < 0.4:
        raise RelationBroken(f"Prefer: latency_ms=400: HTTP {exchange.status} after {took:.3f} s", exchange)


@relation(
    "§7: several preferences may share one header (RFC 7240: `latency_ms=150, code=503`); latency first, "
    "then the fault"
)
def prefer_switches_share_one_header(world: World) -> None:
    _honoured(world)
    for prefer, code in (("latency_ms=300, code=503", 503), ("code=500,latency_ms=300", 500)):
        exchange, took = _timed(world, prefer)
        _is_fault(exchange, code, f"Prefer: {prefer}")
        if took < 0.3:
            raise RelationBroken(
                f"Prefer: {prefer}: answered after {took:.3f} s, before the latency", exchange
            )


@relation("§6: `Prefer: latency_ms=N` (N at most 10000); §7: `latency_ms` above 10000 is capped")
def prefer_latency_is_capped(world: World) -> None:
    _honoured(world)
    cap = figures().fault_latency_cap_ms / 1000
    exchange, took = _timed(world, f"latency_ms={int(cap * 1000) + 2500}")
    if exchange.status != 200 or not cap <= took < cap + 2.0:
        raise RelationBroken(
            f"Prefer: latency_ms={int(cap * 1000) + 2500}: HTTP {exchange.status} after {took:.2f} s, "
            "not the "
            f"cap of {cap:g} s",
            exchange,
        )
