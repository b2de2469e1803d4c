"""Serve the reference server as one conforming variant: `python serve_variant.py NAME FIXTURE [serve args]`.

FIXTURE is the variant's data (CONTRACT §6's format, its transform already applied by the runner); the
variant's middleware goes around the app through `exports-server`'s declared seam (`main(..., wrap=...)`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from variants import VARIANTS  # noqa: E402

from bitly_exports_contract.server.cli import main  # noqa: E402

if __name__ == "__main__":
    name, fixture_path, *rest = sys.argv[1:]
    chosen = VARIANTS[name]
    fixture = json.loads(Path(fixture_path).read_text(encoding="utf-8"))
    wrap = None if chosen.wrap is None else (lambda app: chosen.wrap(app, fixture))  # type: ignore[misc]
    raise SystemExit(main(["serve", "--fixture", fixture_path, "--workers", "1", *rest], wrap=wrap))
