"""The run's last resort: past its deadline and grace, a run is interrupted, then the process ends."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

SCRIPT = """
import time
from bitly_exports_contract.kit.plugin import Watchdog
Watchdog(0.2, grace=0.1, last_grace=0.5).start()
try:
    time.sleep(30)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    if {ignore}:
        time.sleep(30)  # something that will not stop
"""


@pytest.mark.parametrize(
    ("ignore", "code", "said"),
    [
        pytest.param(False, 0, "interrupting it", id="interrupt-is-enough"),
        pytest.param(True, 124, "did not end within 0.5 s: exiting", id="then-exit"),
    ],
)
def test_a_run_past_its_deadline_is_interrupted_then_ended(ignore: bool, code: int, said: str) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(ignore=ignore)], capture_output=True, text=True, timeout=20
    )
    assert time.monotonic() - started < 10
    assert (done.returncode, done.stdout) == (code, "interrupted\n")
    assert said in done.stderr
