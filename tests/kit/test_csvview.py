from __future__ import annotations

import base64

import pytest

from bitly_exports_contract.kit.csvview import (
    CsvReadError,
    decode_data_uri,
    parse_timestamp,
    read_records,
    unguard,
)


def test_records_keep_how_each_field_was_written() -> None:
    records = read_records('a,"b,c",""\r\n"x ""y""",,z\r\n')
    assert [r.values for r in records] == [["a", "b,c", ""], ['x "y"', "", "z"]]
    assert [f.quoted for f in records[0].fields] == [False, True, True]
    assert [r.terminator for r in records] == ["\r\n", "\r\n"]


def test_a_quoted_field_may_hold_line_ends() -> None:
    (record,) = read_records('"a\r\nb",c\r\n')
    assert record.values == ["a\r\nb", "c"]


@pytest.mark.parametrize(
    ("text", "terminators"),
    [pytest.param("a\nb\n", ["\n", "\n"], id="lf"), pytest.param("a\r\nb", ["\r\n", ""], id="no-final-crlf")],
)
def test_line_ends_are_reported_as_written(text: str, terminators: list[str]) -> None:
    assert [r.terminator for r in read_records(text)] == terminators


@pytest.mark.parametrize("text", ['"open', '"a"b,c\r\n'])
def test_unreadable_csv_is_refused(text: str) -> None:
    with pytest.raises(CsvReadError):
        read_records(text)


def test_the_data_uri_must_be_canonical_standard_base64() -> None:
    assert decode_data_uri("data:text/csv;base64," + base64.b64encode(b"a,b\r\n").decode()) == b"a,b\r\n"
    for bad in (
        "data:text/plain;base64,YQ==",
        "data:text/csv;base64,YQ",
        "data:text/csv;base64,-_==",
        "data:text/csv;base64,YR==",
    ):
        with pytest.raises(ValueError):
            decode_data_uri(bad)


def test_unguard_drops_only_the_formula_guard() -> None:
    assert unguard("'=SUM(1)") == "=SUM(1)"
    assert unguard("'plain") == "'plain"
    assert unguard("@x") == "@x"


def test_timestamps_are_read_only_in_bitlys_form() -> None:
    assert parse_timestamp("2024-01-15T10:00:00+0000") == 1705312800
    assert parse_timestamp("2024-01-15T10:00:00Z") is None
    assert parse_timestamp("2024-01-15 10:00:00+0000") is None
