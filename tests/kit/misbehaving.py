"""Tiny servers on 127.0.0.1:0, each breaking HTTP in one way, for the kit's failure paths."""

from __future__ import annotations

import http.client
import itertools
import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType
from urllib.parse import urlsplit

# What a server does once it has read a request: (connection, the request's bytes, the stop event).
Behaviour = Callable[[socket.socket, bytes, threading.Event], None]


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def answer(
    conn: socket.socket,
    status: str,
    content_type: str,
    body: bytes,
    *,
    length: int | None = None,
    extra: str = "",
) -> None:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
    )
    conn.sendall(head.encode("ascii") + body)


def hangs(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """Accepts, reads the request, never answers."""
    stop.wait()


def resets(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """Drops the connection with a TCP reset."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def truncated_json(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """A 200 whose JSON body stops half-way (the length matches what is sent)."""
    answer(conn, "200 OK", "application/json", b'{"export_type":"links_list","filename":"Bx_links_li')


def short_body(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """A 200 that announces 5000 bytes, sends 60 and closes."""
    answer(
        conn,
        "200 OK",
        "application/json",
        b'{"export_type":"links_list","media_type":"text/csv",',
        length=5000,
    )


def not_json(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """A 200 with an HTML page."""
    answer(conn, "200 OK", "text/html", b"<html><body>Welcome to nginx!</body></html>")


def bad_gzip(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """A 200 that says its body is gzip, and it is not."""
    answer(conn, "200 OK", "application/json", b"{not gzip at all}", extra="Content-Encoding: gzip\r\n")


def slow(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """Answers, correctly shaped, after 20 s."""
    if not stop.wait(20):
        answer(conn, "200 OK", "application/json", b"{}")


def trickles(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """Sends its headers at once, then its body a byte every 0.1 s, never finishing."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.1):
        try:
            conn.sendall(b" ")
        except OSError:
            return


def floods(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """A 200 that announces 1 TB and sends zeros as fast as it can."""
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n"
    )
    block = b"0" * 65536
    while not stop.is_set():
        try:
            conn.sendall(block)
        except OSError:
            return


def echoes_credentials(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    """A 400 whose body repeats the request's headers, the Authorization one included."""
    headers = request.partition(b"\r\n\r\n")[0]
    answer(conn, "400 Bad Request", "text/plain", b"you sent:\n" + headers)


def rate_limited(retry_after: str) -> Behaviour:
    """Always a 429 with this `Retry-After`."""

    def behaviour(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        body = b'{"message":"RATE_LIMIT_EXCEEDED","resource":"groups","description":"slow down","errors":[]}'
        answer(
            conn, "429 Too Many Requests", "application/json", body, extra=f"Retry-After: {retry_after}\r\n"
        )

    return behaviour


def forwards_then(upstream: str, count: int, then: Behaviour) -> Behaviour:
    """Passes the first `count` requests on to `upstream` (a base URL), then behaves as `then`."""
    target = urlsplit(upstream)
    seen = itertools.count(1)
    lock = threading.Lock()

    def behaviour(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        with lock:
            number = next(seen)
        if number > count:
            then(conn, request, stop)
            return
        head, _, body = request.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        headers.pop("Host", None)
        upstream_conn = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        upstream_conn.request(method, path, body=body, headers=headers)
        response = upstream_conn.getresponse()
        content = response.read()
        upstream_conn.close()
        content_type = response.getheader("Content-Type") or "application/json"
        extra = "".join(
            f"{name}: {response.getheader(name)}\r\n"
            for name in ("Retry-After", "Allow")
            if response.getheader(name)
        )
        answer(conn, f"{response.status} {response.reason}", content_type, content, extra=extra)

    return behaviour


class MisbehavingServer:
    """Serves one behaviour on 127.0.0.1, a thread a connection, until the `with` block ends."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v4"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = _read_request(conn)
                self.behaviour(conn, request, self._stop)
            except OSError:
                pass

    def __enter__(self) -> MisbehavingServer:
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)
