"""Start `exports-server serve` with one mutant applied: `python serve_mutant.py NAME [serve args]`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from mutants import MUTANTS  # noqa: E402

from bitly_exports_contract.server.cli import main  # noqa: E402

if __name__ == "__main__":
    name, *rest = sys.argv[1:]
    if name != "none":
        MUTANTS[name][1]()
    # One worker: the mutant is patched into this process, and workers would start from clean modules.
    raise SystemExit(main(["serve", "--workers", "1", *rest]))
