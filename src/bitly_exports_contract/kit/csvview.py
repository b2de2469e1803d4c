"""A strict reading of an export: its data URI, its CSV records exactly as written, its cells."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bitly_exports_contract.spec import figures

DATA_URI_PREFIX = "data:text/csv;base64,"
_STANDARD_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$")
_NEEDS_QUOTES = frozenset(',"\r\n')


class CsvReadError(ValueError):
    """The bytes cannot be read as the contract's CSV at all."""


def decode_data_uri(data_uri: str) -> bytes:
    """The CSV bytes of a data URI; raises ValueError saying what is wrong."""
    if not data_uri.startswith(DATA_URI_PREFIX):
        raise ValueError(f"does not start with {DATA_URI_PREFIX!r}: {data_uri[:40]!r}")
    payload = data_uri[len(DATA_URI_PREFIX) :]
    if not _STANDARD_BASE64.match(payload):
        raise ValueError("the payload is not standard, padded base64 (RFC 4648 section 4)")
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:  # pragma: no cover - the pattern already refuses these
        raise ValueError(str(exc)) from exc
    if base64.b64encode(raw).decode("ascii") != payload:
        raise ValueError("the payload is not canonical base64: its padding bits are not zero")
    return raw


@dataclass(frozen=True)
class Field:
    value: str
    quoted: bool
    raw: str


@dataclass(frozen=True)
class Record:
    fields: tuple[Field, ...]
    # The line end that closed the record: "\r\n", "\n", "\r" or "" at the end of the data.
    terminator: str

    @property
    def values(self) -> list[str]:
        return [f.value for f in self.fields]


def read_records(text: str) -> list[Record]:
    """The records of a CSV text, each field with how it was written; raises CsvReadError."""
    records: list[Record] = []
    fields: list[Field] = []
    i, n = 0, len(text)
    if n == 0:
        return records
    while True:
        start = i
        if i < n and text[i] == '"':
            i += 1
            chunks: list[str] = []
            while True:
                end = text.find('"', i)
                if end < 0:
                    raise CsvReadError(f"a quoted field opened at offset {start} never closes")
                chunks.append(text[i:end])
                if end + 1 < n and text[end + 1] == '"':
                    chunks.append('"')
                    i = end + 2
                    continue
                i = end + 1
                break
            if i < n and text[i] not in ",\r\n":
                raise CsvReadError(f"characters after the closing quote of the field at offset {start}")
            fields.append(Field(value="".join(chunks), quoted=True, raw=text[start:i]))
        else:
            while i < n and text[i] not in ",\r\n":
                i += 1
            raw = text[start:i]
            fields.append(Field(value=raw, quoted=False, raw=raw))
        if i < n and text[i] == ",":
            i += 1
            continue
        if i >= n:
            records.append(Record(tuple(fields), ""))
            return records
        terminator = "\r\n" if text.startswith("\r\n", i) else text[i]
        i += len(terminator)
        records.append(Record(tuple(fields), terminator))
        fields = []
        if i >= n:
            return records


def needs_quotes(value: str) -> bool:
    """Whether the contract quotes a field: it contains `,`, `"`, CR or LF."""
    return any(ch in _NEEDS_QUOTES for ch in value)


def unguard(cell: str) -> str:
    """A cell without the formula guard the contract puts before risky cells."""
    if len(cell) >= 2 and cell[0] == "'" and cell[1:2] in figures().formula_trigger_prefixes:
        return cell[1:]
    return cell


def parse_timestamp(cell: str) -> int | None:
    """Unix seconds of a timestamp cell written as the contract says, else None."""
    if not _TIMESTAMP.match(cell):
        return None
    try:
        return int(datetime.strptime(cell, TIMESTAMP_FORMAT).replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


@dataclass(frozen=True)
class CsvExport:
    """The CSV of a 200 response, read strictly."""

    raw: bytes
    text: str
    records: list[Record]

    @property
    def header(self) -> list[str]:
        return self.records[0].values if self.records else []

    @property
    def rows(self) -> list[list[str]]:
        return [record.values for record in self.records[1:]]

    def column(self, name: str) -> list[str]:
        """The cells of a column by header name (empty when the header lacks it)."""
        if name not in self.header:
            return []
        index = self.header.index(name)
        return [row[index] if index < len(row) else "" for row in self.rows]

    def dicts(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, row, strict=False)) for row in self.rows]


def read_export(body: Any) -> CsvExport | None:
    """The CSV of an export response body, or None when it cannot be read at all."""
    if not isinstance(body, dict) or not isinstance(body.get("data_uri"), str):
        return None
    try:
        raw = decode_data_uri(body["data_uri"])
        text = raw.decode("utf-8")
        records = read_records(text.removeprefix("\ufeff"))
    except (ValueError, UnicodeDecodeError):
        return None
    return CsvExport(raw=raw, text=text, records=records)
