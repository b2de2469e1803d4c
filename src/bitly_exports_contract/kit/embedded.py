"""The embedded reference server, run as a subprocess on a seeded data set."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bitly_exports_contract.kit.fixture import read_fixture
from bitly_exports_contract.kit.target import Target
from bitly_exports_contract.spec import figures

# Seeded data sets name their tokens after what they are for; the first group is the big one.
SEEDED_TOKENS: dict[str, str] = {tier: f"tok-{tier}" for tier in figures().tier_window_days} | {
    "other": "tok-other",  # premium, sees only the second group
    "limited": "tok-limited",  # premium, 5 requests a minute
}
SEEDED_ROLE_TIERS = {"other": "premium", "limited": "premium"}
SEEDED_RATE_LIMITS = {"limited": 5}
MAIN_ROLE = "premium"
_BASE_URL = re.compile(r"^base_url:\s*(\S+)\s*$")
_GROUP_LINE = re.compile(r"^\s+([A-Za-z0-9_-]+)\s+\(")
STARTUP_TIMEOUT = 60.0


class EmbeddedServerError(RuntimeError):
    """The embedded server did not start."""


def server_command(*, seed: int, extra: Sequence[str] = (), fixture: str | None = None) -> list[str]:
    """The command that serves a seeded data set (or a fixture file's, when given) on a free port."""
    script = shutil.which("exports-server") or str(Path(sys.executable).with_name("exports-server"))
    source = ["--fixture", fixture] if fixture is not None else ["--seed", str(seed)]
    return [script, "serve", *source, "--port", "0", *extra]


def seeded_fixture(seed: int) -> dict[str, Any]:
    """The embedded server's data set, as the fixture file `exports-server write-fixture` writes
    (CONTRACT §6's format): what the suite checks exact answers against."""
    script = server_command(seed=seed)[0]
    with tempfile.TemporaryDirectory(prefix="exports-contract-") as scratch:
        path = Path(scratch) / "fixture.json"
        done = subprocess.run(
            [script, "write-fixture", "--seed", str(seed), str(path)], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise EmbeddedServerError(f"exports-server write-fixture failed: {done.stderr.strip()}")
        return read_fixture(path)


@dataclass
class Banner:
    """What the server printed on start."""

    base_url: str
    group_guids: list[str] = field(default_factory=list)


def parse_banner(lines: Sequence[str]) -> Banner | None:
    """The base URL and the group guids of a start banner, once its groups are listed."""
    base_url: str | None = None
    groups: list[str] = []
    section = ""
    for line in lines:
        match = _BASE_URL.match(line)
        if match:
            base_url = match[1]
            continue
        if not line.startswith(" "):
            section = line.split(":", 1)[0].strip()
            if section == "tokens" and base_url is not None:
                return Banner(base_url=base_url, group_guids=groups)
            continue
        group = _GROUP_LINE.match(line)
        if section == "groups" and group:
            groups.append(group[1])
    return None


class EmbeddedServer:
    """`exports-server serve --seed N --port 0`, started and stopped by the kit."""

    def __init__(self, *, seed: int, extra_args: Sequence[str] = (), fixture: str | None = None) -> None:
        self.seed = seed
        self.command = server_command(seed=seed, extra=extra_args, fixture=fixture)
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.banner: Banner | None = None

    def start(self) -> Target:
        """Start the server and return the target it serves."""
        self._process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._pump, daemon=True).start()
        seen: list[str] = []
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while self.banner is None:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise EmbeddedServerError(f"no start banner within {STARTUP_TIMEOUT:.0f}s") from None
            if line is None:
                self.stop()
                raise EmbeddedServerError("exports-server exited early:\n" + "".join(seen))
            seen.append(line)
            self.banner = parse_banner([s.rstrip("\n") for s in seen])
        if not self.banner.group_guids:
            self.stop()
            raise EmbeddedServerError("the start banner lists no groups:\n" + "".join(seen))
        return self.target()

    def target(self) -> Target:
        assert self.banner is not None
        groups = self.banner.group_guids
        return Target(
            base_url=self.banner.base_url,
            token=SEEDED_TOKENS[MAIN_ROLE],
            group_guid=groups[0],
            other_group_guid=groups[1] if len(groups) > 1 else None,
            tier=MAIN_ROLE,
            tokens=dict(SEEDED_TOKENS),
            role_tiers=SEEDED_ROLE_TIERS,
            rate_limits=SEEDED_RATE_LIMITS,
            embedded=True,
            honours_prefer=True,
        )

    def _pump(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def stop(self) -> None:
        """Stop the server (terminate, then kill after a grace period)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> Target:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
