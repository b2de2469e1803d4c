"""Connections whose request headers do not arrive in time are closed (`serve --header-timeout`).

The server runs with a 1-second bound so that the test is short; the default is 10 s. The checks allow
several seconds of scheduling delay on a busy machine: they test that idle sockets are closed at all,
and not before the bound, not how precisely.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator

import pytest

from bitly_exports_contract.launcher import RunningServer, start_server
from tests.reliability.raw_http import export_request, read_response

BOUND_S = 1.0
CLOSED_WITHIN_S = 8.0  # the bound plus generous slack for a loaded machine
STALLED = 200


@pytest.fixture(scope="module", params=["httptools", "h11"])
def server(request) -> Iterator[RunningServer]:
    args = ["--seed", "2", "--links", "60", "--workers", "1", "--header-timeout", str(BOUND_S)]
    running = start_server([*args, "--http", request.param])
    yield running
    running.stop()


def connect(server: RunningServer) -> socket.socket:
    return socket.create_connection(server.host_port, timeout=30)


def export(group: str) -> tuple[bytes, bytes]:
    """A links_list export's head (request line and headers, through the blank line) and its body."""
    head, end, body = export_request(group, {"export_type": "links_list", "filter": {}}).partition(
        b"\r\n\r\n"
    )
    return head + end, body


def closed_by_server(sock: socket.socket, *, within: float) -> bool:
    """Whether the server closes `sock` (end of stream, or a reset) within `within` seconds."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if readable:
            try:
                if sock.recv(65536) == b"":
                    return True
            except ConnectionResetError:
                return True
    return False


def still_open(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def test_many_connections_that_stop_inside_the_request_line_are_all_closed(server):
    stalled = [connect(server) for _ in range(STALLED)]
    try:
        for sock in stalled:
            sock.sendall(b"POST /v4/groups/")
        opened = time.monotonic()
        time.sleep(BOUND_S / 4)
        early = sum(still_open(sock) for sock in stalled)
        if time.monotonic() - opened < BOUND_S / 2:  # only meaningful when the machine kept up
            assert early == STALLED, "closed before the bound"
        deadline = time.monotonic() + CLOSED_WITHIN_S
        closed = [closed_by_server(sock, within=deadline - time.monotonic()) for sock in stalled]
        assert all(closed), f"{closed.count(False)} of {STALLED} still open {CLOSED_WITHIN_S} s later"
    finally:
        for sock in stalled:
            sock.close()


def test_a_connection_that_stops_inside_its_headers_is_closed(server):
    head, _ = export(server.groups[0])
    with connect(server) as sock:
        sock.sendall(head[: head.index(b"Content-Type")])
        assert closed_by_server(sock, within=CLOSED_WITHIN_S)


def test_a_connection_that_never_sends_a_byte_is_closed(server):
    with connect(server) as sock:
        assert closed_by_server(sock, within=CLOSED_WITHIN_S)


def test_headers_dribbled_within_the_bound_are_served(server):
    head, body = export(server.groups[0])
    with connect(server) as sock:
        step = max(1, len(head) // 10)
        for i in range(0, len(head), step):
            sock.sendall(head[i : i + step])
            time.sleep(BOUND_S / 40)
        sock.sendall(body)
        assert read_response(sock)[0] == 200


def test_a_slow_body_after_complete_headers_is_not_cut(server):
    head, body = export(server.groups[0])
    with connect(server) as sock:
        sock.sendall(head + body[:5])
        time.sleep(BOUND_S * 1.5)  # the bound is on the headers only
        sock.sendall(body[5:])
        assert read_response(sock)[0] == 200


def test_the_bound_starts_again_after_each_answer_on_a_kept_alive_connection(server):
    head, body = export(server.groups[0])
    with connect(server) as sock:
        for _ in range(3):  # each request well inside its own bound, together longer than one bound
            sock.sendall(head + body)
            assert read_response(sock)[0] == 200
            time.sleep(BOUND_S * 0.6)
        # then a request that stops: its first bytes cancel uvicorn's keep-alive timer, the bound closes it
        sock.sendall(head[:20])
        assert closed_by_server(sock, within=CLOSED_WITHIN_S)
