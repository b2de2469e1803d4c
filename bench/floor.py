"""The floor: the cost of a 1000-row export's own output, and each request's cost as a multiple of it.

The floor is the same 1000-row CSV built by a tight csv.writer loop over prepared rows (cells already
strings, already guarded) and base64-encoded with the encoder the export uses (pybase64), with nothing
else around it. Beside it: the rules
alone (`build_export` on a parsed request), the whole ASGI app in-process (routing, auth, JSON
parsing, validation, export, JSON response; no socket), for the 1000-row links_list, the 200-row
batch and a ~10-row export. "Warm" runs repeat the export, so the store's row cache and the export's
record cache hold every item (and the store the engagement series); "cold" runs empty them all
before each run, so every row is read from SQLite, every record rendered again and metrics come
from index seeks.

    python bench/floor.py [--links 2000] [--repeat 300]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import calendar
import csv
import gc
import io
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402
import pybase64  # noqa: E402

from bitly_exports_contract.rules.export import build_export  # noqa: E402
from bitly_exports_contract.rules.validation import parse_request  # noqa: E402
from bitly_exports_contract.server.app import ExportsApp, ServerConfig  # noqa: E402
from bitly_exports_contract.store.db import Store  # noqa: E402
from bitly_exports_contract.store.seed import seed_dataset, seeded_token  # noqa: E402


def floor_csv(columns: Sequence[str], rows: list[list[str]]) -> str:
    """csv.writer + base64 (pybase64, as the export) over prepared rows: the output's own cost."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return pybase64.b64encode_as_string(buf.getvalue().encode("utf-8"))


def _unix(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S+0000"))


def asgi_call(app: ExportsApp, path: str, raw: bytes) -> Any:
    """One request through the ASGI app, in-process; returns the coroutine."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "headers": [
            (b"authorization", f"Bearer {seeded_token('premium')}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
        ],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: Any) -> None:
        return None

    return app(scope, receive, send)


def forget(store: Store) -> None:
    """Empty what the store keeps in memory for exports (what a cold export pays)."""
    store.forget()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args(argv)
    c.print_machine()
    store = Store.build(seed_dataset(1, links=args.links))
    gc.collect()
    gc.freeze()  # as `exports-server serve` does once its data is loaded
    group = store.group_guids()[0]
    app = ExportsApp(ServerConfig(store=store))
    path = f"/v4/groups/{group}/exports"
    now = store.now or 0

    list_body = {"export_type": "links_list", "filter": {"archived": "both"}}
    answer = build_export(request=parse_request(list_body), store=store, group=group, tier="premium", now=now)
    data = base64.b64decode(answer["data_uri"].split(",", 1)[1]).decode("utf-8")
    table = list(csv.reader(io.StringIO(data, newline="")))
    columns, rows = table[0], table[1:]
    assert len(rows) == 1000 and floor_csv(columns, rows) == answer["data_uri"].split(",", 1)[1]
    ids = [r[0] for r in rows]
    bodies: dict[str, dict[str, Any]] = {
        "links_list 1000 rows": list_body,
        "link_engagements_batch 200 rows": {"export_type": "link_engagements_batch", "bitlinks": ids[:200]},
        "links_list ~10 rows": {
            "export_type": "links_list",
            "filter": {
                "archived": "both",
                "created_after": _unix(rows[9][3]),
                "created_before": _unix(rows[0][3]) + 1,
            },
        },
    }

    floor = c.timed(lambda: floor_csv(columns, rows), args.repeat)
    print(f"\nfloor (csv.writer + base64 over the 1000 prepared rows, {len(data):,} CSV bytes):")
    print(f"  p50 {floor[0]:.3f} ms   p99 {floor[1]:.3f} ms")
    print(f"\n{args.repeat} runs each, in-process, p50 / p99 ms and p50 as a multiple of the floor p50:")
    print(
        "| request | rules only (build_export), warm | x floor | whole ASGI app (no socket), warm | x floor "
        "| rules only, cold | x floor |"
    )
    print("|---|---|---|---|---|---|---|")
    loop = asyncio.new_event_loop()
    for name, body in bodies.items():
        request = parse_request(body)
        rows_out = build_export(request=request, store=store, group=group, tier="premium", now=now)[
            "row_count"
        ]

        def rules(request: Any = request) -> None:
            build_export(request=request, store=store, group=group, tier="premium", now=now)

        def cold(rules: Any = rules) -> None:
            forget(store)
            rules()

        raw = json.dumps(body).encode()
        rules_t = c.timed(rules, args.repeat)
        app_t = c.timed(lambda raw=raw: loop.run_until_complete(asgi_call(app, path, raw)), args.repeat)
        cold_t = c.timed(cold, args.repeat)
        print(
            f"| {name} ({rows_out} rows) | {rules_t[0]:.3f} / {rules_t[1]:.3f} "
            f"| {rules_t[0] / floor[0]:.2f}x "
            f"| {app_t[0]:.3f} / {app_t[1]:.3f} | {app_t[0] / floor[0]:.2f}x "
            f"| {cold_t[0]:.3f} / {cold_t[1]:.3f} | {cold_t[0] / floor[0]:.2f}x |"
        )
    loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
