"""Mutation self-test: run the contract suite against every mutant and report which it kills.

    python tests/mutation/run.py [--only NAME ...] [--jobs N] [--seed N]

A mutant is killed when `exports-contract verify --base-url ...` exits non-zero against it.
The unmutated server ("none") runs first and must pass.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from mutants import MUTANTS  # noqa: E402

from bitly_exports_contract.launcher import parse_banner  # noqa: E402

SEED_TOKEN = "tok-premium"
# the seeded data set's tokens, by the role the suite gives them
ROLES = ("free", "core", "growth", "premium", "enterprise", "other", "limited")


def start(name: str, seed: int) -> tuple[subprocess.Popen[str], str, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "serve_mutant.py"), name, "--seed", str(seed), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("try:"):
            break
    if not lines or not lines[-1].startswith("try:"):
        proc.kill()
        raise RuntimeError(f"mutant {name}: server did not start:\n" + "\n".join(lines[-20:]))
    # keep reading what the server logs, so a full pipe never stalls it
    threading.Thread(target=lambda: [None for _ in proc.stdout or ()], daemon=True).start()
    base_url, groups, _tokens = parse_banner(lines)
    return proc, base_url, groups


def run_one(name: str, seed: int) -> tuple[str, bool, float, str]:
    began = time.monotonic()
    proc, base_url, groups = start(name, seed)
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("exports-contract")),
                "verify",
                "--base-url",
                base_url,
                "--token",
                SEED_TOKEN,
                "--group-guid",
                groups[0],
                "--other-group-guid",
                groups[1],
                "--seed",
                str(seed),
                *(arg for role in ROLES for arg in (f"--token-{role}", f"tok-{role}")),
                "-x",  # one broken rule is enough to kill a mutant
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        killed = result.returncode != 0
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-3:])
    finally:
        proc.kill()
        proc.wait()
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
