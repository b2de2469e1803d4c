"""Relations of the transport: routing, body size, Content-Type, JSON parsing."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from bitly_exports_contract.kit.client import UNKNOWN_TOKEN, BodyRefused, export_path
from bitly_exports_contract.kit.exchange import Exchange
from bitly_exports_contract.kit.relations._base import RelationBroken, World, links_body, relation
from bitly_exports_contract.spec import figures

VALID = b'{"export_type":"links_list","filter":{}}'
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Malformed:
    """A body that is not a JSON object (§7: strict RFC 8259)."""

    name: str
    body: bytes
    # Messages the contract allows; a parser that accepts deep nesting then sees a wrong type.
    messages: tuple[str, ...] = ("INVALID_JSON",)
    # An open point of §7: the body may also be read as a valid request and answered 200.
    may_be_valid: bool = False
    source: str = "contract"  # §7's strict RFC 8259 reading


MALFORMED: tuple[Malformed, ...] = (
    Malformed("not JSON", b"{not json"),
    Malformed("empty body", b""),
    Malformed("truncated", b'{"export_type":"links_'),
    Malformed("trailing garbage", VALID + b" x"),
    Malformed("two objects", VALID + VALID),
    Malformed("trailing comma", b'{"export_type":"links_list","filter":{},}'),
    Malformed("single quotes", b"{'export_type':'links_list','filter':{}}"),
    Malformed("comment", b'{"export_type":"links_list",/* x */"filter":{}}'),
    Malformed("NaN", b'{"export_type":"links_list","filter":{},"unix_from":NaN,"unix_to":1}'),
    Malformed("Infinity", b'{"export_type":"links_list","filter":{},"unix_from":0,"unix_to":Infinity}'),
    Malformed("-Infinity", b'{"export_type":"links_list","filter":{"created_after":-Infinity}}'),
    Malformed("byte order mark", b"\xef\xbb\xbf" + VALID),
    Malformed("invalid UTF-8", b'{"export_type":"links_list","filter":{"query":"caf\xe9"}}'),
    Malformed("UTF-16", VALID.decode("ascii").encode("utf-16")),
    # §7: open. RFC 8259 §8.2 allows it in the grammar: text or `400 INVALID_JSON`, both conforming.
    Malformed(
        "lone surrogate escape",
        b'{"export_type":"links_list","filter":{"query":"\\ud800"}}',
        may_be_valid=True,
    ),
    Malformed(
        "lone low surrogate escape",
        b'{"export_type":"links_list","filter":{"query":"a\\uDC00b"}}',
        may_be_valid=True,
    ),
    Malformed("raw control character", b'{"export_type":"links_list","filter":{"query":"a\x01b"}}'),
    Malformed(
        "nesting deeper than a parser allows",
        b'{"export_type":"links_list","filter":{"query":' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        ("INVALID_JSON", "INVALID_ARG_FILTER_QUERY"),
    ),
    Malformed("an array", b"[]"),
    Malformed("a string", b'"links_list"'),
    Malformed("null", b"null"),
    Malformed("a number", b"5"),
    Malformed("true", b"true"),
)


def check_malformed(world: World, case: Malformed) -> None:
    """One malformed body: 400 `INVALID_JSON`, never a 5xx (a 200 too where §7 leaves it open)."""
    exchange = world.client.send(
        "POST", export_path(world.target.group_guid), content=case.body, headers=JSON
    )
    body = exchange.json if isinstance(exchange.json, dict) else {}
    if case.may_be_valid and exchange.status == 200:
        return  # read as text: the single-response checks hold the 200 to the contract
    if exchange.status != 400 or body.get("message") not in case.messages:
        allowed = " or ".join(case.messages) + (" (or a 200)" if case.may_be_valid else "")
        raise RelationBroken(
            f"{case.name}: expected 400 {allowed}, got HTTP {exchange.status} "
            f"{exchange.received.excerpt(200)}",
            exchange,
        )


@relation("§7: with duplicate keys the last wins")
def duplicate_keys_last_wins(world: World) -> None:
    body = (
        b'{"export_type":"qr_codes_list","export_type":"links_list","filter":{"archived":"on"},"filter":{}}'
    )
    twin = world.ok(links_body() | {"filter": {}})
    view = world.ok(body)
    if view.body.get("export_type") != "links_list" or view.csv_bytes != twin.csv_bytes:
        raise RelationBroken("duplicate keys: the export is not the one the last keys ask for", view.exchange)


def _content_type(world: World, value: str | None, content: bytes = VALID) -> Exchange:
    headers = {} if value is None else {"Content-Type": value}
    return world.client.send("POST", export_path(world.target.group_guid), content=content, headers=headers)


@relation(
    "§7: `Content-Type` must be `application/json`, compared case-insensitively, parameters such as "
    "`charset` ignored; missing or anything else (`application/*+json` too) is `400 INVALID_CONTENT_TYPE`; "
    "§7: 413, then `Content-Type`, then JSON parsing"
)
def content_type_must_be_json(world: World) -> None:
    for value in (
        None,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/merge-patch+json",
        "application/vnd.api+json",
        "application/jsonx",
        "json",
        "text/json",
    ):
        exchange = _content_type(world, value)
        if exchange.status != 400 or (exchange.json or {}).get("message") != "INVALID_CONTENT_TYPE":
            raise RelationBroken(
                f"Content-Type {value!r}: HTTP {exchange.status} {exchange.received.excerpt(200)}", exchange
            )
    exchange = _content_type(world, "text/plain", b"{not json")
    if (exchange.json or {}).get("message") != "INVALID_CONTENT_TYPE":
        raise RelationBroken("a wrong Content-Type and a malformed body: not INVALID_CONTENT_TYPE", exchange)
    for value in (
        "APPLICATION/JSON",
        "application/json; charset=utf-8",
        "Application/Json;charset=UTF-8",
        "application/json;foo=bar",
    ):
        exchange = _content_type(world, value)
        if exchange.status != 200:
            raise RelationBroken(
                f"Content-Type {value!r}: HTTP {exchange.status} {exchange.received.excerpt(200)}", exchange
            )


@relation(
    "§5: 413 `PAYLOAD_TOO_LARGE` | body over 1 MiB; §7: 413 (on the decoded body; chunked bodies are "
    "accepted), then `Content-Type`, then JSON parsing"
)
def body_over_one_mib_is_413(world: World) -> None:
    limit = figures().max_body_bytes
    path = export_path(world.target.group_guid)
    exact = VALID + b" " * (limit - len(VALID))
    over = exact + b" "
    accepted = world.client.send("POST", path, content=exact, headers=JSON)
    if accepted.status != 200:
        raise RelationBroken(f"a valid body of exactly {limit} bytes: HTTP {accepted.status}", accepted)
    for what, content, headers in (
        (f"{limit + 1} bytes", over, JSON),
        (f"{limit + 1} bytes, chunked", [over[i : i + 65536] for i in range(0, len(over), 65536)], JSON),
        (f"{limit + 1} bytes of text/plain", over, {"Content-Type": "text/plain"}),
        (f"{limit * 2} bytes of malformed JSON", b"{" * (limit * 2), JSON),
    ):
        try:
            exchange = world.client.send("POST", path, content=content, headers=headers)
        except BodyRefused:
            continue  # refused from its headers, the connection closed unread: no answer to check
        if exchange.status != 413 or (exchange.json or {}).get("message") != "PAYLOAD_TOO_LARGE":
            raise RelationBroken(f"{what}: HTTP {exchange.status} {exchange.received.excerpt(200)}", exchange)
    small = world.client.send("POST", path, content=[VALID[:10], VALID[10:]], headers=JSON)
    if small.status != 200:
        raise RelationBroken(f"a valid chunked body: HTTP {small.status}", small)


@relation(
    "§6: Other paths answer 404 and other methods on the export path 405, both with the `Error` body; §7: "
    "another path is 404 `NOT_FOUND` (a trailing slash is another path)"
)
def other_paths_are_404(world: World) -> None:
    group = quote(world.target.group_guid, safe="")
    # Paths no endpoint of Bitly's v4 API uses: a server that serves the rest of the API (where
    # `/groups/{guid}` is a resource of its own) answers these 404 too.
    for path in (
        f"/groups/{group}/exports/",
        f"/groups/{group}/export",
        f"/groups/{group}/exports/x",
        f"/v4/groups/{group}/exports",
    ):
        for token in (world.target.token, UNKNOWN_TOKEN):
            exchange = world.client.send("POST", path, content=VALID, headers=JSON, token=token)
            if exchange.status != 404 or (exchange.json or {}).get("message") != "NOT_FOUND":
                raise RelationBroken(
                    f"POST {path}: HTTP {exchange.status} {exchange.received.excerpt(200)}", exchange
                )


@relation("§7: another method on the export path 405 `METHOD_NOT_ALLOWED` with `Allow: POST`")
def other_methods_are_405(world: World) -> None:
    path = export_path(world.target.group_guid)
    for method in ("GET", "PUT", "PATCH", "DELETE", "OPTIONS"):
        for token in (world.target.token, None):
            exchange = world.client.send(
                method, path, content=VALID if method in ("PUT", "PATCH") else b"", headers=JSON, token=token
            )
            if exchange.status != 405 or (exchange.json or {}).get("message") != "METHOD_NOT_ALLOWED":
                raise RelationBroken(
                    f"{method} {path}: HTTP {exchange.status} {exchange.received.excerpt(200)}", exchange
                )


@relation("§7: the group segment is percent-decoded")
def group_segment_is_percent_decoded(world: World) -> None:
    group = world.target.group_guid
    # The first character and every digit percent-encoded (as UTF-8 bytes), the rest as needed.
    encoded = "".join(
        quote(ch, safe="") if n and not ch.isdigit() else "".join(f"%{b:02X}" for b in ch.encode())
        for n, ch in enumerate(group)
    )
    plain = world.ok(links_body())
    exchange = world.client.send(
        "POST",
        f"/groups/{encoded}/exports",
        content=b'{"export_type":"links_list","filter":{"archived":"both"}}',
        headers=JSON,
    )
    answer = exchange.received.json if isinstance(exchange.received.json, dict) else {}
    if exchange.status != 200 or answer.get("data_uri") != plain.body.get("data_uri"):
        raise RelationBroken(f"/groups/{encoded}/exports: HTTP {exchange.status}", exchange)
