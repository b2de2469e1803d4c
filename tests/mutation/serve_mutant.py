"""Start `exports-server serve` with one mutant: `python serve_mutant.py NAME FIXTURE [serve args]`.

A mutant is a factory of ASGI middleware `wrap(app, fixture) -> app` (see `seam.py`); it goes around
the reference app through `exports-server`'s declared seam (`main(..., wrap=...)`), one worker, and is
given the fixture the server loads. "none" serves the reference server unchanged.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from mutants import MUTANTS  # noqa: E402

from bitly_exports_contract.server.cli import main  # noqa: E402

if __name__ == "__main__":
    name, fixture_path, *rest = sys.argv[1:]
    fixture = json.loads(Path(fixture_path).read_text(encoding="utf-8"))
    made = MUTANTS[name][1]() if name != "none" else None
    wrap = None if made is None else (lambda app: made(app, fixture))
    raise SystemExit(main(["serve", "--fixture", fixture_path, "--workers", "1", *rest], wrap=wrap))
