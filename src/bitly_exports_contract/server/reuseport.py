"""Worker processes that each listen on their own socket of one SO_REUSEPORT group.

uvicorn's Multiprocess hands every worker the same listening socket, and asyncio accepts every
pending connection (up to the backlog) each time a worker wakes: a client that opens its
keep-alive connections together (a load tester, a connection pool) gets them all on one worker
while the other idles, so a second worker adds nothing. With a socket per worker in one
SO_REUSEPORT group the kernel hashes each new connection to a socket, and so to a worker. A worker
that dies is started again on its socket, which the parent keeps open: connections hashed to it
meanwhile wait in its backlog.
"""

from __future__ import annotations

import signal
import socket
import threading
from multiprocessing.process import BaseProcess
from types import FrameType

STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start serving


def supported() -> bool:
    """Whether this platform has SO_REUSEPORT (Linux and the BSDs do)."""
    return hasattr(socket, "SO_REUSEPORT")


def listen_group(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on one address; port 0 picks a free port for all of them.

    The port is first claimed by a plain bind, so that a port another server already listens on is
    "Address already in use", as with one socket, rather than a group shared with that server.
    """
    port = _claim(host, port)
    return [_socket(host, port, reuse_port=True) for _ in range(count)]


def _claim(host: str, port: int) -> int:
    with _socket(host, port, reuse_port=False, listen=False) as probe:
        claimed: int = probe.getsockname()[1]
    return claimed


def _socket(host: str, port: int, *, reuse_port: bool, listen: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, as in cli.listen: asyncio sets TCP_NODELAY only on sockets that say TCP.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if listen:
            sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def run(config: object, sockets: list[socket.socket]) -> None:
    """Serve `config` (a uvicorn.Config whose app is an import string) with one worker per socket.

    Returns after SIGINT, SIGTERM or SIGHUP (workers are stopped gracefully), or when a worker fails
    to start. Unlike uvicorn's Multiprocess it does not ping workers: a worker is restarted when its
    process has ended, not when it hangs.
    """
    from uvicorn import Config, Server
    from uvicorn._subprocess import get_subprocess

    if not isinstance(config, Config):
        raise TypeError(f"a uvicorn.Config is needed, got {type(config).__name__}")
    stop = threading.Event()

    def start(sock: socket.socket) -> BaseProcess:
        process = get_subprocess(config=config, target=Server(config=config).run, sockets=[sock])
        process.start()
        return process

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        workers = [start(sock) for sock in sockets]
        while not stop.wait(0.5):
            for index, process in enumerate(workers):
                if process.is_alive():
                    continue
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    stop.set()  # the app or the socket is broken: every restart would fail alike
                    break
                workers[index] = start(sockets[index])
        for process in workers:
            process.terminate()
        for process in workers:
            process.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
