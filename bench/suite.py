"""The contract suite's own run time against the embedded reference server, and its cases per second.

Runs `exports-contract verify --junit FILE` (the embedded server, in-process) and reads the JUnit
report: test cases (pytest items; a schemathesis item runs many generated requests), outcomes and
wall time.

    python bench/suite.py [--runs 1] [-- extra verify options]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("extra", nargs="*", help="passed to `exports-contract verify`")
    args = parser.parse_args(argv)
    c.print_machine()
    verify = shutil.which("exports-contract") or str(Path(sys.executable).with_name("exports-contract"))
    if not Path(verify).exists():
        print("exports-contract is not installed: nothing to measure")
        return 0
    with c.scratch_folder("bench-suite-") as tmp:
        for run in range(args.runs):
            report = Path(tmp) / f"junit-{run}.xml"
            start = time.monotonic()
            done = subprocess.run(
                [verify, "verify", "--junit", str(report), *args.extra],
                cwd=c.ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.monotonic() - start
            if not report.exists():
                print(f"run {run + 1}: exit {done.returncode} after {wall:.1f} s, no JUnit report")
                print(done.stdout[-2000:], done.stderr[-2000:])
                continue
            root = ET.parse(report).getroot()
            suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
            total = {
                k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")
            }
            passed = total["tests"] - total["failures"] - total["errors"] - total["skipped"]
            print(
                f"run {run + 1}: exports-contract verify {' '.join(args.extra)}: exit {done.returncode}, "
                f"wall {wall:.1f} s, {total['tests']} cases ({passed} passed, {total['failures']} failed, "
                f"{total['errors']} errors, {total['skipped']} skipped), {total['tests'] / wall:.1f} cases/s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
