"""Conforming-variants self-test, the dual of the mutation test: the contract suite must pass every
server of `variants.py`, each of which differs from the reference server only where CONTRACT.md
leaves a point open, or in its clock and data.

    python tests/variants/run.py [--only NAME ...] [--jobs N] [--seed N]

A variant passes when `exports-contract verify --base-url ...` exits 0 against it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from variants import VARIANTS  # noqa: E402

from bitly_exports_contract.server.reliability.launch import parse_banner  # noqa: E402

MAIN_TOKEN = "tok-premium"
# the seeded data set's tokens, by the role the suite gives them
ROLES = ("free", "core", "growth", "premium", "enterprise", "other", "limited")


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def start(name: str, fixture: Path) -> tuple[subprocess.Popen[str], str, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "serve_variant.py"), name, str(fixture), "--port", "0"],
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
        raise RuntimeError(f"variant {name}: server did not start:\n" + "\n".join(lines[-20:]))
    # keep reading what the server logs, so a full pipe never stalls it
    threading.Thread(target=lambda: [None for _ in proc.stdout or ()], daemon=True).start()
    base_url, groups, _tokens = parse_banner(lines)
    return proc, base_url, groups


def run_one(name: str, seed_fixture: Path, seed: int) -> tuple[str, bool, float, str]:
    """(name, passed, seconds, the run's last lines)."""
    began = time.monotonic()
    chosen = VARIANTS[name]
    fixture = seed_fixture.with_name(f"{name}.json")
    data = json.loads(seed_fixture.read_text(encoding="utf-8"))
    fixture.write_text(json.dumps(chosen.data(data) if chosen.data is not None else data), encoding="utf-8")
    proc, base_url, groups = start(name, fixture)
    try:
        result = subprocess.run(
            [
                _tool("exports-contract"),
                "verify",
                "--base-url",
                base_url,
                "--token",
                MAIN_TOKEN,
                "--group-guid",
                groups[0],
                "--other-group-guid",
                groups[1],
                "--seed",
                str(seed),
                # the suite knows the variant's data and its fault switches, as it would a server's
                # whose team hands them over
                "--fixture",
                str(fixture),
                "--honours-prefer",
                *(arg for role in ROLES for arg in (f"--token-{role}", f"tok-{role}")),
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        passed = result.returncode == 0
        output = (result.stdout + result.stderr).strip().splitlines()
        tail = "\n".join(output[-3:] if passed else output[-80:])
    finally:
        proc.kill()
        proc.wait()
    return name, passed, time.monotonic() - began, tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="*", help="run these variants only")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = args.only or list(VARIANTS)
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    failed = []
    with tempfile.TemporaryDirectory(prefix="variants-") as scratch:
        fixture = Path(scratch) / "seed.json"
        subprocess.run(
            [_tool("exports-server"), "write-fixture", "--seed", str(args.seed), str(fixture)],
            check=True,
            capture_output=True,
        )
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for name, passed, secs, tail in pool.map(lambda n: run_one(n, fixture, args.seed), names):
                print(
                    f"{'passed' if passed else 'FAILED'} {name:<32} {secs:5.0f}s  {VARIANTS[name].reading}",
                    flush=True,
                )
                if not passed:
                    failed.append(name)
                    print("    " + tail.replace("\n", "\n    "), flush=True)
    print(f"\n{len(names) - len(failed)}/{len(names)} conforming variants passed")
    print(f"variants: {len(names) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
