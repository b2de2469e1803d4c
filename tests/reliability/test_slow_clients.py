"""Slow, stalled and deaf clients on a real uvicorn: while one misbehaves, others are still served.

The bound on each normal request is a liveness check (is anyone stuck behind the bad client?),
generous enough for a busy two-core machine, not a benchmark.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

import httpx
import pytest
from raw_http import connect, export_request, post_export, read_response

from bitly_exports_contract.launcher import RunningServer

LIVENESS_S = 2.0
ROWS_1000 = {"export_type": "links_list", "filter": {"archived": "both"}}  # 1200 links: cut at 1000 rows
SMALL = {"export_type": "links_list", "filter": {"query": "sale"}}

Misbehaviour = Callable[[RunningServer], AbstractContextManager[None]]


@contextmanager
def headers_byte_by_byte(server: RunningServer) -> Iterator[None]:
    """Sends its request one byte every 10 ms and holds before the blank line until the others are done."""
    request = export_request(server.groups[0], SMALL)
    head_end = request.index(b"\r\n\r\n")
    sock = connect(server.host_port)
    others_done = threading.Event()

    def dribble() -> None:
        for i in range(head_end):
            if others_done.is_set():
                sock.sendall(request[i:head_end])
                break
            sock.sendall(request[i : i + 1])
            time.sleep(0.01)
        others_done.wait()
        sock.sendall(request[head_end:])

    thread = threading.Thread(target=dribble)
    thread.start()
    time.sleep(0.2)
    try:
        yield
    finally:
        others_done.set()
        thread.join(timeout=30)
    status, _ = read_response(sock)  # the slow client is served too, once it has said everything
    sock.close()
    assert status == 200


@contextmanager
def stalls_mid_body(server: RunningServer) -> Iterator[None]:
    """Declares a body, sends a fifth of it, and holds the connection."""
    request = export_request(server.groups[0], SMALL)
    head_end = request.index(b"\r\n\r\n") + 4
    with connect(server.host_port) as sock:
        sock.sendall(request[: head_end + (len(request) - head_end) // 5])
        time.sleep(0.2)
        yield


@contextmanager
def never_reads_its_response(server: RunningServer) -> Iterator[None]:
    """Pipelines twenty 1000-row exports through a 4 KiB receive window and reads nothing."""
    with connect(server.host_port, rcvbuf=4096) as sock:
        sock.sendall(export_request(server.groups[0], ROWS_1000) * 20)
        time.sleep(0.5)
        yield
        pending = sock.recv(65536, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        assert pending, "the server should have started answering the deaf client"


@contextmanager
def idle_keep_alive_connections(server: RunningServer) -> Iterator[None]:
    """200 open connections: half after one keep-alive request, half that never sent a byte."""
    with ExitStack() as stack:
        for i in range(200):
            sock = stack.enter_context(connect(server.host_port))
            if i % 2 == 0:
                sock.sendall(export_request(server.groups[1], SMALL))
                assert read_response(sock)[0] == 200
        yield


def reference_answers(server: RunningServer) -> dict[str, bytes]:
    with httpx.Client(timeout=30) as client:
        return {
            name: post_export(client, server.base_url, server.groups[0], body).content
            for name, body in (("small", SMALL), ("rows-1000", ROWS_1000))
        }


@pytest.mark.parametrize(
    "misbehaviour",
    [
        pytest.param(headers_byte_by_byte, id="headers-byte-by-byte"),
        pytest.param(stalls_mid_body, id="stops-mid-body"),
        pytest.param(never_reads_its_response, id="never-reads-a-1000-row-response"),
        pytest.param(idle_keep_alive_connections, id="200-idle-keep-alive-connections"),
    ],
)
def test_other_clients_are_served_while_one_misbehaves(
    live_server: RunningServer, misbehaviour: Misbehaviour
) -> None:
    expected = reference_answers(live_server)
    with misbehaviour(live_server), httpx.Client(timeout=30) as client:
        for name in ("small", "rows-1000", "small", "rows-1000", "small"):
            started = time.monotonic()
            body = SMALL if name == "small" else ROWS_1000
            response = post_export(client, live_server.base_url, live_server.groups[0], body)
            took = time.monotonic() - started
            assert response.status_code == 200 and response.content == expected[name]
            assert took < LIVENESS_S, f"{name} took {took:.2f} s while another client misbehaved"
    assert live_server.process.poll() is None
