"""Every 400 rule of CONTRACT.md §5 and §7, both ways: the bad request is refused with the right
`message` and `errors[].field` set, and its good twin, one change away, is accepted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bitly_exports_contract.kit.client import encode_json
from bitly_exports_contract.kit.relations._base import Inapplicable, RelationBroken, World
from bitly_exports_contract.kit.request_view import BATCH, LINKS, QR_CODES

Body = Callable[[World], Any]

RULE = (
    "§5: 400 `INVALID_ARG_<FIELD>` ... `errors[]` names each offending field by its JSON path; §7: `message` "
    "names the first in this rule order; every offending field is reported, one `errors[]` item per path"
)


def real(world: World, count: int = 1) -> list[str]:
    """Real bitlinks of the group."""
    ids = world.discovery.links.ids()
    if len(ids) < count:
        raise Inapplicable(f"fewer than {count} links")
    return ids[:count]


def links(**extra: Any) -> Body:
    return lambda _w: {"export_type": LINKS, "filter": {}, **extra}


def links_filter(**filter_: Any) -> Body:
    return lambda _w: {"export_type": LINKS, "filter": filter_}


def batch(*items: Any, **extra: Any) -> Body:
    """A batch export of one real bitlink followed by `items`."""
    return lambda w: {"export_type": BATCH, "bitlinks": [*real(w), *items], **extra}


@dataclass(frozen=True)
class BadRequest:
    """A request one rule refuses, and its accepted twin."""

    name: str
    bad: Body
    message: str
    fields: frozenset[str]
    good: Body
    # Another field set the contract also allows (e.g. an array item reported at its index or not).
    also: frozenset[str] | None = None
    # The status and a 400 are Bitly's documented answer to a few of these (a missing or unknown
    # `export_type`, a list export without `filter`, `bitlinks` beside `filter`); the exact
    # `INVALID_ARG_<FIELD>` and `errors[]` set are CONTRACT.md's reading.
    source: str = "contract"


def case(
    name: str, bad: Body, message: str, fields: set[str], good: Body, also: set[str] | None = None
) -> BadRequest:
    return BadRequest(
        name, bad, f"INVALID_ARG_{message}", frozenset(fields), good, frozenset(also) if also else None
    )


MALFORMED_BITLINKS = (
    "https://bit.ly/abc",
    "bit.ly/abc\n",
    " bit.ly/abc",
    "bit.ly/abc ",
    "bit.ly",
    "bit.ly/",
    "bit.ly/a/b",
    "bitly/abc",
    "-bit.ly/abc",
    "bit-.ly/abc",
    "bit..ly/abc",
    "bit.ly/ab c",
    "bit.ly/ab%63",
    "bit.ly/ab.c",
    "/abc",
    "",
    5,
    None,
    ["bit.ly/abc"],
)
_MAX_BITLINKS = 1000
# Values that are not the contract's integers, as JSON text: §7 "Integers are JSON numbers with no
# fraction or exponent (`10.0`, `1e3`, `true` are 400)"; `null` is a wrong type, never "absent".
_BAD_INTEGERS: tuple[tuple[str, str], ...] = (
    ("negative", "-1"),
    ("fraction", "1.5"),
    ("integral float", "10.0"),
    ("exponent", "1e3"),
    ("upper-case exponent", "1E3"),
    ("string", '"1"'),
    ("boolean", "true"),
    ("null", "null"),
    ("array", "[1]"),
)
_SLOT = "@@value@@"


def with_literal(body: Body, literal: str) -> Body:
    """The body with its `"@@value@@"` string replaced by a JSON literal (`1e3`, `10.0`), as bytes."""
    return lambda w: encode_json(body(w)).replace(f'"{_SLOT}"'.encode(), literal.encode())


_CAP_TAGS = 50
_CAP_QUERY = 256


def links_filter_value(value: Any) -> Body:
    return lambda _w: {"export_type": LINKS, "filter": value}


QR = {"export_type": QR_CODES, "filter": {}}
EMOJI = "\U0001f600"

# fmt: off
_TABLE: tuple[BadRequest, ...] = (
    # name, the bad request, INVALID_ARG_<...>, its errors[].field set, the good twin
    case("export_type missing", lambda _w: {"filter": {}}, "EXPORT_TYPE", {"export_type"}, links()),
    case("export_type unknown", lambda _w: {"export_type": "link_list", "filter": {}}, "EXPORT_TYPE",
         {"export_type"}, links()),
    case("export_type upper-case", lambda _w: {"export_type": "LINKS_LIST", "filter": {}}, "EXPORT_TYPE",
         {"export_type"}, links()),
    case("export_type not a string", lambda _w: {"export_type": 5, "filter": {}}, "EXPORT_TYPE",
         {"export_type"}, links()),
    case("export_type null", lambda _w: {"export_type": None, "filter": {}}, "EXPORT_TYPE",
         {"export_type"}, links()),
    case("links_list without filter", lambda _w: {"export_type": LINKS}, "FILTER", {"filter"}, links()),
    case("qr_codes_list without filter", lambda _w: {"export_type": QR_CODES}, "FILTER", {"filter"},
         lambda _w: QR),
    case("batch with bitlinks and filter", batch(filter={}), "BITLINKS", {"bitlinks"}, batch()),
    case("batch with neither", lambda _w: {"export_type": BATCH}, "BITLINKS", {"bitlinks"},
         lambda _w: {"export_type": BATCH, "filter": {}}),
    case("bitlinks on links_list", lambda w: {"export_type": LINKS, "filter": {}, "bitlinks": real(w)},
         "BITLINKS", {"bitlinks"}, links()),
    case("bitlinks on qr_codes_list", lambda w: {**QR, "bitlinks": real(w)}, "BITLINKS", {"bitlinks"},
         lambda _w: QR),
    case("bitlinks empty", lambda _w: {"export_type": BATCH, "bitlinks": []}, "BITLINKS", {"bitlinks"},
         batch()),
    case("bitlinks over 1000", lambda w: {"export_type": BATCH, "bitlinks": real(w) * (_MAX_BITLINKS + 1)},
         "BITLINKS", {"bitlinks"}, lambda w: {"export_type": BATCH, "bitlinks": real(w) * _MAX_BITLINKS}),
    case("bitlinks not an array", lambda w: {"export_type": BATCH, "bitlinks": real(w)[0]}, "BITLINKS",
         {"bitlinks"}, batch()),
    case("bitlinks null", lambda _w: {"export_type": BATCH, "bitlinks": None}, "BITLINKS", {"bitlinks"},
         batch()),
    case("several malformed bitlinks", batch("bit.ly/ok-one", "https://bit.ly/x", "bit.ly/ok_two", 7),
         "BITLINKS", {"bitlinks[2]", "bitlinks[4]"}, batch()),
    case("bitlinks relation before size", lambda _w: {"export_type": BATCH, "bitlinks": [], "filter": {}},
         "BITLINKS", {"bitlinks"}, batch()),
    case("filter an array", links_filter_value([]), "FILTER", {"filter"}, links()),
    case("filter a string", links_filter_value("x"), "FILTER", {"filter"}, links()),
    case("filter null", links_filter_value(None), "FILTER", {"filter"}, links()),
    case("query over 256 code points", links_filter(query=EMOJI * (_CAP_QUERY + 1)), "FILTER_QUERY",
         {"filter.query"}, links_filter(query=EMOJI * _CAP_QUERY)),
    case("query not a string", links_filter(query=5), "FILTER_QUERY", {"filter.query"},
         links_filter(query="5")),
    case("query null", links_filter(query=None), "FILTER_QUERY", {"filter.query"}, links_filter()),
    case("archived upper-case", links_filter(archived="ON"), "FILTER_ARCHIVED", {"filter.archived"},
         links_filter(archived="on")),
    case("archived unknown", links_filter(archived="yes"), "FILTER_ARCHIVED", {"filter.archived"},
         links_filter(archived="both")),
    case("archived boolean", links_filter(archived=True), "FILTER_ARCHIVED", {"filter.archived"},
         links_filter(archived="on")),
    case("archived null", links_filter(archived=None), "FILTER_ARCHIVED", {"filter.archived"},
         links_filter()),
    case("over 50 tags", links_filter(tags=[f"t{n}" for n in range(_CAP_TAGS + 1)]), "FILTER_TAGS",
         {"filter.tags"}, links_filter(tags=[f"t{n}" for n in range(_CAP_TAGS)])),
    case("tags not an array", links_filter(tags="promo"), "FILTER_TAGS", {"filter.tags"},
         links_filter(tags=["promo"])),
    case("tag not a string", links_filter(tags=["promo", 1]), "FILTER_TAGS", {"filter.tags[1]"},
         links_filter(tags=["promo", "1"]), also={"filter.tags"}),
    case("domain not a string", links_filter(domain=5), "FILTER_DOMAIN", {"filter.domain"},
         links_filter(domain="5")),
    case("domain null", links_filter(domain=None), "FILTER_DOMAIN", {"filter.domain"}, links_filter()),
    case("campaign_guid not a string", links_filter(campaign_guid=5), "FILTER_CAMPAIGN_GUID",
         {"filter.campaign_guid"}, links_filter(campaign_guid="5")),
    case("campaign_guid on qr_codes_list not a string",
         lambda _w: {"export_type": QR_CODES, "filter": {"campaign_guid": ["C1"]}}, "FILTER_CAMPAIGN_GUID",
         {"filter.campaign_guid"}, lambda _w: {"export_type": QR_CODES, "filter": {"campaign_guid": "C1"}}),
    case("unknown filter key", links_filter(tag="promo"), "FILTER_TAG", {"filter.tag"},
         links_filter(tags=["promo"])),
    case("filter key in other case", links_filter(Query="x"), "FILTER_QUERY", {"filter.Query"},
         links_filter(query="x")),
    case("include_metrics a string", links(include_metrics="true"), "INCLUDE_METRICS", {"include_metrics"},
         links(include_metrics=True)),
    case("include_metrics a number", links(include_metrics=1), "INCLUDE_METRICS", {"include_metrics"},
         links(include_metrics=False)),
    case("include_metrics null", links(include_metrics=None), "INCLUDE_METRICS", {"include_metrics"},
         links()),
    case("include_metrics on batch not a boolean", batch(include_metrics="yes"), "INCLUDE_METRICS",
         {"include_metrics"}, batch(include_metrics=True)),
    case("unix_from alone", batch(unix_from=0), "UNIX_TO", {"unix_to"}, batch(unix_from=0, unix_to=0)),
    case("unix_to alone", batch(unix_to=0), "UNIX_FROM", {"unix_from"}, batch(unix_from=0, unix_to=0)),
    case("unix_from alone without metrics", links(unix_from=5), "UNIX_TO", {"unix_to"},
         links(unix_from=5, unix_to=5)),
    case("unix_to alone without metrics", links(unix_to=5), "UNIX_FROM", {"unix_from"},
         links(unix_from=5, unix_to=5)),
    case("unix_from after unix_to", batch(unix_from=11, unix_to=10), "UNIX_FROM", {"unix_from"},
         batch(unix_from=10, unix_to=10)),
    case("unix_from after unix_to without metrics", links(unix_from=11, unix_to=10), "UNIX_FROM",
         {"unix_from"}, links(unix_from=10, unix_to=11)),
    case("unix_from null beside unix_to", batch(unix_from=None, unix_to=5), "UNIX_FROM", {"unix_from"},
         batch(unix_from=5, unix_to=5)),
    case("both bounds of wrong types", batch(unix_from="a", unix_to="b"), "UNIX_FROM",
         {"unix_from", "unix_to"}, batch(unix_from=1, unix_to=2)),
    case("unknown top-level field", links(filters={}), "FILTERS", {"filters"}, links()),
    case("unknown field with other characters", links(**{"colour-name": 1}), "COLOUR_NAME", {"colour-name"},
         links()),
    case("unknown key of non-ASCII letters", links(**{"straße": 1}), "STRA_E", {"straße"}, links()),
    case("unknown key with a dotless i", links(**{"ılık": 1}), "_L_K", {"ılık"}, links()),
    case("unknown filter key of other characters", links_filter(**{"é-x": 1}), "FILTER___X",
         {"filter.é-x"}, links_filter()),
    case("unknown empty key", links(**{"": 1}), "", {""}, links()),
    case("unknown fields in body order", links(zeta=1, alpha=2), "ZETA", {"zeta", "alpha"}, links()),
    case("unknown filter keys in body order", links_filter(b_key=1, a_key=2), "FILTER_B_KEY",
         {"filter.b_key", "filter.a_key"}, links_filter()),
    case("export_type first", lambda _w: {"export_type": "nope", "filter": {"archived": "x"}, "colour": 1},
         "EXPORT_TYPE", {"export_type", "filter.archived", "colour"}, links()),
    case("rules that need export_type skipped", lambda w: {"bitlinks": real(w), "filter": {}}, "EXPORT_TYPE",
         {"export_type"}, batch()),
    case("filter before include_metrics and the window",
         lambda _w: {"export_type": LINKS, "filter": {"archived": "x", "query": 5, "zzz": 1},
                     "include_metrics": "y", "unix_from": 5, "colour": 1},
         "FILTER_QUERY",
         {"filter.query", "filter.archived", "filter.zzz", "include_metrics", "unix_to", "colour"}, links()),
    # §7's order inside `filter`: type, then `query`, `archived`, `tags`, `domain`, `campaign_guid`,
    # `created_after`, `created_before`, then unknown keys; each pair below in reverse body order.
    case("filter: archived before tags", links_filter(tags="x", archived="x"), "FILTER_ARCHIVED",
         {"filter.archived", "filter.tags"}, links()),
    case("filter: tags before domain", links_filter(domain=5, tags="x"), "FILTER_TAGS",
         {"filter.tags", "filter.domain"}, links()),
    case("filter: domain before campaign_guid", links_filter(campaign_guid=5, domain=5), "FILTER_DOMAIN",
         {"filter.domain", "filter.campaign_guid"}, links()),
    case("filter: campaign_guid before created_after", links_filter(created_after=-1, campaign_guid=5),
         "FILTER_CAMPAIGN_GUID", {"filter.campaign_guid", "filter.created_after"}, links()),
    case("filter: created_after before created_before", links_filter(created_before=-1, created_after=-1),
         "FILTER_CREATED_AFTER", {"filter.created_after", "filter.created_before"}, links()),
    case("filter: created_before before unknown keys", links_filter(zzz=1, created_before=-1),
         "FILTER_CREATED_BEFORE", {"filter.created_before", "filter.zzz"}, links()),
    case("filter: query before archived", links_filter(archived="x", query=5), "FILTER_QUERY",
         {"filter.query", "filter.archived"}, links()),
    # §7: `bitlinks` (relation, size, then items): the size first, and every offending field reported.
    case("bitlinks: size before items", lambda w: {"export_type": BATCH, "bitlinks": ["x", *real(w) * 1000]},
         "BITLINKS", {"bitlinks", "bitlinks[0]"}, batch()),
    case("include_metrics before the window", links(include_metrics=1, unix_from="x", unix_to=1),
         "INCLUDE_METRICS", {"include_metrics", "unix_from"},
         links(include_metrics=True, unix_from=0, unix_to=1)),
    case("window before unknown fields", links(unix_from=5, unix_to=1, colour=1), "UNIX_FROM",
         {"unix_from", "colour"}, links(unix_from=1, unix_to=5)),
)
# fmt: on


def _generated() -> list[BadRequest]:
    """Every malformed bitlink in one request, and each bad integer in two (a pair of fields each).

    One request can hold many offending fields because §7 has every one reported, one `errors[]`
    item per path: a server that lets one form through misses that path, and the case names it.
    """
    found = [
        case(
            "malformed bitlinks, every form",
            batch(*MALFORMED_BITLINKS),
            "BITLINKS",
            {f"bitlinks[{n + 1}]" for n in range(len(MALFORMED_BITLINKS))},
            batch(),
        )
    ]
    for kind, value in _BAD_INTEGERS:
        bad = with_literal(links_filter(created_after=_SLOT, created_before=_SLOT), value)
        found.append(
            case(
                f"created_after and created_before {kind}",
                bad,
                "FILTER_CREATED_AFTER",
                {"filter.created_after", "filter.created_before"},
                links_filter(created_after=1000, created_before=2000),
            )
        )
        # Without metrics: the window's types are checked on every request (§7).
        bad = with_literal(links(unix_from=_SLOT, unix_to=_SLOT), value)
        found.append(
            case(
                f"unix_from and unix_to {kind}",
                bad,
                "UNIX_FROM",
                {"unix_from", "unix_to"},
                links(unix_from=1, unix_to=1000),
            )
        )
    return found


BAD_REQUESTS: tuple[BadRequest, ...] = (*_TABLE, *_generated())


def check_rejected(world: World, bad: BadRequest) -> None:
    """The bad request: 400, its `message`, exactly its set of `errors[].field`."""
    exchange = world.send(bad.bad(world))
    body = exchange.json if isinstance(exchange.json, dict) else {}
    fields = frozenset(str(item.get("field")) for item in body.get("errors", []) if isinstance(item, dict))
    allowed = {bad.fields} | ({bad.also} if bad.also else set())
    if exchange.status != 400 or body.get("message") != bad.message or fields not in allowed:
        raise RelationBroken(
            f"{bad.name}: expected 400 {bad.message} at {sorted(bad.fields)}, got HTTP {exchange.status} "
            f"{body.get('message')!r} at {sorted(fields)}",
            exchange,
        )


def check_accepted(world: World, bad: BadRequest) -> None:
    """The good twin: a 200. Many twins are the same request: each is sent once a run (§4: the same
    request against the same data gets the same answer)."""
    body = bad.good(world)
    key = body if isinstance(body, bytes) else encode_json(body)
    if key in world.accepted:
        return
    exchange = world.send(body)
    if exchange.status != 200:
        raise RelationBroken(
            f"the good twin of {bad.name!r}: HTTP {exchange.status} {exchange.received.excerpt(300)}",
            exchange,
        )
    world.accepted.add(key)
