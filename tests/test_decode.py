import base64
import csv
import io
from typing import Any

import pytest
from bitly_exports_client.models.export_response import ExportResponse

from bitly_exports_contract.decode import DecodedExport, ExportDecodeError, decode_export

LINKS_COLUMNS = ["bitlink", "title", "long_url", "created_at", "archived", "tags"]
LINK_ROW = [
    "bit.ly/3xYz9Ab",
    "Spring sale",
    "https://example.com/sale",
    "2025-10-20T22:40:00+0000",
    "false",
    "promo",
]


def csv_of(*records: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(records)
    return out.getvalue().encode("utf-8")


def export_body(csv_bytes: bytes, **overrides: Any) -> dict[str, Any]:
    """A links_list response body around these CSV bytes, its metadata consistent unless overridden."""
    body: dict[str, Any] = {
        "export_type": "links_list",
        "filename": "Ba1bc23dE4F_links_list_20251126T000000Z.csv",
        "media_type": "text/csv",
        "data_uri": "data:text/csv;base64," + base64.b64encode(csv_bytes).decode("ascii"),
        "size_bytes": len(csv_bytes),
        "columns": list(LINKS_COLUMNS),
        "column_count": len(LINKS_COLUMNS),
        "row_count": csv_bytes.count(b"\r\n") - 1,
        "truncated": False,
    }
    body.update(overrides)
    return body


def test_a_consistent_export_decodes_into_its_bytes_header_and_rows() -> None:
    raw = csv_of(LINKS_COLUMNS, LINK_ROW)

    decoded = decode_export(export_body(raw))

    assert decoded == DecodedExport(csv_bytes=raw, columns=tuple(LINKS_COLUMNS), rows=(tuple(LINK_ROW),))


def test_records_are_dicts_keyed_by_column_in_row_order() -> None:
    second = ["acme.co/x", "", "https://acme.co", "2025-01-01T00:00:00+0000", "true", "a;b"]
    decoded = decode_export(export_body(csv_of(LINKS_COLUMNS, LINK_ROW, second)))

    records = decoded.records()

    assert [r["bitlink"] for r in records] == ["bit.ly/3xYz9Ab", "acme.co/x"]
    assert records[1] == dict(zip(LINKS_COLUMNS, second, strict=True))


def test_the_generated_models_export_response_is_accepted_like_the_json_body() -> None:
    body = export_body(csv_of(LINKS_COLUMNS, LINK_ROW))

    assert decode_export(ExportResponse.from_dict(body)) == decode_export(body)


def test_a_header_only_export_has_no_rows() -> None:
    decoded = decode_export(export_body(csv_of(LINKS_COLUMNS), row_count=0))

    assert decoded.rows == ()
    assert decoded.records() == []


def test_quoted_cells_keep_their_commas_quotes_line_breaks_and_non_ascii_text() -> None:
    tricky = ["bit.ly/q", 'Say "hi", then\r\nleave', "https://example.com/ü", "x", "false", "'=SUM(A1)"]
    raw = csv_of(LINKS_COLUMNS, tricky)

    decoded = decode_export(export_body(raw, row_count=1))

    assert decoded.rows == (tuple(tricky),)


def test_a_size_mismatch_says_both_numbers() -> None:
    raw = csv_of(LINKS_COLUMNS, LINK_ROW)

    with pytest.raises(ExportDecodeError) as caught:
        decode_export(export_body(raw, size_bytes=len(raw) + 2))

    assert str(caught.value) == f"size_bytes says {len(raw) + 2} but the CSV has {len(raw)} bytes"


def test_the_decode_error_is_a_value_error() -> None:
    assert issubclass(ExportDecodeError, ValueError)


GOOD = csv_of(LINKS_COLUMNS, LINK_ROW)
GOOD_B64 = base64.b64encode(GOOD).decode("ascii")


def with_bytes(raw: bytes, **overrides: Any) -> dict[str, Any]:
    return export_body(raw, **{"row_count": 1, **overrides})


def with_payload(payload: str) -> dict[str, Any]:
    return export_body(GOOD, data_uri="data:text/csv;base64," + payload)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        pytest.param(
            export_body(GOOD, data_uri="data:text/plain;base64," + GOOD_B64),
            "data_uri must start with 'data:text/csv;base64,'",
            id="other-media-type",
        ),
        pytest.param(
            export_body(GOOD, data_uri="data:text/csv," + GOOD.decode()),
            "data_uri must start",
            id="not-base64",
        ),
        pytest.param(
            with_payload(base64.urlsafe_b64encode(b"\xfb\xff" + GOOD).decode()),
            "standard base64",
            id="url-safe-alphabet",
        ),
        pytest.param(with_payload(GOOD_B64[:8] + "\n" + GOOD_B64[8:]), "standard base64", id="line-break"),
        pytest.param(with_payload("QUI"), "standard base64", id="missing-padding"),
        pytest.param(with_payload("QQ==Rw=="), "standard base64", id="padding-in-middle"),
        pytest.param(
            export_body(b"AB", data_uri="data:text/csv;base64,QUJ=", size_bytes=2),
            "not canonical",
            id="padding-bits",
        ),
        pytest.param(
            with_bytes(b"\xef\xbb\xbf" + GOOD, size_bytes=len(GOOD) + 3), "byte order mark", id="bom"
        ),
        pytest.param(
            with_bytes(GOOD.replace(b"Spring", b"Spr\xffng")),
            "the CSV is not UTF-8: invalid start byte",
            id="not-utf8",
        ),
        pytest.param(
            with_bytes(GOOD.replace(b"\r\n", b"\n")), "CSV record 1 ends with '\\n', not CRLF", id="lf"
        ),
        pytest.param(
            with_bytes(GOOD.replace(b"\r\n", b"\r")), "CSV record 1 ends with '\\r', not CRLF", id="cr"
        ),
        pytest.param(
            with_bytes(GOOD[:-2]), "CSV record 2 ends with no line break, not CRLF", id="no-final-crlf"
        ),
        pytest.param(with_bytes(b""), "the CSV is empty", id="empty"),
        pytest.param(
            with_bytes(GOOD.replace(b"Spring sale", b'"Spring" sale')),
            "the CSV is malformed at line 2",
            id="bad-quote",
        ),
        pytest.param(
            export_body(GOOD, columns=[*LINKS_COLUMNS[:-1], "labels"]),
            "the CSV header is [",
            id="header-differs-from-columns",
        ),
        pytest.param(
            export_body(GOOD, column_count=7),
            "column_count says 7 but columns has 6 names",
            id="column-count",
        ),
        pytest.param(
            export_body(GOOD, row_count=2), "row_count says 2 but the CSV has 1 data rows", id="row-count"
        ),
        pytest.param(
            with_bytes(csv_of(LINKS_COLUMNS, LINK_ROW[:-1])),
            "data row 1 has 5 cells but column_count says 6",
            id="short-row",
        ),
        pytest.param(
            with_bytes(GOOD + b"\r\n", row_count=2),
            "data row 2 has 0 cells but column_count says 6",
            id="blank-line",
        ),
        pytest.param(
            {"data_uri": "data:text/csv;base64," + GOOD_B64}, "the export has no size_bytes", id="missing"
        ),
        pytest.param(
            export_body(GOOD, size_bytes=True), "size_bytes must be a int, got True", id="bool-as-int"
        ),
        pytest.param(export_body(GOOD, row_count="1"), "row_count must be a int", id="string-as-int"),
        pytest.param(
            export_body(GOOD, columns=[1, 2]), "columns must be a list of strings", id="columns-not-str"
        ),
    ],
)
def test_an_export_that_breaks_the_contract_is_refused_with_the_reason(
    body: dict[str, Any], says: str
) -> None:
    with pytest.raises(ExportDecodeError) as caught:
        decode_export(body)

    assert says in str(caught.value)
