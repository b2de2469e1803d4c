"""Requests through the ASGI app in-process, for tests that need many of them or a patched app."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json

from bitly_exports_contract.server.app import ExportsApp
from bitly_exports_contract.store.seed import seeded_token
from tools.reliability.asgi_call import RawRequest, RawResponse, call_app

JSON_TYPE = (b"content-type", b"application/json")


def export_request(
    group: str | bytes,
    body: object,
    *,
    token: str | None = seeded_token("premium"),
    authorization: bytes | None = None,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> RawRequest:
    segment = group if isinstance(group, bytes) else group.encode()
    sent = [JSON_TYPE, *headers]
    if authorization is not None:
        sent.append((b"authorization", authorization))
    elif token is not None:
        sent.append((b"authorization", f"Bearer {token}".encode()))
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RawRequest(
        raw_path=b"/v4/groups/" + segment + b"/exports", headers=tuple(sent), body_chunks=(payload,)
    )


def send(app: ExportsApp, raw: RawRequest) -> RawResponse:
    return asyncio.run(call_app(app, raw))


def csv_rows(response: RawResponse) -> list[list[str]]:
    """The data rows of a 200 export, header excluded."""
    assert response.status == 200, response.body[:300]
    data_uri = json.loads(response.body)["data_uri"]
    text = base64.b64decode(data_uri.split(",", 1)[1]).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))[1:]
