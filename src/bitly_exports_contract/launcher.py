"""Start `exports-server serve` as a child process on a free loopback port and read its banner."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO


@dataclass
class RunningServer:
    """A served reference server: its process, base URL, and the groups and tokens its banner names."""

    process: subprocess.Popen[str]
    base_url: str
    groups: list[str]
    tokens: dict[str, str] = field(default_factory=dict)  # tier -> a token of that tier
    log: IO[str] | None = None

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.base_url.removeprefix("http://").split("/", 1)[0].rsplit(":", 1)
        return host, int(port)

    def stop(self) -> None:
        """Terminate the server (and its workers), killing it if it does not stop in 15 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self.log is not None:
            self.log.close()


def parse_banner(lines: Sequence[str]) -> tuple[str, list[str], dict[str, str]]:
    """(base_url, group guids, tier -> token) from the lines `exports-server serve` prints."""
    url = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("base_url:"))
    groups: list[str] = []
    tokens: dict[str, str] = {}
    section = ""
    for line in lines:
        if not line.startswith(" "):
            section = line.split(":", 1)[0]
            continue
        words = line.split()
        if section == "groups":
            groups.append(words[0])
        elif section == "tokens":
            tokens[words[0]] = words[1]
    return url, groups, tokens


def start_server(serve_args: Sequence[str], *, timeout: float = 120.0) -> RunningServer:
    """`exports-server serve --host 127.0.0.1 --port 0 <serve_args>`, once its banner is printed."""
    command = [sys.executable, "-m", "bitly_exports_contract.server.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", "0", *serve_args]
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("try:"):
                break
    finally:
        timer.cancel()
    if not lines or not lines[-1].startswith("try:"):
        proc.kill()
        proc.wait()
        log.seek(0)
        raise RuntimeError(f"the server did not start: {' '.join(command)}\n{log.read()[-2000:]}")
    threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
    url, groups, tokens = parse_banner(lines)
    return RunningServer(process=proc, base_url=url, groups=groups, tokens=tokens, log=log)


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass
