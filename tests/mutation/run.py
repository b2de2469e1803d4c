"""Mutation self-test: run the contract suite against every mutant and report which it kills.

    python tests/mutation/run.py [--only NAME ...] [--jobs N] [--seed N]

A mutant is killed when `exports-contract verify --base-url ...` exits non-zero against it.
The unmutated server ("none") runs first and must pass.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from mutants import MUTANTS  # noqa: E402
from selftest import verify_served, write_seed_fixture  # noqa: E402


def run_one(name: str, seed: int, fixture: Path, budget: int | None = None) -> tuple[str, bool, float, str]:
    command = [sys.executable, str(HERE / "serve_mutant.py"), name]
    # -x: one broken rule is enough to kill a mutant
    verify_args = ["-x", *(["--max-requests", str(budget)] if budget is not None else [])]
    verdict = verify_served(command, fixture=fixture, seed=seed, verify_args=verify_args)
    tail = ", ".join(verdict.broken) if verdict.broken else "\n".join(verdict.output[-3:])
    # A run that only stopped (its budget or deadline spent) broke no rule: the mutant lived.
    killed = not verdict.passed and verdict.broken != ["run"]
    return name, killed, verdict.seconds, tail


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-requests", type=int, help="the request budget of every run (a live run's)")
    args = parser.parse_args()
    names = args.only or list(MUTANTS)
    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
        fixture = write_seed_fixture(args.seed, Path(scratch) / "seed.json")
        _, killed, secs, tail = run_one("none", args.seed, fixture, args.max_requests)
        print(f"unmutated server: {'FAILED' if killed else 'passes'} ({secs:.0f}s)", flush=True)
        if killed:
            print(tail)
            return 1
        survivors = []
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for name, killed, secs, tail in pool.map(
                lambda n: run_one(n, args.seed, fixture, args.max_requests), names
            ):
                print(
                    f"{'killed  ' if killed else 'SURVIVED'} {name:<34} {secs:5.0f}s  {MUTANTS[name][0]}"
                    + (f"\n           by {tail}" if killed and "\n" not in tail else ""),
                    flush=True,
                )
                if not killed:
                    survivors.append(name)
    print(f"\n{len(names) - len(survivors)}/{len(names)} mutants killed")
    print(f"mutants: {len(names) - len(survivors)} passed, {len(survivors)} failed")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
