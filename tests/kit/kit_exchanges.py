"""Hand-built exchanges for the kit's unit tests: a correct export, then one defect at a time."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from bitly_exports_contract.kit.csvview import needs_quotes
from bitly_exports_contract.kit.exchange import Received, SentRequest

NOW = 1764115200  # 2025-11-26T00:00:00Z
GROUP = "Ba1bc23dE4F"
LINKS_HEADER = ["bitlink", "title", "long_url", "created_at", "archived", "tags"]
BATCH_HEADER = ["bitlink", "title", "long_url", "clicks", "scans", "button_clicks", "total_engagements"]


def csv_bytes(rows: Sequence[Sequence[str]], *, line_end: str = "\r\n") -> bytes:
    """Records written the contract's way."""

    def field(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if needs_quotes(value) else value

    return "".join(",".join(field(v) for v in row) + line_end for row in rows).encode("utf-8")


def sent(body: Any, *, tier: str | None = "premium", group: str = GROUP) -> SentRequest:
    return SentRequest.build(
        method="POST",
        url=f"http://127.0.0.1:9/v4/groups/{group}/exports",
        headers=[("Authorization", "Bearer tok-secret"), ("Content-Type", "application/json")],
        body=json.dumps(body).encode(),
        tier=tier,
    )


def export_body(
    request: dict[str, Any], header: list[str], rows: list[list[str]], **extra: Any
) -> dict[str, Any]:
    raw = csv_bytes([header, *rows])
    body = {
        "export_type": request["export_type"],
        "filename": f"{GROUP}_{request['export_type']}_20251126T000000Z.csv",
        "media_type": "text/csv",
        "data_uri": "data:text/csv;base64," + base64.b64encode(raw).decode(),
        "size_bytes": len(raw),
        "columns": header,
        "column_count": len(header),
        "row_count": len(rows),
        "truncated": False,
    }
    body.update(extra)
    return body


def received(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Received:
    return Received.build(
        status=status,
        headers={"content-type": "application/json", **(headers or {})},
        content=json.dumps(body).encode(),
    )


def with_csv(body: dict[str, Any], raw: bytes) -> dict[str, Any]:
    """The body carrying other CSV bytes, its size kept right."""
    return {
        **body,
        "data_uri": "data:text/csv;base64," + base64.b64encode(raw).decode(),
        "size_bytes": len(raw),
    }


Tweak = Callable[[dict[str, Any]], dict[str, Any]]
