"""Serve the reference server as one conforming variant: `python serve_variant.py NAME FIXTURE [serve args]`.

The variant's data transform is applied to FIXTURE (CONTRACT §6's format) and its middleware goes
around the app through `exports-server`'s declared seam (`main(..., wrap=...)`).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from variants import VARIANTS  # noqa: E402

from bitly_exports_contract.server.cli import main  # noqa: E402

if __name__ == "__main__":
    name, fixture_path, *rest = sys.argv[1:]
    chosen = VARIANTS[name]
    fixture = json.loads(Path(fixture_path).read_text(encoding="utf-8"))
    if chosen.data is not None:
        fixture = chosen.data(fixture)
    with tempfile.TemporaryDirectory(prefix="variant-") as scratch:
        path = Path(scratch) / "fixture.json"
        path.write_text(json.dumps(fixture), encoding="utf-8")
        wrap = None if chosen.wrap is None else (lambda app: chosen.wrap(app, fixture))  # type: ignore[misc]
        raise SystemExit(main(["serve", "--fixture", str(path), "--workers", "1", *rest], wrap=wrap))
