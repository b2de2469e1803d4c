"""`serve --workers 2`: connections opened together are spread over both workers, each answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bitly_exports_contract.launcher import start_server
from bitly_exports_contract.server import reuseport
from bitly_exports_contract.store.seed import seeded_token
from tests.reliability.raw_http import export_request

pytestmark = pytest.mark.skipif(
    not (reuseport.supported() and Path("/proc/net/tcp").exists()),
    reason="needs SO_REUSEPORT and /proc (Linux)",
)


@pytest.fixture(scope="module")
def two_workers() -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    running = start_server(["--seed", "2", "--links", "60", "--workers", "2", "--no-faults"])
    yield running.process, running.groups[0], running.host_port[1]
    running.stop()


def worker_pids(parent: int) -> list[int]:
    """The server's worker processes (multiprocessing spawn children, not its resource tracker)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in cmdline:
            pids.append(int(entry.name))
    return pids


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def accepted_inodes(port: int) -> set[str]:
    """Inodes of the established TCP sockets whose local port is the server's."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                found.add(fields[9])
    return found


def request(group: str, token: str = seeded_token("premium")) -> bytes:
    return export_request(group, {"export_type": "links_list", "filter": {}}, token=token)


def test_connections_opened_together_are_spread_over_both_workers(two_workers):
    proc, group, port = two_workers
    deadline = time.monotonic() + 30
    while len(workers := worker_pids(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers) == 2
    conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(16)]
    try:
        for conn in conns:
            conn.sendall(request(group))
        for conn in conns:
            assert conn.recv(12) == b"HTTP/1.1 200"  # every connection is served
        accepted = accepted_inodes(port)
        per_worker = [len(socket_inodes(pid) & accepted) for pid in workers]
    finally:
        for conn in conns:
            conn.close()
    # The kernel hashes each connection to one worker's socket: all 16 on one worker has odds 2 / 2**16.
    assert sum(per_worker) == 16
    assert min(per_worker) >= 1, per_worker


def test_a_port_another_server_listens_on_is_refused_not_shared(two_workers):
    _, _, port = two_workers
    cli = [sys.executable, "-m", "bitly_exports_contract.server.cli"]
    command = [*cli, "serve", "--seed", "2", "--links", "10", "--port", str(port), "--workers", "2"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Address already in use" in run.stderr


def limited_request(group: str) -> bytes:
    return request(group, seeded_token("limited"))


def retry_after(response: bytes) -> int:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    return int(next(line.split(":", 1)[1] for line in head.split("\r\n") if line.startswith("retry-after:")))


def read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, f"closed before the headers ended: {data!r}"
        data += chunk
    return data


@pytest.mark.parametrize("workers", [2, 4])
def test_a_limited_token_gets_exactly_its_limit_from_all_workers_together(workers):
    # tok-limited of a seeded data set may make 5 requests a minute (CONTRACT §7, order of decisions 4)
    running = start_server(["--seed", "2", "--links", "60", "--workers", str(workers), "--no-faults"])
    try:
        group, port = running.groups[0], running.host_port[1]
        deadline = time.monotonic() + 60
        while len(pids := worker_pids(running.process.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(pids) == workers
        conns = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(24)]
        try:
            began = time.monotonic()
            for conn in conns:
                conn.sendall(limited_request(group))
            answers = [read_head(conn) for conn in conns]
            elapsed = time.monotonic() - began
            accepted = accepted_inodes(port)
            per_worker = [len(socket_inodes(pid) & accepted) for pid in pids]
        finally:
            for conn in conns:
                conn.close()
        assert sum(1 for n in per_worker if n) >= 2, per_worker  # more than one worker decided
        statuses = [answer[9:12] for answer in answers]
        assert statuses.count(b"200") == 5, statuses
        assert statuses.count(b"429") == 19, statuses
        waits = [retry_after(answer) for answer in answers if answer[9:12] == b"429"]
        # the oldest counted request was made after `began`: it leaves the window 60 s after it, and no
        # refusal was answered later than `elapsed` after `began`
        assert all(60 - int(elapsed) - 1 <= wait <= 60 for wait in waits), (waits, elapsed)
    finally:
        running.stop()


def test_the_default_is_the_environments_count_else_one_worker_per_core(monkeypatch):
    from bitly_exports_contract.server.cli import ENV_WORKERS, default_workers

    monkeypatch.delenv(ENV_WORKERS, raising=False)
    assert default_workers() == len(os.sched_getaffinity(0))
    monkeypatch.setenv(ENV_WORKERS, "3")
    assert default_workers() == 3


@pytest.mark.parametrize("value", ["0", "two"])
def test_a_bad_worker_count_in_the_environment_is_a_usage_error(value):
    cli = [sys.executable, "-m", "bitly_exports_contract.server.cli", "serve", "--seed", "2", "--port", "0"]
    env = {**os.environ, "EXPORTS_SERVER_WORKERS": value}
    run = subprocess.run(cli, capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 2
    assert "EXPORTS_SERVER_WORKERS" in run.stderr
