"""Start the reference server as a child process and read the one JSON line it prints when ready.

`exports-server serve` writes `ServerReady.to_line()` on stdout once its socket listens (the lines meant
for people go to stderr); `start_server` starts it on a free loopback port and reads that line back.
Every place that starts a reference server goes through here: the kit's embedded mode, the tests,
the benchmarks, the mutation runner and the tools. This module imports nothing of the project, so
the kit may use it without knowing the server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, Any

READY_EVENT = "exports-server.ready"
SERVE_COMMAND: tuple[str, ...] = (sys.executable, "-m", "bitly_exports_contract.server.cli", "serve")
START_TIMEOUT_S = 120.0


class ServerStartError(RuntimeError):
    """The server exited, or printed no ready line in time; the message ends with its log."""


@dataclass(frozen=True)
class ServedGroup:
    """A group the server holds, with its item counts."""

    guid: str
    links: int
    qr_codes: int


@dataclass(frozen=True)
class ServedToken:
    """A token the server accepts: its tier, the groups it sees and its per-minute rate limit, if any."""

    token: str = field(repr=False)
    tier: str
    groups: tuple[str, ...]
    rate_limit_per_minute: int | None = None


@dataclass(frozen=True)
class ServerReady:
    """What a server announces when it is ready: where it listens, its groups and tokens, its pid."""

    base_url: str
    groups: tuple[ServedGroup, ...]
    tokens: tuple[ServedToken, ...]
    pid: int
    workers: int = 1

    @property
    def group_guids(self) -> list[str]:
        return [group.guid for group in self.groups]

    @property
    def tokens_by_tier(self) -> dict[str, str]:
        """A token of each tier, preferring one that sees every group and has no rate limit."""
        every = set(self.group_guids)
        chosen: dict[str, str] = {}
        for plain in (True, False):
            for token in self.tokens:
                is_plain = set(token.groups) == every and token.rate_limit_per_minute is None
                if is_plain == plain:
                    chosen.setdefault(token.tier, token.token)
        return chosen

    def to_line(self) -> str:
        """The one line (JSON, no newline inside) that the server prints on stdout when ready."""
        return json.dumps({"event": READY_EVENT, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> ServerReady | None:
        """The announcement a line carries; None for any other line."""
        if not line.lstrip().startswith("{"):
            return None
        try:
            raw = json.loads(line)
        except ValueError:
            return None
        if not isinstance(raw, dict) or raw.get("event") != READY_EVENT:
            return None
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ServerReady:
        return cls(
            base_url=str(raw["base_url"]),
            groups=tuple(ServedGroup(**group) for group in raw["groups"]),
            tokens=tuple(
                ServedToken(
                    token=token["token"],
                    tier=token["tier"],
                    groups=tuple(token["groups"]),
                    rate_limit_per_minute=token.get("rate_limit_per_minute"),
                )
                for token in raw["tokens"]
            ),
            pid=int(raw["pid"]),
            workers=int(raw.get("workers", 1)),
        )


@dataclass
class RunningServer:
    """A started server: its process, what it announced, and the file its stderr goes to."""

    process: subprocess.Popen[str]
    ready: ServerReady
    log: IO[str] | None = None
    owns_log: bool = True  # the log is a temporary file of ours, closed on stop

    @property
    def base_url(self) -> str:
        return self.ready.base_url

    @property
    def groups(self) -> list[str]:
        """The group guids, in the server's order (for a seeded data set the first is the big one)."""
        return self.ready.group_guids

    @property
    def tokens(self) -> dict[str, str]:
        """Tier -> a token of that tier."""
        return self.ready.tokens_by_tier

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.base_url.removeprefix("http://").split("/", 1)[0].rsplit(":", 1)
        return host.strip("[]"), int(port)

    def stop(self) -> None:
        """Terminate the server (and its workers), killing it if it does not stop in 15 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self.log is not None and self.owns_log:
            self.log.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_server(
    serve_args: Sequence[str] = (),
    *,
    command: Sequence[str] = SERVE_COMMAND,
    host: str = "127.0.0.1",
    port: int = 0,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    log: IO[str] | None = None,
    timeout: float = START_TIMEOUT_S,
) -> RunningServer:
    """`COMMAND --host HOST --port PORT SERVE_ARGS`, returned once its ready line is read.

    `command` is `exports-server serve` by default; a runner of faulty servers passes its own, which
    must take the same arguments and print the same line. The server's stderr goes to `log` (a
    temporary file when not given: its tail ends a ServerStartError).
    """
    argv = [*command, "--host", host, "--port", str(port), *serve_args]
    sink = log if log is not None else tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=sink,
        text=True,
        env=dict(env) if env is not None else None,
        cwd=cwd,
    )
    if proc.stdout is None:  # pragma: no cover - stdout=PIPE always gives one
        raise ServerStartError("no stdout pipe")
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    ready: ServerReady | None = None
    other: list[str] = []
    try:
        for line in proc.stdout:
            ready = ServerReady.from_line(line)
            if ready is not None:
                break
            other.append(line)
    finally:
        timer.cancel()
    if ready is None:
        proc.kill()
        proc.wait()
        raise ServerStartError(
            f"the server printed no ready line (exit {proc.returncode}): {' '.join(argv)}\n"
            + "".join(other)[-2000:]
            + _tail(sink)
        )
    # keep reading stdout, so that a chatty server never stalls on a full pipe
    threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
    return RunningServer(process=proc, ready=ready, log=sink, owns_log=log is None)


def _tail(log: IO[str]) -> str:
    try:
        log.flush()
        log.seek(0)
        return log.read()[-2000:]
    except (OSError, ValueError):  # a pipe, a terminal, or a closed file: nothing to show
        return ""


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass
