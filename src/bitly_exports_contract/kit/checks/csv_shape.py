"""Checks of the CSV inside a 200 response: encoding, records, quoting, header, row count."""

from __future__ import annotations

from bitly_exports_contract.kit.checks._base import Broken, contract_check, export_of
from bitly_exports_contract.kit.csvview import CsvReadError, decode_data_uri, needs_quotes, read_records
from bitly_exports_contract.kit.exchange import Received, SentRequest


def _raw_csv(sent: SentRequest, received: Received) -> bytes | None:
    export = export_of(sent, received)
    if export is None or not isinstance(export.body.get("data_uri"), str):
        return None
    try:
        return decode_data_uri(export.body["data_uri"])
    except ValueError:
        return None


@contract_check("§4: The CSV is RFC 4180: UTF-8 without BOM")
def csv_encoding_conformance(sent: SentRequest, received: Received) -> None:
    raw = _raw_csv(sent, received)
    if raw is None:
        return
    if raw.startswith(b"\xef\xbb\xbf"):
        raise Broken("the CSV starts with a UTF-8 byte order mark")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Broken(f"the CSV is not UTF-8: {exc}") from None


@contract_check("§7 CSV: Every record, the header too and also when alone, ends with CRLF")
def csv_line_end_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.csv is None:
        return
    for number, record in enumerate(export.csv.records):
        if record.terminator != "\r\n":
            raise Broken(
                f"record {number} ends with {record.terminator!r}: {','.join(record.values)[:120]!r}"
            )


@contract_check(
    '§7 CSV: a field is quoted exactly when it contains `,`, `"`, CR or LF, inner `"` doubled '
    '(Python\'s `csv.QUOTE_MINIMAL` with `lineterminator="\\r\\n"`)'
)
def csv_quoting_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    raw = _raw_csv(sent, received)
    if export is None or raw is None:
        return
    if export.csv is not None:
        records = export.csv.records
    else:
        try:
            records = read_records(raw.decode("utf-8", errors="replace").removeprefix("\ufeff"))
        except CsvReadError as exc:
            raise Broken(f"the CSV cannot be read: {exc}") from None
    for number, record in enumerate(records):
        for field in record.fields:
            if field.quoted != needs_quotes(field.value):
                how = "quoted" if field.quoted else "not quoted"
                raise Broken(f"record {number}: field {field.raw!r} is {how}")
            if not field.quoted and '"' in field.value:
                raise Broken(f"record {number}: bare quote in field {field.raw!r}")


@contract_check("§4: a header row always (also with zero rows); `columns` | the CSV header, in order")
def header_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.csv is None:
        return
    if not export.csv.records:
        raise Broken("the CSV is empty: no header row")
    if export.csv.header != export.body.get("columns"):
        raise Broken(f"CSV header {export.csv.header!r} differs from columns {export.body.get('columns')!r}")


@contract_check("§4: The CSV is RFC 4180 (every record has the header's fields)")
def row_width_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.csv is None or not export.csv.records:
        return
    width = len(export.csv.header)
    for number, row in enumerate(export.csv.rows, start=1):
        if len(row) != width:
            raise Broken(f"record {number} has {len(row)} fields, the header {width}: {row!r}")


@contract_check("§4: `row_count` | data rows in the CSV, header excluded")
def row_count_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.csv is None or not export.csv.records:
        return
    rows = len(export.csv.rows)
    if export.body.get("row_count") != rows:
        raise Broken(f"row_count is {export.body.get('row_count')!r}, the CSV has {rows} data rows")
