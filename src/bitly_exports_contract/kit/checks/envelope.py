"""Checks of a 200 response's JSON fields."""

from __future__ import annotations

import re

from bitly_exports_contract.kit.checks._base import Broken, contract_check, export_of
from bitly_exports_contract.kit.csvview import decode_data_uri
from bitly_exports_contract.kit.exchange import Received, SentRequest
from bitly_exports_contract.kit.request_view import is_whole_number

_ALWAYS = {
    "export_type": str,
    "filename": str,
    "media_type": str,
    "data_uri": str,
    "size_bytes": int,
    "columns": list,
    "column_count": int,
    "row_count": int,
    "truncated": bool,
}


# §7: a response may carry fields beyond those listed (servers add fields over time): not checked.
@contract_check("§4: `application/json`, every field always present except the window pair")
def response_fields_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None:
        return
    body = export.body
    missing = [name for name in _ALWAYS if name not in body]
    if missing:
        raise Broken(f"the response lacks {', '.join(missing)}")
    for name, kind in _ALWAYS.items():
        value = body[name]
        if (not is_whole_number(value) if kind is int else not isinstance(value, kind)) or (
            isinstance(value, bool) and kind is not bool
        ):
            raise Broken(f"`{name}` is {value!r}, not a JSON {kind.__name__}")
    if not all(isinstance(c, str) for c in body["columns"]):
        raise Broken(f"`columns` holds non-strings: {body['columns']!r}")


@contract_check(
    "§4: Response 200 `application/json`; §5: Every error body is Bitly's `Error` object (JSON; §5 does not "
    "name its media type, so `application/json` and any `application/*+json` are accepted)",
    source="documented",
)
def response_content_type_conformance(sent: SentRequest, received: Received) -> None:
    if sent.method == "HEAD":
        return
    content_type = (received.header("content-type") or "").split(";")[0].strip().lower()
    json_type = content_type == "application/json" or (
        received.status >= 400 and content_type.startswith("application/") and content_type.endswith("+json")
    )
    if not json_type:
        raise Broken(f"Content-Type is {received.header('content-type')!r}")
    if received.json is None:
        raise Broken(f"the body is not JSON: {received.excerpt(200)!r}")


@contract_check("§4: `export_type` | echoes the request")
def export_type_echo_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.ask is None:
        return
    if export.body.get("export_type") != export.ask.export_type:
        raise Broken(
            f"asked for {export.ask.export_type!r}, got export_type {export.body.get('export_type')!r}"
        )


@contract_check("§4: `filename` | `{group_guid}_{export_type}_{now as YYYYMMDDTHHMMSSZ}.csv`")
def filename_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.ask is None or sent.group_guid is None:
        return
    filename = export.body.get("filename")
    pattern = rf"{re.escape(sent.group_guid)}_{re.escape(export.ask.export_type)}_\d{{8}}T\d{{6}}Z\.csv"
    if not isinstance(filename, str) or not re.fullmatch(pattern, filename) or export.now is None:
        raise Broken(f"filename is {filename!r} for group {sent.group_guid!r}")


@contract_check("§4: `media_type` | `text/csv`")
def media_type_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is not None and export.body.get("media_type") != "text/csv":
        raise Broken(f"media_type is {export.body.get('media_type')!r}")


@contract_check(
    "§4: `data_uri` | `data:text/csv;base64,` followed by standard base64 of the CSV bytes",
    source="documented",
)
def data_uri_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or not isinstance(export.body.get("data_uri"), str):
        return
    try:
        decode_data_uri(export.body["data_uri"])
    except ValueError as exc:
        raise Broken(f"data_uri {exc}") from None


@contract_check("§4: `size_bytes` | length of the decoded CSV bytes", source="documented")
def size_bytes_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.csv is None:
        return
    if export.body.get("size_bytes") != len(export.csv.raw):
        raise Broken(
            f"size_bytes is {export.body.get('size_bytes')!r}, the CSV has {len(export.csv.raw)} bytes"
        )


@contract_check(
    "§4: `link_engagements_batch`: `bitlink,title,long_url,clicks,scans,button_clicks,total_engagements`; "
    "`links_list`: `bitlink,title,long_url,created_at,archived,tags`, then `clicks,scans,button_clicks` with "
    "`include_metrics`; `qr_codes_list`: `qrcode_id,title,qr_code_type,destination,created,archived,tags`, "
    "then `clicks,scans,button_clicks` with `include_metrics`"
)
def columns_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.ask is None:
        return
    expected = list(export.ask.columns)
    if export.body.get("columns") != expected:
        raise Broken(f"columns are {export.body.get('columns')!r}, expected {expected!r}")


@contract_check("§4: `column_count` | `len(columns)`")
def column_count_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or not isinstance(export.body.get("columns"), list):
        return
    if export.body.get("column_count") != len(export.body["columns"]):
        raise Broken(
            f"column_count is {export.body.get('column_count')!r} for {len(export.body['columns'])} columns"
        )
