"""The embedded reference server, run as a subprocess on a seeded data set."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bitly_exports_contract.kit.fixture import read_fixture
from bitly_exports_contract.kit.target import Target
from bitly_exports_contract.launcher import (
    SERVE_COMMAND,
    RunningServer,
    ServerReady,
    ServerStartError,
    start_server,
)

# The tier of the token the suite verifies with; the seeded data set's first group is the big one.
MAIN_ROLE = "premium"
STARTUP_TIMEOUT = 60.0


class EmbeddedServerError(RuntimeError):
    """The embedded server did not start."""


def _source(seed: int, fixture: str | None) -> list[str]:
    return ["--fixture", fixture] if fixture is not None else ["--seed", str(seed)]


def server_command(*, seed: int, extra: Sequence[str] = (), fixture: str | None = None) -> list[str]:
    """The command that serves a seeded data set, or a fixture file's when given (the launcher adds
    a loopback host and a free port)."""
    return [*SERVE_COMMAND, *_source(seed, fixture), *extra]


def seeded_fixture(seed: int) -> dict[str, Any]:
    """The embedded server's data set, as the fixture file `exports-server write-fixture` writes
    (CONTRACT §6's format): what the suite checks exact answers against."""
    with tempfile.TemporaryDirectory(prefix="exports-contract-") as scratch:
        path = Path(scratch) / "fixture.json"
        write = [*SERVE_COMMAND[:-1], "write-fixture", "--seed", str(seed), str(path)]
        done = subprocess.run(write, capture_output=True, text=True)
        if done.returncode != 0:
            raise EmbeddedServerError(f"exports-server write-fixture failed: {done.stderr.strip()}")
        return read_fixture(path)


def seeded_target(ready: ServerReady) -> Target:
    """The target a seeded server announced: its main token, the second group, a token of each role.

    The roles come from what each token is, as the server announced it: a token of each tier that
    sees every group, `other` (a token that does not see the first group) and `limited` (a token
    with a per-minute rate limit).
    """
    groups = ready.group_guids
    if not groups:
        raise EmbeddedServerError("the embedded server announced no groups")
    tokens = ready.tokens_by_tier
    role_tiers: dict[str, str] = {}
    rate_limits: dict[str, int] = {}
    for token in ready.tokens:
        if groups[0] not in token.groups and "other" not in role_tiers:
            tokens["other"], role_tiers["other"] = token.token, token.tier
        elif token.rate_limit_per_minute is not None and "limited" not in role_tiers:
            tokens["limited"], role_tiers["limited"] = token.token, token.tier
            rate_limits["limited"] = token.rate_limit_per_minute
    if MAIN_ROLE not in tokens:
        raise EmbeddedServerError(f"the embedded server announced no {MAIN_ROLE} token")
    return Target(
        base_url=ready.base_url,
        token=tokens[MAIN_ROLE],
        group_guid=groups[0],
        other_group_guid=groups[1] if len(groups) > 1 else None,
        tier=MAIN_ROLE,
        tokens=tokens,
        role_tiers=role_tiers,
        rate_limits=rate_limits,
        embedded=True,
        honours_prefer=True,
    )


class EmbeddedServer:
    """`exports-server serve --seed N --port 0`, started and stopped by the kit."""

    def __init__(self, *, seed: int, extra_args: Sequence[str] = (), fixture: str | None = None) -> None:
        self.seed = seed
        self.fixture = fixture
        self.extra_args = tuple(extra_args)
        self.command = server_command(seed=seed, extra=extra_args, fixture=fixture)
        self.ready: ServerReady | None = None
        self._server: RunningServer | None = None

    def start(self) -> Target:
        """Start the server and return the target it serves."""
        try:
            self._server = start_server(
                [*_source(self.seed, self.fixture), *self.extra_args], timeout=STARTUP_TIMEOUT
            )
        except ServerStartError as exc:
            raise EmbeddedServerError(str(exc)) from exc
        self.ready = self._server.ready
        try:
            return self.target()
        except EmbeddedServerError:
            self.stop()
            raise

    def target(self) -> Target:
        """The target of the running server."""
        if self.ready is None:
            raise EmbeddedServerError("the embedded server is not started")
        return seeded_target(self.ready)

    def stop(self) -> None:
        """Stop the server (terminate, then kill after a grace period)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> Target:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
