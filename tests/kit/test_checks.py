"""Each check passes a correct export and catches its own defect, alone."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from kit_exchanges import BATCH_HEADER, LINKS_HEADER, NOW, csv_bytes, export_body, received, sent, with_csv

from bitly_exports_contract.kit.checks import ALL_CHECKS, violations
from bitly_exports_contract.kit.exchange import Exchange

DAY = 86400
LINKS_REQUEST: dict[str, Any] = {"export_type": "links_list", "filter": {"archived": "both"}}
LINK_ROWS = [
    ["bit.ly/b", "'=SUM(A1)", "https://e.com/x,y", "2025-11-20T10:00:00+0000", "false", "promo;print"],
    ["bit.ly/a", 'say "hi"', "https://e.com/a", "2025-11-19T10:00:00+0000", "true", ""],
    ["bit.ly/c", "", "https://e.com/c", "2025-11-19T10:00:00+0000", "false", "'@partners"],
]
BATCH_REQUEST: dict[str, Any] = {
    "export_type": "link_engagements_batch",
    "bitlinks": ["bit.ly/b", "bit.ly/a", "bit.ly/b"],
}
BATCH_ROWS = [
    ["bit.ly/b", "B", "https://e.com/b", "3", "1", "0", "4"],
    ["bit.ly/a", "", "https://e.com/a", "0", "0", "0", "0"],
]
PREMIUM_WINDOW = {"unix_from": NOW - 365 * DAY, "unix_to": NOW}


def _links(**extra: Any) -> dict[str, Any]:
    return export_body(LINKS_REQUEST, LINKS_HEADER, LINK_ROWS, **extra)


def _batch(**extra: Any) -> dict[str, Any]:
    return export_body(BATCH_REQUEST, BATCH_HEADER, BATCH_ROWS, **{**PREMIUM_WINDOW, **extra})


def _broken(
    request: dict[str, Any], body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> set[str]:
    exchange = Exchange(sent=sent(request), received=received(body, status=status, headers=headers))
    return {v.rule_name for v in violations(exchange)}


def test_a_correct_links_export_breaks_no_rule() -> None:
    assert _broken(LINKS_REQUEST, _links()) == set()


def _error(message: str, *fields: str) -> dict[str, Any]:
    items = [{"field": f, "error_code": "x", "message": "m"} for f in fields]
    return {"message": message, "resource": "groups", "description": "d", "errors": items}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        pytest.param("", "INVALID_ARG_", id="empty key"),
        pytest.param("filter.é-x", "INVALID_ARG_FILTER___X", id="contract example"),
        pytest.param("straße", "INVALID_ARG_STRA_E", id="sharp s"),
        pytest.param("a\U0001f600", "INVALID_ARG_A_", id="emoji as one code point"),
        pytest.param("a\U0001f600", "INVALID_ARG_A__", id="emoji as two UTF-16 units"),
        pytest.param("filter.x[2]", "INVALID_ARG_FILTER_X", id="index dropped"),
    ],
)
def test_every_reading_of_invalid_arg_passes(field: str, message: str) -> None:
    assert _broken(LINKS_REQUEST, _error(message, field), status=400) == set()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        pytest.param("straße", "INVALID_ARG_STRASSE", id="str.upper of sharp s"),
        pytest.param("ılık", "INVALID_ARG_ILIK", id="str.upper of dotless i"),
        pytest.param("filter.é-x", "INVALID_ARG_FILTER_X", id="collapsed"),
        pytest.param("colour", "INVALID_ARG_COLOR", id="another field"),
    ],
)
def test_a_wrong_invalid_arg_name_breaks_its_rule(field: str, message: str) -> None:
    assert _broken(LINKS_REQUEST, _error(message, field), status=400) == {"error_fields_conformance"}


def test_extra_response_fields_break_no_rule() -> None:
    """§7: a response may carry fields beyond those listed in §4 and §5."""
    assert _broken(LINKS_REQUEST, _links(request_id="r-1", expires_at=5)) == set()
    assert _broken(BATCH_REQUEST, _batch(links=[{"x": 1}])) == set()


def test_a_correct_batch_export_breaks_no_rule() -> None:
    assert _broken(BATCH_REQUEST, _batch()) == set()


def test_a_correct_error_breaks_no_rule() -> None:
    error = {
        "message": "INVALID_ARG_FILTER_ARCHIVED",
        "resource": "groups",
        "description": "d",
        "errors": [{"field": "filter.archived", "error_code": "x", "message": "m"}],
    }
    assert _broken({"export_type": "links_list", "filter": {"archived": "x"}}, error, status=400) == set()


LF = csv_bytes([LINKS_HEADER, *LINK_ROWS], line_end="\n")
QUOTED_ALL = b"".join(
    (",".join(f'"{v}"' for v in row) + "\r\n").encode()
    for row in [LINKS_HEADER, *[r[:1] + ["t"] + r[2:] for r in LINK_ROWS]]
)
UNGUARDED = [LINK_ROWS[0][:1] + ["=SUM(A1)"] + LINK_ROWS[0][2:], *LINK_ROWS[1:]]
OUT_OF_ORDER = [LINK_ROWS[2], LINK_ROWS[1], LINK_ROWS[0]]


@pytest.mark.parametrize(
    ("request_body", "body", "expected"),
    [
        pytest.param(LINKS_REQUEST, _links(size_bytes=1), "size_bytes_conformance", id="size_bytes"),
        pytest.param(LINKS_REQUEST, _links(row_count=4), "row_count_conformance", id="row_count"),
        pytest.param(LINKS_REQUEST, _links(column_count=7), "column_count_conformance", id="column_count"),
        pytest.param(
            LINKS_REQUEST, _links(media_type="text/plain"), "media_type_conformance", id="media_type"
        ),
        pytest.param(
            LINKS_REQUEST, _links(export_type="qr_codes_list"), "export_type_echo_conformance", id="echo"
        ),
        pytest.param(LINKS_REQUEST, _links(filename="x.csv"), "filename_conformance", id="filename"),
        pytest.param(LINKS_REQUEST, _links(truncated="no"), "response_fields_conformance", id="fields"),
        pytest.param(LINKS_REQUEST, _links(truncated=True), "truncation_conformance", id="truncated"),
        pytest.param(
            LINKS_REQUEST,
            _links(unix_from=0, unix_to=0),
            "window_echo_conformance",
            id="echo-without-metrics",
        ),
        pytest.param(
            LINKS_REQUEST,
            with_csv(_links(), b"\xef\xbb\xbf" + csv_bytes([LINKS_HEADER, *LINK_ROWS])),
            "csv_encoding_conformance",
            id="bom",
        ),
        pytest.param(LINKS_REQUEST, with_csv(_links(), LF), "csv_line_end_conformance", id="lf"),
        pytest.param(
            LINKS_REQUEST, with_csv(_links(), QUOTED_ALL), "csv_quoting_conformance", id="quote-all"
        ),
        pytest.param(
            LINKS_REQUEST,
            export_body(LINKS_REQUEST, LINKS_HEADER, UNGUARDED),
            "formula_guard_conformance",
            id="unguarded",
        ),
        pytest.param(
            LINKS_REQUEST,
            export_body(LINKS_REQUEST, LINKS_HEADER, OUT_OF_ORDER),
            "newest_first_conformance",
            id="order",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}},
            _links(),
            "archived_filter_conformance",
            id="archived",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"tags": ["print"], "archived": "both"}},
            _links(),
            "tags_filter_conformance",
            id="tags",
        ),
        pytest.param(
            {
                "export_type": "links_list",
                "filter": {"created_after": NOW - 6 * DAY - 3600, "archived": "both"},
            },
            _links(),
            "created_filter_conformance",
            id="created",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"query": "hi", "archived": "both"}},
            _links(),
            "query_filter_conformance",
            id="query",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"domain": "j.mp", "archived": "both"}},
            _links(),
            "domain_filter_conformance",
            id="domain",
        ),
        pytest.param(
            BATCH_REQUEST, _batch(unix_from=NOW - 30 * DAY), "window_clamp_conformance", id="window"
        ),
        pytest.param(
            BATCH_REQUEST,
            export_body(BATCH_REQUEST, BATCH_HEADER, BATCH_ROWS),
            "window_echo_conformance",
            id="no-echo",
        ),
        pytest.param(
            BATCH_REQUEST,
            export_body(BATCH_REQUEST, BATCH_HEADER, BATCH_ROWS[::-1], **PREMIUM_WINDOW),
            "bitlinks_order_conformance",
            id="bitlinks-order",
        ),
        pytest.param(
            BATCH_REQUEST,
            export_body(
                BATCH_REQUEST, BATCH_HEADER, [BATCH_ROWS[0][:-1] + ["3"], BATCH_ROWS[1]], **PREMIUM_WINDOW
            ),
            "total_engagements_conformance",
            id="total",
        ),
    ],
)
def test_each_defect_breaks_its_own_rule_alone(
    request_body: dict[str, Any], body: dict[str, Any], expected: str
) -> None:
    assert _broken(request_body, body) == {expected}


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        pytest.param(
            403,
            {"message": "FORBIDDEN", "resource": "group", "description": "d", "errors": []},
            None,
            "error_body_conformance",
            id="resource",
        ),
        pytest.param(
            403,
            {"message": "NOT_FOUND", "resource": "groups", "description": "d", "errors": []},
            None,
            "error_message_conformance",
            id="message",
        ),
        pytest.param(
            413,
            {
                "message": "PAYLOAD_TOO_LARGE",
                "resource": "groups",
                "description": "d",
                "errors": [{"field": "body", "error_code": "x", "message": "m"}],
            },
            None,
            "error_fields_conformance",
            id="errors-not-empty",
        ),
        pytest.param(
            429,
            {"message": "RATE_LIMIT_EXCEEDED", "resource": "groups", "description": "d", "errors": []},
            None,
            "retry_after_conformance",
            id="retry-after",
        ),
        pytest.param(
            405,
            {"message": "METHOD_NOT_ALLOWED", "resource": "groups", "description": "d", "errors": []},
            {"allow": "GET, POST"},
            "method_not_allowed_conformance",
            id="allow",
        ),
        pytest.param(
            500,
            {"message": "INTERNAL_ERROR", "resource": "groups", "description": "d", "errors": []},
            None,
            "no_server_error_conformance",
            id="5xx",
        ),
    ],
)
def test_each_error_defect_breaks_its_own_rule(
    status: int, body: dict[str, Any], headers: dict[str, str] | None, expected: str
) -> None:
    assert expected in _broken(LINKS_REQUEST, body, status=status, headers=headers)


def test_non_canonical_base64_breaks_the_data_uri_rule() -> None:
    raw = csv_bytes([LINKS_HEADER])
    encoded = base64.b64encode(raw).decode()
    assert encoded.endswith("=")
    # Flip a padding bit: still decodes to the same bytes with a lenient decoder.
    last = encoded.rstrip("=")[-1]
    index = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(last)
    tweaked = (
        encoded.rstrip("=")[:-1]
        + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[index | 1]
    )
    tweaked += "=" * (len(encoded) - len(encoded.rstrip("=")))
    body = export_body(LINKS_REQUEST, LINKS_HEADER, [], data_uri="data:text/csv;base64," + tweaked)
    assert "data_uri_conformance" in _broken(LINKS_REQUEST, body)


def test_every_check_has_a_name_and_the_contracts_words() -> None:
    assert len({c.name for c in ALL_CHECKS}) == len(ALL_CHECKS)
    assert all(c.rule.startswith("§") for c in ALL_CHECKS)
