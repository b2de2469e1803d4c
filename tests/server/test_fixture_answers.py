"""Exact answers for a fixture, written out by hand from CONTRACT.md (not captured from the server).

Any server that loads `fixtures/small.json` must give these answers: same status, same JSON
values, same CSV bytes; for errors the same message, resource and set of `errors[].field`.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from bitly_exports_contract.server.app import ExportsApp, ServerConfig
from bitly_exports_contract.store.db import Store
from bitly_exports_contract.store.fixture import load_fixture
from tools.reliability.asgi_call import InProcessClient

FIXTURE = Path(__file__).parent / "fixtures" / "small.json"
G1, G2 = "Ba1bc23dE4F", "Bz9yx87wV6U"
NOW_STAMP = "20251126T000000Z"
PREMIUM_FROM, CORE_FROM, ENTERPRISE_FROM, NOW = 1732579200, 1761523200, 1701043200, 1764115200

LINKS_HEADER = "bitlink,title,long_url,created_at,archived,tags"
BATCH_HEADER = "bitlink,title,long_url,clicks,scans,button_clicks,total_engagements"
QR_HEADER = "qrcode_id,title,qr_code_type,destination,created,archived,tags"
METRICS = ",clicks,scans,button_clicks"

L1 = "bit.ly/3xYz9Ab,Spring sale,https://example.com/sale,2025-10-20T22:40:00+0000,false,promo;spring"
L2 = (
    'bit.ly/4Qwe7Rt,"\'=HYPERLINK(""x"")",https://example.com/formula,'
    "2025-11-01T12:26:40+0000,false,'@partners;promo"
)
L3 = 'acme.co/Launch,"Launch, ""v2""",https://acme.co/launch,2025-11-01T12:26:40+0000,true,Promo'
L4 = "j.mp/old,,https://example.org/old,2023-11-14T22:13:20+0000,false,"
Q1 = "Qabcde12345,Poster,bitlink,bit.ly/3xYz9Ab,2025-10-20T22:48:20+0000,false,print"
Q2 = "Qzyxwv98765,Flyer,long_url,https://example.com/flyer,2025-11-13T02:13:20+0000,false,"
OTHER = "bit.ly/other1,Other,https://example.net/,2025-10-09T08:53:20+0000,false,"


def export(export_type: str, header: str, rows: list[str], *, window=None, group=G1, truncated=False):
    """The 200 body the contract prescribes for a CSV written out by hand."""
    data = "".join(line + "\r\n" for line in [header, *rows]).encode()
    columns = header.split(",")
    body = {
        "export_type": export_type,
        "filename": f"{group}_{export_type}_{NOW_STAMP}.csv",
        "media_type": "text/csv",
        "data_uri": "data:text/csv;base64," + base64.b64encode(data).decode(),
        "size_bytes": len(data),
        "columns": columns,
        "column_count": len(columns),
        "row_count": len(rows),
        "truncated": truncated,
    }
    if window is not None:
        body["unix_from"], body["unix_to"] = window
    return body


@pytest.fixture(scope="module")
def client():
    app = ExportsApp(ServerConfig(store=Store.build(load_fixture(FIXTURE))))
    with InProcessClient(app, prefix="/v4") as c:
        yield c


def post(client, body, *, token="tok-premium", group=G1, headers=None):
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/groups/{group}/exports", json=body, headers={**sent, **(headers or {})})


OK_CASES = [
    pytest.param(
        {"export_type": "links_list", "filter": {}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L2, L1, L4]),
        id="links-default-unarchived",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"archived": "both"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L3, L2, L1, L4]),
        id="links-both-tie-by-id",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"archived": "on"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L3]),
        id="links-archived-only",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"tags": ["promo"], "archived": "both"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L2, L1]),
        id="tags-case-sensitive",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"tags": ["Promo", "spring"], "archived": "both"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L3, L1]),
        id="tags-any",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"query": "SALE"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L1]),
        id="query-case-insensitive",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"query": "ACME", "archived": "both"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L3]),
        id="query-on-id-and-url",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"query": "@PART"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L2]),
        id="query-on-tag",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"query": ""}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L2, L1, L4]),
        id="query-empty-matches-all",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"domain": "BIT.LY"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L2, L1]),
        id="domain-case-insensitive",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"domain": "ly"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, []),
        id="domain-no-suffix-match",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"created_after": 1762000000, "archived": "both"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L3, L2]),
        id="created-after-inclusive",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"created_before": 1762000000}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L1, L4]),
        id="created-before-exclusive",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"created_after": 5, "created_before": 5}},
        "tok-premium",
        export("links_list", LINKS_HEADER, []),
        id="empty-range",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"campaign_guid": "Ca1bcd2EFGh"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, [L1]),
        id="campaign",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"campaign_guid": "Cnope"}},
        "tok-premium",
        export("links_list", LINKS_HEADER, []),
        id="unknown-campaign-selects-nothing",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {}, "unix_from": 5, "unix_to": 9},
        "tok-free",
        export("links_list", LINKS_HEADER, [L2, L1, L4]),
        id="free-metadata-only-window-ignored",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {}, "include_metrics": True},
        "tok-premium",
        export(
            "links_list",
            LINKS_HEADER + METRICS,
            [L2 + ",0,0,0", L1 + ",15,0,1", L4 + ",0,0,0"],
            window=(PREMIUM_FROM, NOW),
        ),
        id="links-metrics-tier-window",
    ),
    pytest.param(
        {"export_type": "link_engagements_batch", "bitlinks": ["j.mp/old", "bit.ly/3xYz9Ab", "j.mp/old"]},
        "tok-core",
        export(
            "link_engagements_batch",
            BATCH_HEADER,
            [
                "j.mp/old,,https://example.org/old,0,0,0,0",
                "bit.ly/3xYz9Ab,Spring sale,https://example.com/sale,3,0,0,3",
            ],
            window=(CORE_FROM, NOW),
        ),
        id="batch-request-order-dedupe-core-window",
    ),
    pytest.param(
        {"export_type": "link_engagements_batch", "bitlinks": ["acme.co/Launch"]},
        "tok-premium",
        export(
            "link_engagements_batch",
            BATCH_HEADER,
            ['acme.co/Launch,"Launch, ""v2""",https://acme.co/launch,0,0,0,0'],
            window=(PREMIUM_FROM, NOW),
        ),
        id="batch-includes-archived",
    ),
    pytest.param(
        {
            "export_type": "link_engagements_batch",
            "bitlinks": ["bit.ly/4Qwe7Rt"],
            "unix_from": 0,
            "unix_to": 10**20,
        },
        "tok-enterprise",
        export(
            "link_engagements_batch",
            BATCH_HEADER,
            ['bit.ly/4Qwe7Rt,"\'=HYPERLINK(""x"")",https://example.com/formula,5,0,0,5'],
            window=(ENTERPRISE_FROM, NOW),
        ),
        id="batch-clamped-window",
    ),
    pytest.param(
        {
            "export_type": "link_engagements_batch",
            "bitlinks": ["bit.ly/3xYz9Ab"],
            "unix_from": 1761004800,
            "unix_to": 1761004800,
            "include_metrics": False,
        },
        "tok-premium",
        export(
            "link_engagements_batch",
            BATCH_HEADER,
            ["bit.ly/3xYz9Ab,Spring sale,https://example.com/sale,12,0,1,13"],
            window=(1761004800, 1761004800),
        ),
        id="batch-inclusive-edges-metrics-ignored-flag",
    ),
    pytest.param(
        {"export_type": "link_engagements_batch", "filter": {"tags": ["promo"]}},
        "tok-premium",
        export(
            "link_engagements_batch",
            BATCH_HEADER,
            [
                'bit.ly/4Qwe7Rt,"\'=HYPERLINK(""x"")",https://example.com/formula,0,0,0,0',
                "bit.ly/3xYz9Ab,Spring sale,https://example.com/sale,15,0,1,16",
            ],
            window=(PREMIUM_FROM, NOW),
        ),
        id="batch-by-filter-newest-first",
    ),
    pytest.param(
        {"export_type": "qr_codes_list", "filter": {}},
        "tok-premium",
        export("qr_codes_list", QR_HEADER, [Q2, Q1]),
        id="qr-list",
    ),
    pytest.param(
        {"export_type": "qr_codes_list", "filter": {"domain": "bit.ly"}},
        "tok-premium",
        export("qr_codes_list", QR_HEADER, [Q1]),
        id="qr-domain-through-bitlink",
    ),
    pytest.param(
        {"export_type": "qr_codes_list", "filter": {"campaign_guid": "Cnope"}},
        "tok-premium",
        export("qr_codes_list", QR_HEADER, [Q2, Q1]),
        id="qr-campaign-ignored",
    ),
    pytest.param(
        {"export_type": "qr_codes_list", "filter": {"query": "3XYZ"}},
        "tok-premium",
        export("qr_codes_list", QR_HEADER, [Q1]),
        id="qr-query-through-bitlink-id",
    ),
    pytest.param(
        {
            "export_type": "qr_codes_list",
            "filter": {},
            "include_metrics": True,
            "unix_from": 1761004800,
            "unix_to": 1761004800,
        },
        "tok-premium",
        export(
            "qr_codes_list",
            QR_HEADER + METRICS,
            [Q2 + ",0,0,0", Q1 + ",0,7,0"],
            window=(1761004800, 1761004800),
        ),
        id="qr-metrics",
    ),
]


@pytest.mark.parametrize(("body", "token", "expected"), OK_CASES)
def test_fixture_exports_are_exactly_what_the_contract_prescribes(client, body, token, expected):
    response = post(client, body, token=token)
    assert response.status_code == 200, response.text
    assert response.json() == expected


def test_second_group_is_served_to_a_token_that_sees_it(client):
    response = post(client, {"export_type": "links_list", "filter": {}}, token="tok-enterprise", group=G2)
    assert response.json() == export("links_list", LINKS_HEADER, [OTHER], group=G2)


FORBIDDEN = {
    "message": "FORBIDDEN",
    "resource": "groups",
    "description": "You are currently forbidden to access this resource.",
    "errors": [],
}


@pytest.mark.parametrize(
    ("headers", "group"),
    [
        pytest.param({}, G1, id="no-token"),
        pytest.param({"Authorization": "Bearer nope"}, G1, id="unknown-token"),
        pytest.param({"Authorization": "Basic tok-premium"}, G1, id="other-scheme"),
        pytest.param({"Authorization": "tok-premium"}, G1, id="bare-token"),
        pytest.param({"Authorization": "Bearer tok-premium"}, G2, id="group-not-visible"),
        pytest.param({"Authorization": "Bearer tok-premium"}, "Bnope000000", id="group-missing"),
        pytest.param({"Authorization": "Bearer tok-premium"}, "a%2Fb", id="encoded-slash-group"),
        pytest.param({"Authorization": "Bearer tok-premium"}, "%00", id="nul-group"),
    ],
)
def test_forbidden_is_the_same_for_bad_tokens_and_hidden_groups(client, headers, group):
    response = client.post(f"/groups/{group}/exports", content=b"not json", headers=headers)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_bearer_scheme_is_case_insensitive(client):
    response = client.post(
        f"/groups/{G1}/exports",
        json={"export_type": "links_list", "filter": {}},
        headers={"Authorization": "bEaReR tok-premium"},
    )
    assert response.status_code == 200


def error_view(response):
    body = response.json()
    assert body["resource"] == "groups"
    return response.status_code, body["message"], {e["field"] for e in body["errors"]}


@pytest.mark.parametrize(
    ("body", "token", "expected"),
    [
        pytest.param(
            {"export_type": "links_list", "filter": {}, "include_metrics": True},
            "tok-free",
            (402, "UPGRADE_REQUIRED", set()),
            id="free-metrics-402",
        ),
        pytest.param(
            {"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/nope"]},
            "tok-free",
            (402, "UPGRADE_REQUIRED", set()),
            id="402-before-422",
        ),
        pytest.param(
            {"export_type": "link_engagements_batch", "filter": {"archived": 1}},
            "tok-free",
            (400, "INVALID_ARG_FILTER_ARCHIVED", {"filter.archived"}),
            id="400-before-402",
        ),
        pytest.param(
            {
                "export_type": "link_engagements_batch",
                "bitlinks": ["bit.ly/3xYz9Ab", "BIT.LY/3xYz9Ab", "bit.ly/other1", "bit.ly/3xYz9Ab"],
            },
            "tok-premium",
            (422, "UNPROCESSABLE_ENTITY", {"bitlinks[1]", "bitlinks[2]"}),
            id="422-case-and-other-group",
        ),
        pytest.param(
            {"export_type": "links_list", "filters": {}},
            "tok-premium",
            (400, "INVALID_ARG_FILTER", {"filter", "filters"}),
            id="typo-filters",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_from": 9, "unix_to": 5},
            "tok-premium",
            (400, "INVALID_ARG_UNIX_FROM", {"unix_from"}),
            id="window-order",
        ),
        pytest.param(
            {"export_type": "qr_codes_list", "filter": {"campaign_guid": 7}},
            "tok-premium",
            (400, "INVALID_ARG_FILTER_CAMPAIGN_GUID", {"filter.campaign_guid"}),
            id="ignored-field-type-checked",
        ),
    ],
)
def test_error_statuses_in_the_contracts_order(client, body, token, expected):
    assert error_view(post(client, body, token=token)) == expected


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        pytest.param(b"[]", "application/json", "INVALID_JSON", id="array"),
        pytest.param(b'"x"', "application/json", "INVALID_JSON", id="string"),
        pytest.param(b"null", "application/json", "INVALID_JSON", id="null"),
        pytest.param(b'{"export_type": ', "application/json", "INVALID_JSON", id="truncated"),
        pytest.param(b'{"unix_from": NaN}', "application/json", "INVALID_JSON", id="nan"),
        pytest.param(
            b'\xef\xbb\xbf{"export_type": "links_list", "filter": {}}',
            "application/json",
            "INVALID_JSON",
            id="bom",
        ),
        pytest.param(b'{"export_type": "links_\xff"}', "application/json", "INVALID_JSON", id="bad-utf8"),
        pytest.param(
            b'{"filter": {"query": "\\ud800"}}', "application/json", "INVALID_JSON", id="lone-surrogate"
        ),
        pytest.param(b"[" * 100000 + b"]" * 100000, "application/json", "INVALID_JSON", id="deep-nesting"),
        pytest.param(b"{}", "text/plain", "INVALID_CONTENT_TYPE", id="text-plain"),
        pytest.param(b"{}", "application/merge-patch+json", "INVALID_CONTENT_TYPE", id="plus-json"),
    ],
)
def test_transport_errors_are_400_with_no_field(client, content, content_type, message):
    response = client.post(
        f"/groups/{G1}/exports",
        content=content,
        headers={"Authorization": "Bearer tok-premium", "Content-Type": content_type},
    )
    assert error_view(response) == (400, message, set())


def test_content_type_is_case_insensitive_and_ignores_parameters(client):
    response = client.post(
        f"/groups/{G1}/exports",
        content=b'{"export_type": "links_list", "filter": {}}',
        headers={"Authorization": "Bearer tok-premium", "Content-Type": "Application/JSON; charset=utf-8"},
    )
    assert response.status_code == 200


def test_duplicate_keys_last_wins(client):
    response = client.post(
        f"/groups/{G1}/exports",
        content=b'{"export_type": "bogus", "export_type": "qr_codes_list", "filter": {}}',
        headers={"Authorization": "Bearer tok-premium", "Content-Type": "application/json"},
    )
    assert response.json() == export("qr_codes_list", QR_HEADER, [Q2, Q1])


def test_body_over_one_mebibyte_is_413(client):
    body = b'{"export_type": "links_list", "filter": {"query": "' + b"x" * (1 << 20) + b'"}}'
    response = client.post(
        f"/groups/{G1}/exports",
        content=body,
        headers={"Authorization": "Bearer tok-premium", "Content-Type": "application/json"},
    )
    assert error_view(response) == (413, "PAYLOAD_TOO_LARGE", set())


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"/groups/{G1}/exports/", id="trailing-slash"),
        pytest.param(f"/groups/{G1}/export", id="other-name"),
        pytest.param("/groups//exports", id="empty-group"),
        pytest.param("/other", id="elsewhere"),
    ],
)
def test_other_paths_are_404(client, path):
    response = client.post(path, json={}, headers={"Authorization": "Bearer tok-premium"})
    assert error_view(response) == (404, "NOT_FOUND", set())


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405_with_allow(client, method):
    response = client.request(method, f"/groups/{G1}/exports")
    assert error_view(response) == (405, "METHOD_NOT_ALLOWED", set())
    assert response.headers["allow"] == "POST"


def test_rate_limit_answers_429_with_retry_after_after_the_limit(client):
    body = {"export_type": "links_list", "filter": {}}
    statuses = [post(client, body, token="tok-limited").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = post(client, body, token="tok-limited")
    assert error_view(response) == (429, "RATE_LIMIT_EXCEEDED", set())
    assert 1 <= int(response.headers["retry-after"]) <= 60


@pytest.mark.parametrize(
    ("prefer", "status", "message"),
    [
        pytest.param("code=503", 503, "TEMPORARILY_UNAVAILABLE", id="503"),
        pytest.param("code=500", 500, "INTERNAL_ERROR", id="500"),
        pytest.param("latency_ms=1, code=429", 429, "RATE_LIMIT_EXCEEDED", id="latency-then-429"),
    ],
)
def test_prefer_injects_faults(client, prefer, status, message):
    response = post(client, {"export_type": "links_list", "filter": {}}, headers={"Prefer": prefer})
    assert error_view(response) == (status, message, set())
    if status != 500:
        assert response.headers["retry-after"] == "1"


@pytest.mark.parametrize("prefer", ["code=404", "code=abc", "latency_ms=-1", "nonsense", "code"])
def test_unknown_or_malformed_preferences_are_ignored(client, prefer):
    response = post(client, {"export_type": "links_list", "filter": {}}, headers={"Prefer": prefer})
    assert response.status_code == 200
