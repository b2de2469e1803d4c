"""The soak's request mix: valid and invalid requests of every export type, from the announced groups.

Every probe is a fixed request, so the answer it gets under load can be compared byte for byte with
the answer it gets alone. The seeded data set's tokens by role (`kit.embedded.seeded_target`): a tier's,
`other` (sees only the second group) and `limited` (5 requests a minute), which give the 403 and 429 probes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MAX_BODY = 1 << 20

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Probe:
    """One fixed request; `rate_limited` when a 429 instead of its lone answer is expected under load."""

    name: str
    path: str
    headers: Headers
    body: bytes
    method: str = "POST"
    weight: float = 1.0
    rate_limited: bool = False


def _headers(token: str | None, *, content_type: str | None = "application/json", **extra: str) -> Headers:
    out: list[tuple[str, str]] = []
    if token is not None:
        out.append(("authorization", f"Bearer {token}"))
    if content_type is not None:
        out.append(("content-type", content_type))
    out.extend((name.replace("_", "-"), value) for name, value in extra.items())
    return tuple(out)


def _export(group: str) -> str:
    return f"/groups/{group}/exports"


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def _valid(groups: list[str], tokens: dict[str, str], ids: list[str]) -> list[Probe]:
    big, small, third = groups[0], groups[1], groups[2]
    premium, enterprise, core = tokens["premium"], tokens["enterprise"], tokens["core"]
    bodies: list[tuple[str, str, object, str]] = [
        ("links-default", big, {"export_type": "links_list", "filter": {}}, premium),
        ("links-archived-both", big, {"export_type": "links_list", "filter": {"archived": "both"}}, premium),
        (
            "links-archived-on",
            big,
            {"export_type": "links_list", "filter": {"archived": "on"}},
            tokens["free"],
        ),
        ("links-query", big, {"export_type": "links_list", "filter": {"query": "sale"}}, premium),
        ("links-tags", big, {"export_type": "links_list", "filter": {"tags": ["promo", "print"]}}, premium),
        ("links-domain", big, {"export_type": "links_list", "filter": {"domain": "BIT.LY"}}, core),
        (
            "links-created-range",
            big,
            {
                "export_type": "links_list",
                "filter": {"created_after": 1700000000, "created_before": 1750000000},
            },
            premium,
        ),
        (
            "links-unknown-campaign",
            big,
            {"export_type": "links_list", "filter": {"campaign_guid": "Cnone"}},
            premium,
        ),
        (
            "links-metrics-core",
            big,
            {"export_type": "links_list", "filter": {}, "include_metrics": True},
            core,
        ),
        (
            "links-metrics-window",
            big,
            {
                "export_type": "links_list",
                "filter": {"archived": "both"},
                "include_metrics": True,
                "unix_from": 0,
                "unix_to": 2**53,
            },
            enterprise,
        ),
        ("qr-default", big, {"export_type": "qr_codes_list", "filter": {"archived": "both"}}, premium),
        (
            "qr-metrics",
            big,
            {"export_type": "qr_codes_list", "filter": {}, "include_metrics": True},
            tokens["growth"],
        ),
        ("qr-domain", small, {"export_type": "qr_codes_list", "filter": {"domain": "bit.ly"}}, premium),
        ("batch-ids", big, {"export_type": "link_engagements_batch", "bitlinks": ids[:5]}, premium),
        (
            "batch-ids-duplicates",
            big,
            {
                "export_type": "link_engagements_batch",
                "bitlinks": ids[:60] + ids[:10],
                "unix_from": 0,
                "unix_to": 1764115200,
            },
            enterprise,
        ),
        ("batch-filter", big, {"export_type": "link_engagements_batch", "filter": {"query": "a"}}, premium),
        (
            "small-links",
            small,
            {"export_type": "links_list", "filter": {"archived": "both"}},
            tokens["other"],
        ),
        ("third-batch-filter", third, {"export_type": "link_engagements_batch", "filter": {}}, core),
    ]
    out = [
        Probe(name, _export(group), _headers(token), _json(body), weight=3.0)
        for name, group, body, token in bodies
    ]
    out.append(
        Probe(
            "prefer-is-inert",
            _export(big),
            _headers(premium, prefer="code=500, latency_ms=5000"),
            _json({"export_type": "links_list", "filter": {}}),
        )
    )
    out.append(
        Probe(
            "rate-limited-token",
            _export(big),
            _headers(tokens["limited"]),
            _json({"export_type": "links_list", "filter": {"query": "x"}}),
            rate_limited=True,
        )
    )
    return out


def _invalid(groups: list[str], tokens: dict[str, str]) -> list[Probe]:
    big, small = groups[0], groups[1]
    premium = tokens["premium"]
    export = _export(big)
    listing = _json({"export_type": "links_list", "filter": {}})
    raw: list[tuple[str, bytes]] = [
        ("json-truncated", b'{"export_type": "links_list", "filter": {'),
        ("json-array", b"[]"),
        ("json-nan", b'{"export_type": "links_list", "filter": {"created_after": NaN}}'),
        ("json-bom", b'\xef\xbb\xbf{"export_type": "links_list", "filter": {}}'),
        ("json-not-utf8", b'{"export_type": "links_list", "filter": {"query": "\xff"}}'),
        ("unknown-top-field", _json({"export_type": "links_list", "filters": {}})),
        ("unknown-filter-field", _json({"export_type": "qr_codes_list", "filter": {"colour": "red"}})),
        ("wrong-types", _json({"export_type": "links_list", "filter": {"tags": "promo", "archived": True}})),
        (
            "window-bound-alone",
            _json({"export_type": "link_engagements_batch", "filter": {}, "unix_from": 1}),
        ),
        (
            "bitlink-malformed",
            _json({"export_type": "link_engagements_batch", "bitlinks": ["https://bit.ly/x"]}),
        ),
        (
            "batch-both",
            _json({"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/a"], "filter": {}}),
        ),
        (
            "unknown-bitlinks",
            _json({"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/zz9Nope"]}),
        ),
    ]
    out = [Probe(name, export, _headers(premium), body) for name, body in raw]
    free_metrics = _json({"export_type": "qr_codes_list", "filter": {}, "include_metrics": True})
    out += [
        Probe("free-metrics", export, _headers(tokens["free"]), free_metrics),
        Probe("content-type-text", export, _headers(premium, content_type="text/plain"), listing),
        Probe("content-type-missing", export, _headers(premium, content_type=None), listing),
        Probe("no-token", export, _headers(None), listing),
        Probe("bad-token", export, _headers("tok-nope"), listing),
        Probe("basic-scheme", export, (("authorization", "Basic dG9rLXByZW1pdW0="),), listing),
        Probe("hidden-group", export, _headers(tokens["other"]), listing),
        Probe("missing-group", _export("Bdoesnotexist"), _headers(premium), listing),
        Probe("trailing-slash", export + "/", _headers(premium), listing),
        Probe("get", export, _headers(premium), b"", method="GET"),
        Probe("small-group-get", _export(small), _headers(premium), b"", method="DELETE"),
        Probe("too-large", export, _headers(premium), b" " * (MAX_BODY + 1), weight=0.02),
    ]
    return out


def build_mix(*, groups: list[str], tokens: dict[str, str], link_ids: list[str]) -> list[Probe]:
    """Every probe of the soak, from the server's groups (at least three) and its tokens by role."""
    return _valid(groups, tokens, link_ids) + _invalid(groups, tokens)
