"""Conforming-variants self-test, the dual of the mutation test: the contract suite must pass every
server of `variants.py`, each of which differs from the reference server only where CONTRACT.md
leaves a point open, or in its clock and data.

    python tests/variants/run.py [--only NAME ...] [--jobs N] [--seed N]

A variant passes when `exports-contract verify --base-url ...` exits 0 against it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from selftest import verify_served, write_seed_fixture  # noqa: E402
from variants import VARIANTS  # noqa: E402


def run_one(name: str, seed_fixture: Path, seed: int) -> tuple[str, bool, float, str]:
    """(name, passed, seconds, what the run said at its end)."""
    chosen = VARIANTS[name]
    data = json.loads(seed_fixture.read_text(encoding="utf-8"))
    fixture = seed_fixture.with_name(f"{name}.json")
    fixture.write_text(json.dumps(chosen.data(data) if chosen.data is not None else data), encoding="utf-8")
    command = [sys.executable, str(HERE / "serve_variant.py"), name]
    verdict = verify_served(command, fixture=fixture, seed=seed)
    tail = "\n".join(verdict.output[-3:] if verdict.passed else verdict.output[-80:])
    return name, verdict.passed, verdict.seconds, tail


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
        fixture = write_seed_fixture(args.seed, Path(scratch) / "seed.json")
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
