import csv
import io

import pytest

from bitly_exports_contract.rules.csv_shape import columns_for, guard_formula, render_csv, timestamp_cell


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("=SUM(A1)", "'=SUM(A1)", id="equals"),
        pytest.param("+1", "'+1", id="plus"),
        pytest.param("-2", "'-2", id="minus"),
        pytest.param("@partners;promo", "'@partners;promo", id="at-tags"),
        pytest.param("\tx", "'\tx", id="tab"),
        pytest.param("\rx", "'\rx", id="cr"),
        pytest.param("a=b", "a=b", id="inner-equals"),
        pytest.param("", "", id="empty"),
    ],
)
def test_formula_guard_prefixes_a_quote_to_trigger_cells(cell, expected):
    assert guard_formula(cell) == expected


def test_csv_is_rfc4180_with_crlf_minimal_quoting_and_guard_before_quoting():
    data = render_csv(columns=["a", "b"], rows=[["x,y", 'say "hi"'], ["=1,2", "line\nbreak"]])
    assert data == b'a,b\r\n"x,y","say ""hi"""\r\n"\'=1,2","line\nbreak"\r\n'
    assert list(csv.reader(io.StringIO(data.decode(), newline=""))) == [
        ["a", "b"],
        ["x,y", 'say "hi"'],
        ["'=1,2", "line\nbreak"],
    ]


def test_header_alone_ends_with_crlf():
    assert render_csv(columns=["a"], rows=[]) == b"a\r\n"


def test_timestamps_are_written_as_bitly_writes_them():
    assert timestamp_cell(1705312800) == "2024-01-15T10:00:00+0000"


@pytest.mark.parametrize(
    ("export_type", "metrics", "last"),
    [
        pytest.param("links_list", False, "tags", id="links"),
        pytest.param("links_list", True, "button_clicks", id="links-metrics"),
        pytest.param("qr_codes_list", True, "button_clicks", id="qr-metrics"),
        pytest.param("link_engagements_batch", True, "total_engagements", id="batch"),
    ],
)
def test_columns_per_shape(export_type, metrics, last):
    cols = columns_for(export_type=export_type, metrics=metrics)
    assert cols[-1] == last and len(cols) == len(set(cols))
