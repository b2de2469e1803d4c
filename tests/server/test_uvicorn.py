"""The server on a real socket: the CLI's ready line, chunked bodies, raw bytes no client library sends."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from bitly_exports_contract.launcher import start_server


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str]]:
    running = start_server(["--seed", "3", "--links", "300"])
    yield running.base_url, running.groups[0]
    running.stop()


def test_the_ready_line_names_the_loopback_base_url_and_the_groups(server):
    base_url, group = server
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v4")
    assert group.startswith("B")


def raw_request(base_url: str, payload: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def test_chunked_body_is_accepted(server):
    base_url, group = server
    body = json.dumps({"export_type": "links_list", "filter": {"archived": "both"}}).encode()
    half = len(body) // 2
    chunked = (
        b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in (body[:half], body[half:])) + b"0\r\n\r\n"
    )
    head = (
        f"POST /v4/groups/{group}/exports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok-premium\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    response = raw_request(base_url, head + chunked)
    assert response.startswith(b"HTTP/1.1 200")


def test_oversized_chunked_body_is_413(server):
    base_url, group = server
    piece = b"x" * 65536
    chunks = b"".join(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" for _ in range(17)) + b"0\r\n\r\n"
    head = (
        f"POST /v4/groups/{group}/exports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok-premium\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    response = raw_request(base_url, head + chunks)
    assert response.startswith(b"HTTP/1.1 413")
    assert b'"PAYLOAD_TOO_LARGE"' in response


def test_declared_length_over_the_limit_is_413_without_reading(server):
    base_url, group = server
    head = (
        f"POST /v4/groups/{group}/exports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok-premium\r\n"
        f"Content-Type: application/json\r\nContent-Length: {2 << 20}\r\nConnection: close\r\n\r\n"
    ).encode()
    response = raw_request(base_url, head + b"{}")
    assert response.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"export_type": "links_list", "filter": {"query": "a\\u0000b"}}', id="nul-in-query"),
        pytest.param(
            b'{"export_type": "links_list", "filter": {"query": "\\" OR NEAR(a b) *"}}', id="fts-syntax"
        ),
        pytest.param(
            b'{"export_type": "links_list", "filter": {"tags": ' + json.dumps(["t"] * 5000).encode() + b"}}",
            id="thousands-of-tags",
        ),
        pytest.param(
            b'{"export_type": "links_list", "filter": {"created_after": ' + b"9" * 5000 + b"}}",
            id="huge-integer",
        ),
    ],
)
def test_hostile_bodies_never_get_a_5xx(server, body):
    base_url, group = server
    response = httpx.post(
        f"{base_url}/groups/{group}/exports",
        content=body,
        headers={"Authorization": "Bearer tok-premium", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code in (200, 400)
    body = response.json()
    assert (
        body["export_type"] == "links_list" if response.status_code == 200 else body["resource"] == "groups"
    )
