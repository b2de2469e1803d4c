import csv
import io
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bitly_exports_contract.rules.csv_shape import (
    columns_for,
    guard_formula,
    render_csv,
    render_records,
    timestamp_cell,
)


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


def reference_csv(columns, rows) -> bytes:
    """The contract's definition: Python's csv writer, QUOTE_MINIMAL, CRLF, over guarded cells."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([guard_formula(c) for c in columns])
    writer.writerows([guard_formula(c) for c in row] for row in rows)
    return buf.getvalue().encode("utf-8")


cells = st.text(
    alphabet=st.sampled_from(list("ab ,\"\r\n\t=+-@;'é\x00")) | st.characters(codec="utf-8"), max_size=12
)


@settings(max_examples=500, deadline=None)
@given(width=st.integers(min_value=1, max_value=7), data=st.data())
def test_rendering_is_byte_for_byte_the_csv_writer_over_guarded_cells(width, data):
    columns = data.draw(st.lists(cells, min_size=width, max_size=width))
    rows = data.draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=8))
    assert render_csv(columns=columns, rows=rows) == reference_csv(columns, rows)


@settings(max_examples=500, deadline=None)
@given(row=st.lists(cells, min_size=1, max_size=7))
def test_one_record_is_byte_for_byte_the_csv_writer_over_guarded_cells(row):
    assert (render_records([row])[0] + "\r\n").encode("utf-8") == reference_csv(row, [])


@pytest.mark.parametrize(
    "row",
    [
        pytest.param([""], id="one-empty-cell"),
        pytest.param(["", ""], id="two-empty-cells"),
        pytest.param(["a", "-1"], id="trigger-after-comma"),
        pytest.param(["a\tb", "c"], id="inner-tab"),
        pytest.param(["\tb", "c"], id="leading-tab"),
        pytest.param(["a", "b,c"], id="inner-comma"),
    ],
)
def test_rendering_edges_match_the_csv_writer(row):
    assert render_csv(columns=["x"] * len(row), rows=[row]) == reference_csv(["x"] * len(row), [row])


@settings(max_examples=500, deadline=None)
@given(unix=st.integers(min_value=-(10**10), max_value=253402300799))
def test_timestamp_cell_matches_strftime(unix):
    assert timestamp_cell(unix) == time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(unix))
