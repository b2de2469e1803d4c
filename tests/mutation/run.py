"""Mutation self-test: run the contract suite against every mutant and report which it kills.

    python tests/mutation/run.py [--only NAME ...] [--jobs N] [--seed N]

A mutant is killed when `exports-contract verify --base-url ...` exits non-zero against it.
The unmutated server ("none") runs first and must pass.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from mutants import MUTANTS  # noqa: E402

from bitly_exports_contract.kit.embedded import seeded_target  # noqa: E402
from bitly_exports_contract.launcher import RunningServer, start_server  # noqa: E402


def start(name: str, seed: int) -> RunningServer:
    """The seeded server with one mutant applied ("none": unmutated), once it announces readiness."""
    return start_server(["--seed", str(seed)], command=[sys.executable, str(HERE / "serve_mutant.py"), name])


def run_one(name: str, seed: int) -> tuple[str, bool, float, str]:
    began = time.monotonic()
    with start(name, seed) as server:
        target = seeded_target(server.ready)
        if target.other_group_guid is None:
            raise RuntimeError(f"mutant {name}: the seeded server announced a single group")
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("exports-contract")),
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
                *(arg for role, token in target.tokens.items() for arg in (f"--token-{role}", token)),
                "-x",  # one broken rule is enough to kill a mutant
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        killed = result.returncode != 0
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-3:])
    return name, killed, time.monotonic() - began, tail


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = args.only or list(MUTANTS)

    _, ok, secs, tail = run_one("none", args.seed)
    print(f"unmutated server: {'FAILED' if ok else 'passes'} ({secs:.0f}s)", flush=True)
    if ok:
        print(tail)
        return 1
    survivors = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, killed, secs, _tail in pool.map(lambda n: run_one(n, args.seed), names):
            print(
                f"{'killed  ' if killed else 'SURVIVED'} {name:<34} {secs:5.0f}s  {MUTANTS[name][0]}",
                flush=True,
            )
            if not killed:
                survivors.append(name)
    print(f"\n{len(names) - len(survivors)}/{len(names)} mutants killed")
    print(f"mutants: {len(names) - len(survivors)} passed, {len(survivors)} failed")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
