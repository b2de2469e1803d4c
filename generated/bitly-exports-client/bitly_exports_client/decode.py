"""Decode the CSV inside an export response and check it against the response's own metadata.

`decode_export(response)` takes this client's `ExportResponse` or the plain JSON body, and
either returns the CSV's header and rows or raises `ExportDecodeError` naming the first thing
that disagrees with the contract. The standard library is all it needs.

(Not generated from the spec: openapi/client-modules/decode.py, copied in by scripts/generate.)
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .models.export_response import ExportResponse

DATA_URI_PREFIX = "data:text/csv;base64,"
_UTF8_BOM = b"\xef\xbb\xbf"
_CRLF = "\r\n"
_T = TypeVar("_T")


class ExportDecodeError(ValueError):
    """An export whose `data_uri` or metadata breaks the contract."""


@dataclass(frozen=True)
class DecodedExport:
    """The CSV of an export: its exact bytes, its header and its data rows."""

    csv_bytes: bytes
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def records(self) -> list[dict[str, str]]:
        """The data rows as dicts keyed by column name, in CSV order."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def decode_export(export: ExportResponse | Mapping[str, Any]) -> DecodedExport:
    """Decode `data_uri` and check the CSV against `size_bytes`, `columns`, `column_count`, `row_count`."""
    body: Mapping[str, Any] = export.to_dict() if isinstance(export, ExportResponse) else export
    data_uri = _field(body, "data_uri", str)
    size_bytes = _field(body, "size_bytes", int)
    columns = _field(body, "columns", list)
    column_count = _field(body, "column_count", int)
    row_count = _field(body, "row_count", int)
    if not all(isinstance(name, str) for name in columns):
        raise ExportDecodeError(f"columns must be a list of strings, got {columns!r}")

    csv_bytes = _data_uri_bytes(data_uri)
    if size_bytes != len(csv_bytes):
        raise ExportDecodeError(f"size_bytes says {size_bytes} but the CSV has {len(csv_bytes)} bytes")
    header, rows = _parse_csv(_csv_text(csv_bytes))

    if list(header) != columns:
        raise ExportDecodeError(f"the CSV header is {list(header)!r} but columns says {columns!r}")
    if column_count != len(columns):
        raise ExportDecodeError(f"column_count says {column_count} but columns has {len(columns)} names")
    if row_count != len(rows):
        raise ExportDecodeError(f"row_count says {row_count} but the CSV has {len(rows)} data rows")
    for number, row in enumerate(rows, start=1):
        if len(row) != column_count:
            raise ExportDecodeError(f"data row {number} has {len(row)} cells but column_count says {column_count}")
    return DecodedExport(csv_bytes=csv_bytes, columns=header, rows=tuple(rows))


def _field(body: Mapping[str, Any], name: str, kind: type[_T]) -> _T:
    if name not in body:
        raise ExportDecodeError(f"the export has no {name}")
    value = body[name]
    # A JSON number with an integral value is an integer whatever its formatting (`132.0`).
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    # bool is an int in Python, never in JSON.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ExportDecodeError(f"{name} must be a {kind.__name__}, got {value!r}")
    return value


def _data_uri_bytes(data_uri: str) -> bytes:
    if not data_uri.startswith(DATA_URI_PREFIX):
        raise ExportDecodeError(f"data_uri must start with {DATA_URI_PREFIX!r}, got {data_uri[:40]!r}")
    payload = data_uri[len(DATA_URI_PREFIX) :]
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ExportDecodeError(f"data_uri does not hold standard base64: {exc}") from None
    if base64.b64encode(raw).decode("ascii") != payload:
        raise ExportDecodeError("data_uri's base64 is not canonical: its padding bits are not zero")
    return raw


def _csv_text(csv_bytes: bytes) -> str:
    if csv_bytes.startswith(_UTF8_BOM):
        raise ExportDecodeError("the CSV starts with a UTF-8 byte order mark; the contract says no BOM")
    try:
        return csv_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportDecodeError(f"the CSV is not UTF-8: {exc.reason} at byte {exc.start}") from None


def _parse_csv(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Split RFC 4180 text into header and data rows, requiring CRLF after every record."""
    if not text:
        raise ExportDecodeError("the CSV is empty; the contract says it always has a header row")
    lines = _LineTracker(text)
    reader = csv.reader(lines, strict=True)
    records: list[tuple[str, ...]] = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ExportDecodeError(f"the CSV is malformed at line {reader.line_num}: {exc}") from None
        if not lines.last.endswith(_CRLF):
            ending = repr(lines.last[-1]) if lines.last[-1:] in ("\r", "\n") else "no line break"
            raise ExportDecodeError(f"CSV record {len(records) + 1} ends with {ending}, not CRLF")
        records.append(tuple(record))
    return records[0], records[1:]


class _LineTracker:
    """Physical lines of the text (split at CR, LF or CRLF, kept), remembering the last one read.

    csv.reader pulls lines only until a record is complete, so after each record `last` is
    the line that ended it.
    """

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.last = ""

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        self.last = next(self._lines)
        return self.last
