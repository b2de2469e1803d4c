"""What the mutation and the variants self-tests share: serve one server through the launcher, on a
fixture file, and run `exports-contract verify` against it, telling the suite the fixture and that the
server honours the `Prefer` switches (as a team would of its own server)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bitly_exports_contract.kit.embedded import seeded_target
from bitly_exports_contract.launcher import start_server

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Verdict:
    """One run of the suite against one server."""

    passed: bool
    seconds: float
    broken: list[str]  # the rules the suite reported broken
    output: list[str]  # everything the run printed, line by line


def write_seed_fixture(seed: int, path: Path) -> Path:
    """The seeded data set as a fixture file (CONTRACT §6's format)."""
    subprocess.run(
        [str(BIN / "exports-server"), "write-fixture", "--seed", str(seed), str(path)],
        check=True,
        capture_output=True,
    )
    return path


def verify_served(
    command: Sequence[str], *, fixture: Path, seed: int, verify_args: Sequence[str] = ()
) -> Verdict:
    """Start `command FIXTURE` (a script that serves one server on the fixture) and verify it."""
    began = time.monotonic()
    with start_server(command=[*command, str(fixture)]) as server:
        target = seeded_target(server.ready)
        if target.other_group_guid is None:
            raise RuntimeError(f"{' '.join(command)}: the server announced a single group")
        result = subprocess.run(
            [
                str(BIN / "exports-contract"),
                "verify",
                "--base-url",
                target.base_url,
                "--token",
                target.token,
                "--group-guid",
                target.group_guid,
                "--other-group-guid",
                target.other_group_guid,
                "--seed",
                str(seed),
                "--fixture",
                str(fixture),
                "--honours-prefer",
                *(arg for role, token in target.tokens.items() for arg in (f"--token-{role}", token)),
                *verify_args,
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    output = (result.stdout + result.stderr).strip().splitlines()
    # the summary heads each broken rule with `### rule (source): ...`
    broken = [line.split()[1] for line in output if line.startswith("### ")]
    return Verdict(result.returncode == 0, time.monotonic() - began, broken, output)
