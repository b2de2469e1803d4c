"""The generated client against a tiny local HTTP test double: the bytes it sends, the bodies it parses."""

import base64
import csv
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema
import pytest
from bitly_exports_client import models
from bitly_exports_client.api.groups import post_create_group_export
from bitly_exports_client.client import AuthenticatedClient
from bitly_exports_client.types import Unset

from bitly_exports_contract.decode import decode_export

GROUP = "Ba1bc23dE4F"
TOKEN = "tok-premium"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class HttpDouble:
    """Records each request and answers it with the next canned (status, JSON body)."""

    base_url: str
    received: list[Received] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def double() -> Iterator[HttpDouble]:
    state = HttpDouble(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(
                Received(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw),
                )
            )
            status, reply = state.replies.pop(0)
            payload = json.dumps(reply).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # keep pytest's output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v4"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def contract_export(
    export_type: str, records: list[list[str]], window: tuple[int, int] | None
) -> dict[str, Any]:
    """A 200 body as the contract writes it: RFC 4180 CSV with CRLF, base64 in a data URI."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(records)
    raw = out.getvalue().encode("utf-8")
    body: dict[str, Any] = {
        "export_type": export_type,
        "filename": f"{GROUP}_{export_type}_20251126T000000Z.csv",
        "media_type": "text/csv",
        "data_uri": "data:text/csv;base64," + base64.b64encode(raw).decode("ascii"),
        "size_bytes": len(raw),
        "columns": records[0],
        "column_count": len(records[0]),
        "row_count": len(records) - 1,
        "truncated": False,
    }
    if window is not None:
        body["unix_from"], body["unix_to"] = window
    return body


BATCH_COLUMNS = ["bitlink", "title", "long_url", "clicks", "scans", "button_clicks", "total_engagements"]
BATCH_ROW = ["bit.ly/3xYz9Ab", "Spring sale", "https://example.com/sale", "12", "0", "1", "13"]
LINKS_COLUMNS = ["bitlink", "title", "long_url", "created_at", "archived", "tags"]
METRICS = ["clicks", "scans", "button_clicks"]
QR_COLUMNS = ["qrcode_id", "title", "qr_code_type", "destination", "created", "archived", "tags"]
# A title with the formula guard's quote, a comma and inner quotes: the CSV must quote it.
LINK_ROW = [
    "bit.ly/3xYz9Ab",
    '\'=cmd, "quoted"',
    "https://example.com/sale",
    "2025-10-20T22:40:00+0000",
    "false",
]
QR_ROW = ["Qabcde12345", "Poster", "bitlink", "bit.ly/3xYz9Ab", "2025-10-20T22:48:20+0000", "false", "print"]
WINDOW = (1732579200, 1764115200)

ROUND_TRIPS = [
    pytest.param(
        models.LinkEngagementsBatchByBitlinksRequest(
            export_type="link_engagements_batch",
            bitlinks=["bit.ly/3xYz9Ab", "bit.ly/4Qwe7Rt"],
            unix_from=1761000000,
            unix_to=1764115200,
        ),
        {
            "export_type": "link_engagements_batch",
            "bitlinks": ["bit.ly/3xYz9Ab", "bit.ly/4Qwe7Rt"],
            "unix_from": 1761000000,
            "unix_to": 1764115200,
        },
        [BATCH_COLUMNS, BATCH_ROW],
        (1761000000, 1764115200),
        id="link_engagements_batch-by-bitlinks",
    ),
    pytest.param(
        models.LinkEngagementsBatchByFilterRequest(
            export_type="link_engagements_batch",
            filter_=models.ExportFilter(tags=["promo"], archived="both"),
        ),
        {"export_type": "link_engagements_batch", "filter": {"tags": ["promo"], "archived": "both"}},
        [BATCH_COLUMNS, BATCH_ROW],
        WINDOW,
        id="link_engagements_batch-by-filter",
    ),
    pytest.param(
        models.LinksListRequest(
            export_type="links_list",
            filter_=models.ExportFilter(
                query="sale", domain="bit.ly", created_after=1735689600, created_before=1767225600
            ),
            include_metrics=True,
        ),
        {
            "export_type": "links_list",
            "filter": {
                "archived": "off",
                "query": "sale",
                "domain": "bit.ly",
                "created_after": 1735689600,
                "created_before": 1767225600,
            },
            "include_metrics": True,
        },
        [LINKS_COLUMNS + METRICS, [*LINK_ROW, "promo;spring", "12", "0", "1"]],
        WINDOW,
        id="links_list-with-metrics",
    ),
    pytest.param(
        models.QrCodesListRequest(
            export_type="qr_codes_list",
            filter_=models.ExportFilter(campaign_guid="Ca1bcd2EFGh"),
        ),
        {"export_type": "qr_codes_list", "filter": {"archived": "off", "campaign_guid": "Ca1bcd2EFGh"}},
        [QR_COLUMNS, QR_ROW],
        None,
        id="qr_codes_list",
    ),
]

AnyRequest = (
    models.LinkEngagementsBatchByBitlinksRequest
    | models.LinkEngagementsBatchByFilterRequest
    | models.LinksListRequest
    | models.QrCodesListRequest
)


def send(double: HttpDouble, request: AnyRequest) -> Any:
    client = AuthenticatedClient(base_url=double.base_url, token=TOKEN, raise_on_unexpected_status=True)
    with client:
        return post_create_group_export.sync_detailed(GROUP, client=client, body=request)


ROUND_TRIP_ARGS = ("request_model", "wire_body", "records", "window")


@pytest.mark.parametrize(ROUND_TRIP_ARGS, ROUND_TRIPS)
def test_a_request_built_from_the_models_reaches_the_wire_as_the_contract_says(
    double: HttpDouble,
    export_request_validator: jsonschema.Draft202012Validator,
    request_model: AnyRequest,
    wire_body: dict[str, Any],
    records: list[list[str]],
    window: tuple[int, int] | None,
) -> None:
    double.replies.append((200, contract_export(wire_body["export_type"], records, window)))

    send(double, request_model)

    [received] = double.received
    assert received.method == "POST"
    assert received.path == f"/v4/groups/{GROUP}/exports"
    assert received.headers["authorization"] == f"Bearer {TOKEN}"
    assert received.headers["content-type"] == "application/json"
    assert received.body == wire_body
    assert [e.message for e in export_request_validator.iter_errors(received.body)] == []


@pytest.mark.parametrize(ROUND_TRIP_ARGS, ROUND_TRIPS)
def test_a_200_parses_into_an_export_response_whose_csv_decodes(
    double: HttpDouble,
    request_model: AnyRequest,
    wire_body: dict[str, Any],
    records: list[list[str]],
    window: tuple[int, int] | None,
) -> None:
    reply = contract_export(wire_body["export_type"], records, window)
    double.replies.append((200, reply))

    response = send(double, request_model)

    assert response.status_code == 200
    export = response.parsed
    assert isinstance(export, models.ExportResponse)
    assert export.export_type == wire_body["export_type"]
    assert export.to_dict() == reply
    decoded = decode_export(export)
    assert decoded.columns == tuple(records[0])
    assert decoded.rows == tuple(tuple(row) for row in records[1:])
    assert decoded.records() == [dict(zip(records[0], row, strict=True)) for row in records[1:]]


def test_the_window_pair_is_unset_on_an_export_without_metrics(double: HttpDouble) -> None:
    qr_request, _, qr_records, no_window = ROUND_TRIPS[-1].values
    double.replies.append((200, contract_export("qr_codes_list", qr_records, no_window)))

    export = send(double, qr_request).parsed

    assert isinstance(export, models.ExportResponse)
    assert isinstance(export.unix_from, Unset)
    assert isinstance(export.unix_to, Unset)
    assert "unix_from" not in export.to_dict()


def test_a_400_parses_into_bad_request_naming_the_offending_field(double: HttpDouble) -> None:
    bad = {
        "message": "INVALID_ARG_FILTER_ARCHIVED",
        "resource": "groups",
        "description": "The value provided is invalid.",
        "errors": [
            {"field": "filter.archived", "error_code": "invalid_enum", "message": "must be on, off, both"}
        ],
    }
    double.replies.append((400, bad))
    request = models.LinksListRequest(export_type="links_list", filter_=models.ExportFilter())

    response = send(double, request)

    assert response.status_code == 400
    assert isinstance(response.parsed, models.BadRequest)
    assert response.parsed.message == "INVALID_ARG_FILTER_ARCHIVED"
    assert [e.field for e in response.parsed.errors] == ["filter.archived"]
    # The generated ExportFilter always sends `archived`, set to the spec's default `off`.
    assert double.received[0].body == {"export_type": "links_list", "filter": {"archived": "off"}}
