"""The fuzzer's starting corpus and dictionary: valid and nearly valid requests in `decode_case`'s layout."""

from __future__ import annotations

import json
from typing import Any

from bitly_exports_contract.store.db import ItemFilter
from bitly_exports_contract.store.seed import seeded_token

from .fuzz_case import encode_case, servers

DICTIONARY = (
    "export_type",
    "links_list",
    "qr_codes_list",
    "link_engagements_batch",
    "bitlinks",
    "filter",
    "query",
    "archived",
    "both",
    "tags",
    "domain",
    "campaign_guid",
    "created_after",
    "created_before",
    "include_metrics",
    "unix_from",
    "unix_to",
    "true",
    "false",
    "null",
    "bit.ly/",
    "\\u0000",
    "\\ud800",
    "1e3",
    "-0",
    "Bearer ",
    "application/json",
    "; charset=utf-8",
    "code=500",
    "code=503",
    "code=429",
    "latency_ms=",
    "%2F",
)


def _bodies() -> list[Any]:
    srv = servers()
    ids = [
        row.id for row in srv.store.find_links(group=srv.groups[0], flt=ItemFilter(archived="both"), limit=3)
    ]
    return [
        {"export_type": "links_list", "filter": {}},
        {"export_type": "links_list", "filter": {"archived": "both", "query": "sale", "tags": ["promo"]}},
        {
            "export_type": "links_list",
            "filter": {"domain": "bit.ly", "created_after": 0, "created_before": 2**40},
        },
        {"export_type": "links_list", "filter": {"campaign_guid": "Cx"}, "include_metrics": True},
        {"export_type": "qr_codes_list", "filter": {"archived": "on"}, "include_metrics": True},
        {"export_type": "link_engagements_batch", "bitlinks": ids, "unix_from": 0, "unix_to": 2**62},
        {"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/nope", ids[0], ids[0]]},
        {"export_type": "link_engagements_batch", "filter": {"query": "a"}},
        {"export_type": "links_list", "filter": {"archived": "maybe"}, "filters": {}, "unix_from": 5},
        {"export_type": "links_list", "bitlinks": ["x"], "filter": {"tags": [1, None]}},
        {"export_type": None, "include_metrics": "yes", "unix_from": 1.5, "unix_to": -1},
    ]


def seed_inputs() -> list[bytes]:
    """Inputs covering every export type, the error statuses, faults, chunking and odd headers."""
    out = [encode_case(body=json.dumps(b).encode(), token=t) for b in _bodies() for t in (1, 2, 4, 6, 7)]
    valid = json.dumps(_bodies()[1]).encode()
    raw = [
        b"{",
        b"[]",
        b'"x"',
        b"null",
        b'{"export_type": NaN}',
        b'\xef\xbb\xbf{"export_type": "links_list", "filter": {}}',
        b'{"export_type": "links_list", "filter": {"query": "\\ud800"}}',
        b'{"export_type": "links_list", "filter": {"created_after": ' + b"9" * 5000 + b"}}",
        b'{"export_type": "links_list", "filter": {"query": "\xff"}}',
        b'{"export_type": "links_list", "filter": ' + b"[" * 50 + b"]" * 50 + b"}",
        b'{"export_type": "links_list", "filter": {}, "x": ' + b"[" * 700 + b'"\\udc00"' + b"]" * 700 + b"}",
        b'{"export_type": "links_list", "filter": {"\\uDFFF": 1}}',
    ]
    out += [encode_case(body=b) for b in raw]
    out += [
        encode_case(body=valid, chunks=3),
        encode_case(body=valid, group=0, segment=b"Bnope%41%2F"),
        encode_case(body=valid, group=2, token=7),
        encode_case(body=valid, group=3),
        encode_case(body=valid, get=True),
        encode_case(body=valid, token=0, authorization=b"bearer " + seeded_token("premium").encode()),
        encode_case(body=valid, token=0, authorization=b"Basic dG9rLXByZW1pdW0="),
        encode_case(body=valid, json_type=False, content_type=b"Application/JSON; charset=utf-8"),
        encode_case(body=valid, json_type=False, content_type=b"application/vnd.api+json"),
        encode_case(body=valid, faults=True, prefer=b"latency_ms=150, code=503"),
        encode_case(body=valid, faults=True, prefer=b'code="500"; x=1, respond-async'),
        encode_case(body=valid, faults=True, prefer=b"code=429"),
        encode_case(body=valid, prefer=b"code=500, latency_ms=99999"),
        encode_case(body=valid, faults=True, prefer=b"latency_ms=" + b"9" * 4400),
        encode_case(body=valid, faults=True, prefer=b"code=" + b"0" * 4400 + b"503"),
    ]
    return out
