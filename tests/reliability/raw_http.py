"""HTTP/1.1 over a plain socket, for clients no HTTP library would be: slow, stalled or deaf."""

from __future__ import annotations

import json
import socket

import httpx

from bitly_exports_contract.store.seed import seeded_token


def export_request(
    group: str, body: object, *, token: str = seeded_token("premium"), keep_alive: bool = True
) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST /v4/groups/{group}/exports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode() + payload


def connect(address: tuple[str, int], *, rcvbuf: int | None = None, timeout: float = 10.0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connect, to shrink the window
    sock.settimeout(timeout)
    sock.connect(address)
    return sock


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """(status, body) of one response with a Content-Length."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before the headers ended: {buffer[:200]!r}")
        buffer += chunk
    head, _, body = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the body ended")
        body += chunk
    return status, body[:length]


def post_export(client: httpx.Client, base_url: str, group: str, body: object) -> httpx.Response:
    return client.post(
        f"{base_url}/groups/{group}/exports",
        json=body,
        headers={"Authorization": f"Bearer {seeded_token('premium')}"},
    )
