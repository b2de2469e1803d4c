"""Relations of who may export what: 403, 402, 422, 429 and the order they are decided in."""

from __future__ import annotations

import time
from typing import Any

from bitly_exports_contract.kit.client import UNKNOWN_GROUP, UNKNOWN_TOKEN, BodyRefused, export_path
from bitly_exports_contract.kit.exchange import Exchange
from bitly_exports_contract.kit.relations._base import (
    Inapplicable,
    RelationBroken,
    World,
    links_body,
    relation,
)
from bitly_exports_contract.kit.request_view import BATCH

_WINDOW_SECONDS = 60
# How many requests the rate-limit relation sends to find an unknown limit.
_UNKNOWN_LIMIT_PROBE = 200


def _expect(exchange: Exchange, status: int, message: str, what: str) -> dict[str, Any]:
    body = exchange.json if isinstance(exchange.json, dict) else {}
    if exchange.status != status or body.get("message") != message:
        raise RelationBroken(
            f"{what}: expected {status} {message}, "
            f"got HTTP {exchange.status} {exchange.received.excerpt(200)}",
            exchange,
        )
    return body


def _token_refusals(world: World) -> list[tuple[str, Exchange]]:
    """Requests refused at 403 for their credentials, each with what is wrong with it."""
    path, token = export_path(world.target.group_guid), world.target.token
    headers = {"Content-Type": "application/json"}
    content = b'{"export_type":"links_list","filter":{}}'
    sent = [
        ("no Authorization", world.client.send("POST", path, content=content, headers=headers, token=None))
    ]
    for what, authorization in (
        ("an unknown token", f"Bearer {UNKNOWN_TOKEN}"),
        ("the scheme without a token", "Bearer"),
        ("the token without a scheme", token),
        ("the token as Basic", f"Basic {token}"),
        ("the token as Token", f"Token {token}"),
    ):
        sent.append(
            (
                what,
                world.client.send(
                    "POST", path, content=content, headers=headers, authorization=authorization
                ),
            )
        )
    return sent


def _group_refusals(world: World) -> list[tuple[str, Exchange]]:
    """Requests with a good token refused at 403 for their group: missing, or hidden from the token."""
    sent = [
        ("a group that does not exist", world.send(links_body(), group_guid=UNKNOWN_GROUP)),
        (
            "a group guid one letter longer",
            world.send(links_body(), group_guid=world.target.group_guid + "x"),
        ),
    ]
    other = world.target.token_for("other")
    if other is not None:
        sent.append(("a group the token may not see", world.send(links_body(), token=other)))
    return sent


# §7: the fields every 403 shares; `description` is the server's own text and may differ for a bad
# token (it leaks no group), while a missing and a hidden group must be answered byte for byte alike.
_SHARED_403 = ("message", "resource", "errors")


@relation(
    "§5: 403 `FORBIDDEN` | missing or invalid token, or a group that does not exist or the token may not "
    "see: the two are indistinguishable, so group ids don't leak; §7: A 403 for a group that does not exist "
    "and one for a group the token may not see are the same answer, byte for byte. A 403 for a missing or "
    "unknown token has the same status, `message`, `resource` and `errors`; any other scheme or a bare "
    "token is 403"
)
def forbidden_is_indistinguishable(world: World) -> None:
    groups = _group_refusals(world)
    first_what, first = groups[0]
    reference = _expect(first, 403, "FORBIDDEN", first_what)
    for what, exchange in groups[1:]:
        _expect(exchange, 403, "FORBIDDEN", what)
        if exchange.received.content != first.received.content:
            raise RelationBroken(
                f"{what} answers {exchange.received.excerpt(300)!r}, {first_what} answers "
                f"{first.received.excerpt(300)!r}: a missing and a hidden group must be answered alike",
                exchange,
            )
    shared = {name: reference.get(name) for name in _SHARED_403}
    for what, exchange in _token_refusals(world):
        body = _expect(exchange, 403, "FORBIDDEN", what)
        differs = {name: body.get(name) for name in _SHARED_403 if body.get(name) != shared[name]}
        if differs:
            raise RelationBroken(
                f"{what} answers {differs!r} where {first_what} answers "
                f"{ {name: shared[name] for name in differs}!r}",
                exchange,
            )


@relation("§7: 403: the scheme `Bearer` is case-insensitive")
def bearer_scheme_is_case_insensitive(world: World) -> None:
    path, token = export_path(world.target.group_guid), world.target.token
    for scheme in ("bearer", "BEARER", "BeArEr"):
        exchange = world.client.send(
            "POST",
            path,
            content=b'{"export_type":"links_list","filter":{}}',
            headers={"Content-Type": "application/json"},
            authorization=f"{scheme} {token}",
        )
        if exchange.status != 200:
            raise RelationBroken(f"scheme {scheme!r}: HTTP {exchange.status}", exchange)


@relation(
    "§5: The order of checks is: auth and group (403), then body shape (413, 400), then tier (402), then "
    "resolution (422)"
)
def forbidden_comes_before_the_body(world: World) -> None:
    client, path = world.client, export_path(UNKNOWN_GROUP)
    for what, content, headers in (
        ("malformed JSON", b"{not json", {"Content-Type": "application/json"}),
        ("a wrong Content-Type", b'{"export_type":"links_list","filter":{}}', {"Content-Type": "text/plain"}),
        ("an invalid field", b'{"export_type":"nope"}', {"Content-Type": "application/json"}),
        ("a body over the limit", b" " * (1024 * 1024 + 10), {"Content-Type": "application/json"}),
    ):
        try:
            _expect(
                client.send("POST", path, content=content, headers=headers),
                403,
                "FORBIDDEN",
                f"unknown group, {what}",
            )
            exchange = client.send(
                "POST",
                export_path(world.target.group_guid),
                content=content,
                headers=headers,
                token=UNKNOWN_TOKEN,
            )
            _expect(exchange, 403, "FORBIDDEN", f"unknown token, {what}")
        except BodyRefused:
            continue  # refused from its headers, the connection closed before the body was read


@relation("§5: The order of checks is: ... body shape (413, 400), then tier (402), then resolution (422)")
def upgrade_required_between_field_rules_and_resolution(world: World) -> None:
    token = world.token("free")
    _expect(
        world.as_role("free", {"export_type": BATCH, "bitlinks": ["bit.ly/x", 5]}),
        400,
        "INVALID_ARG_BITLINKS",
        "free tier, malformed bitlink",
    )
    _expect(
        world.send({"export_type": BATCH, "bitlinks": ["bit.ly/Zq0nexist9"]}, token=token),
        402,
        "UPGRADE_REQUIRED",
        "free tier, unknown bitlink",
    )
    _expect(
        world.send({**links_body(), "include_metrics": "yes"}, token=token),
        400,
        "INVALID_ARG_INCLUDE_METRICS",
        "free tier, include_metrics not a boolean",
    )


@relation(
    "§5: 422 `UNPROCESSABLE_ENTITY` | a `bitlinks` item that is not a link of this group (including links "
    "of other groups); `errors[]` lists them; §7: Resolution is by exact, case-sensitive string ... 422 "
    "lists every unknown index"
)
def unknown_bitlinks_are_listed(world: World) -> None:
    ids = [item.id for item in world.links()]  # every id, so that an id made up here is surely unknown
    if len(ids) < 2:
        raise Inapplicable("fewer than two links")
    known = set(ids)
    changed = next((i.upper() for i in ids if i.upper() not in known and i.upper() != i), None)
    if changed is None:
        raise Inapplicable("no link id changes with letter case")
    made_up = "bit.ly/Zq0nexist9"
    asked = [ids[0], changed, made_up, ids[1], made_up]
    other = [i for i in world.discovery.other_group_links if i not in known][:1]
    asked += other
    unknown = {f"bitlinks[{n}]" for n, item in enumerate(asked) if item not in known}
    body = _expect(
        world.send({"export_type": BATCH, "bitlinks": asked}), 422, "UNPROCESSABLE_ENTITY", "unknown bitlinks"
    )
    fields = {item.get("field") for item in body.get("errors", []) if isinstance(item, dict)}
    if fields != unknown:
        raise RelationBroken(
            f"asked {asked}: errors name {sorted(map(str, fields))}, the unknown are {sorted(unknown)}"
        )
    _expect(
        world.send({"export_type": BATCH, "bitlinks": [made_up, "not a bitlink"]}),
        400,
        "INVALID_ARG_BITLINKS",
        "a malformed and an unknown bitlink",
    )


def _count_until_429(world: World, token: str, limit: int | None) -> tuple[int, Exchange, float]:
    """Requests (valid and invalid: both pass 403) until a 429: how many got through, the last
    answer and the seconds it took."""
    started, accepted = time.monotonic(), 0
    while True:
        body: Any = {"export_type": "nope"} if accepted % 2 else links_body()
        exchange = world.send(body, token=token, retry=False)
        if exchange.status == 403 and accepted == 0:
            raise Inapplicable(f"the 'limited' token gets 403 on group {world.target.group_guid}")
        if exchange.status == 429 or accepted >= (limit or _UNKNOWN_LIMIT_PROBE):
            return accepted, exchange, time.monotonic() - started
        accepted += 1


@relation(
    "§5: 429 `RATE_LIMIT_EXCEEDED` | over the per-token rate limit when one is configured; with a "
    "`Retry-After` header; §7: counting every request that passed 403"
)
def rate_limit_answers_429(world: World) -> None:
    token = world.token("limited")
    for _ in range(3):  # refused at 403: these must not count
        _expect(
            world.send(links_body(), token=token, group_guid=UNKNOWN_GROUP, retry=False),
            403,
            "FORBIDDEN",
            "limited token, unknown group",
        )
    limit = world.target.rate_limits.get("limited")
    pace = world.client.pacer.limits.rate
    if limit is not None and pace is not None and limit > pace * _WINDOW_SECONDS * 0.9:
        raise Inapplicable(
            f"a limit of {limit} a minute is more than this run reaches at {pace} requests a second (--rate)"
        )
    accepted, exchange, spent = _count_until_429(world, token, limit)
    if limit is not None and exchange.status == 429 and accepted < limit:
        # Requests of this token in the minute before (another job, a rerun) count too: wait until
        # they have left the window, then count again from an empty one.
        world.client.pacer.wait_retry_after(_WINDOW_SECONDS + 1, status=429)
        accepted, exchange, spent = _count_until_429(world, token, limit)
    if exchange.status != 429:
        if limit is None or spent >= _WINDOW_SECONDS:
            # Unknown, or the requests spread over more than one window: no 429 proves nothing.
            raise Inapplicable(
                f"{accepted} requests in {spent:.0f} s and no 429: the limit is more than this run reaches "
                "at its pace (pass --limited-per-minute N)"
            )
        raise RelationBroken(
            f"a limit of {limit} a minute: {accepted} requests in {spent:.0f} s and no 429", exchange
        )
    body = _expect(exchange, 429, "RATE_LIMIT_EXCEEDED", "over the limit")
    retry_after = exchange.received.header("retry-after") or ""
    if body.get("errors") != [] or not retry_after.isdigit() or not 1 <= int(retry_after) <= 60:
        raise RelationBroken(
            f"a 429 with Retry-After {retry_after!r} and errors {body.get('errors')!r}", exchange
        )
    if limit is not None and accepted != limit and spent < _WINDOW_SECONDS:
        raise RelationBroken(f"a limit of {limit} a minute let {accepted} requests through", exchange)


@relation(
    "§5: The order of checks is: auth and group (403), then body shape (413, 400), then tier (402), then "
    "resolution (422): a group the token may not see is 403 before any 402 or 422"
)
def forbidden_comes_before_upgrade_and_resolution(world: World) -> None:
    unknown_bitlinks = {"export_type": BATCH, "bitlinks": ["bit.ly/Zq0nexist9"]}
    asked: list[tuple[str, Exchange]] = [
        ("an unknown group, unknown bitlinks", world.send(unknown_bitlinks, group_guid=UNKNOWN_GROUP)),
    ]
    free = world.target.token_for("free")
    if free is not None:
        metrics = {**links_body(), "include_metrics": True}
        asked.append(
            (
                "the free tier, metrics, an unknown group",
                world.send(metrics, token=free, group_guid=UNKNOWN_GROUP),
            )
        )
        asked.append(
            (
                "the free tier, unknown bitlinks, an unknown group",
                world.send(unknown_bitlinks, token=free, group_guid=UNKNOWN_GROUP),
            )
        )
    other = world.target.token_for("other")
    if other is not None:
        asked.append(("a hidden group, unknown bitlinks", world.send(unknown_bitlinks, token=other)))
    for what, exchange in asked:
        _expect(exchange, 403, "FORBIDDEN", what)
