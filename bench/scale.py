"""Scale: a group of 1,000,000 links, 100,000 QR codes and > 20,000,000 hourly engagement rows.

Prints the build time and size of the saved database, the server's start-up on it (process start
until the first request is answered), and p50/p99 over HTTP (one keep-alive connection, one request
at a time) for each export type with and without each filter field, and metrics windows of 1 day
and 2 years for 200 links. Each timed request is a distinct body (an ignored `unix_from/unix_to`
pair or a distinct id sample varies), so no single cached answer is timed.

    python bench/scale.py --db PATH [--build] [--links 1000000] [--repeat 50]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

from bitly_exports_contract.store.seed import seeded_token  # noqa: E402

DAY = 86400
Body = Callable[[int], dict[str, Any]]
Filter = dict[str, Any] | Callable[[int], dict[str, Any]]  # one filter, or the k-th of a family
FEW = (2, 15)  # a title fragment is kept when it selects this many links (inclusive)


def build(path: Path, *, links: int, seed: int) -> None:
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "bitly_exports_contract.server.cli", "build-db", "--seed", str(seed)]
        + ["--links", str(links), str(path)],
        check=True,
        cwd=c.ROOT,
    )
    print(f"build-db --seed {seed} --links {links}: {time.monotonic() - start:.1f} s")


def facts(path: Path) -> dict[str, Any]:
    """What the saved database holds, read straight from it (read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        gkey, guid, links, qrs = conn.execute(
            "SELECT gkey, guid, links, qr_codes FROM groups ORDER BY links DESC LIMIT 1"
        ).fetchone()
        campaigns = [
            row[0] for row in conn.execute("SELECT guid FROM campaigns WHERE gkey = ? ORDER BY ckey", (gkey,))
        ]
        campaign = campaigns[0]
        now = dict(conn.execute("SELECT key, value FROM meta").fetchall())["now"]
        eng = conn.execute("SELECT count(*) FROM eng").fetchone()[0]
        rng = random.Random(5)
        low, high = conn.execute("SELECT min(key), max(key) FROM links WHERE gkey = ?", (gkey,)).fetchone()
        keys = [rng.randrange(low, high + 1) for _ in range(4000)]
        marks = ",".join("?" * len(keys))
        picked = conn.execute(f"SELECT id, created, title FROM links WHERE key IN ({marks})", keys).fetchall()
        ids = [row[0] for row in picked]
        rare = ids[0]
        one = [(ident, created, _window(conn, gkey, created, 1)) for ident, created, _ in picked[:50]]
        few = _few_fragments(conn, gkey, picked, want=50)
        # The windows compared with those queries are around other links, so that neither family reads
        # rows the other has just read (a server keeps rows and records it has read: whichever family
        # went second would find them kept).
        spare = conn.execute(
            "SELECT created FROM links WHERE gkey = ? AND key IN (SELECT value FROM json_each(?))",
            (gkey, json.dumps([rng.randrange(low, high + 1) for _ in range(100)])),
        ).fetchall()
        around = [created for (created,) in spare][:50]
        one_windows = [(created, _window(conn, gkey, created, 1)) for created in around]
        few_windows = [
            (_window(conn, gkey, created, matches), created + 1)
            for (_, matches), created in zip(few, around, strict=False)
        ]
    finally:
        conn.close()
    return {
        "group": guid,
        "links": links,
        "qr_codes": qrs,
        "eng_rows": eng,
        "campaign": campaign,
        "campaigns": campaigns,
        "now": now,
        "ids": ids,
        "rare": rare,
        "one": one,
        "few": few,
        "one_windows": one_windows,
        "few_windows": few_windows,
        "size": os.path.getsize(path),
    }


def _window(conn: sqlite3.Connection, gkey: int, created: int, rows: int) -> int:
    """The created_after that, with created_before = created + 1, holds `rows` links (archived both)."""
    found = conn.execute(
        "SELECT created FROM links INDEXED BY links_walk_all WHERE gkey = ? AND created <= ? "
        "ORDER BY created DESC LIMIT 1 OFFSET ?",
        (gkey, created, rows - 1),
    ).fetchone()
    return int(found[0]) if found else 0


def _few_fragments(
    conn: sqlite3.Connection, gkey: int, picked: list[tuple[str, int, str | None]], *, want: int
) -> list[tuple[str, int]]:
    """(fragment, matches): title fragments selecting a few links.

    Matches are counted with the store itself (the server's own reading of `filter.query`), limit 16.
    """
    from bitly_exports_contract.store import ItemFilter, Store

    guid = conn.execute("SELECT guid FROM groups WHERE gkey = ?", (gkey,)).fetchone()[0]
    out: list[tuple[str, int]] = []
    with Store.open(conn.execute("PRAGMA database_list").fetchone()[2]) as store:
        for _, _, title in picked:
            if not title or len(title) < 14:
                continue
            fragment = title[len(title) // 3 : len(title) // 3 + 14].strip()
            found = store.find_links(group=guid, flt=ItemFilter(query=fragment, archived="both"), limit=16)
            if FEW[0] <= len(found) <= FEW[1]:
                out.append((fragment, len(found)))
            if len(out) >= want:
                break
    return out


def filters(f: dict[str, Any]) -> list[tuple[str, Filter]]:
    now = f["now"]
    rare_fragment = f["rare"].split("/", 1)[1].upper()
    one, few = f["one"], f["few"]
    one_windows, few_windows = f["one_windows"], f["few_windows"]
    rows = sum(m for _, m in few) / max(1, len(few))
    return [
        ("no filter (archived off)", {}),
        ("archived both", {"archived": "both"}),
        ("query 'sale' (common)", {"query": "sale"}),
        (f"query '{rare_fragment}' (one link)", {"query": rare_fragment, "archived": "both"}),
        ("query 'zzzz' (no match)", {"query": "zzzz"}),
        (
            f"query: a link's id, {len(one)} links in turn (1 row)",
            lambda k: {"query": one[k % len(one)][0], "archived": "both"},
        ),
        (
            "created window: another link's second (as many rows)",
            lambda k: {
                "created_after": one_windows[k % len(one_windows)][1],
                "created_before": one_windows[k % len(one_windows)][0] + 1,
                "archived": "both",
            },
        ),
        (
            f"query: a title fragment, {len(few)} in turn ({rows:.1f} rows on average)",
            lambda k: {"query": few[k % len(few)][0], "archived": "both"},
        ),
        (
            "created window holding as many rows as that fragment, around another link",
            lambda k: {
                "created_after": few_windows[k % len(few_windows)][0],
                "created_before": few_windows[k % len(few_windows)][1],
                "archived": "both",
            },
        ),
        ("query 'é' (1 char)", {"query": "é"}),
        ("tags [promo]", {"tags": ["promo"]}),
        ("tags [no-such-tag]", {"tags": ["no-such-tag"]}),
        ("domain j.mp", {"domain": "J.MP"}),
        ("domain no.such", {"domain": "no.such"}),
        ("created last 1 day (narrow)", {"created_after": now - DAY, "created_before": now + 1}),
        ("created last 2 years (wide)", {"created_after": now - 730 * DAY}),
        ("campaign_guid", {"campaign_guid": f["campaign"]}),
        (
            "all: query+tags+domain+range+campaign",
            {
                "query": "a",
                "tags": ["promo", "spring"],
                "domain": "bit.ly",
                "created_after": now - 730 * DAY,
                "campaign_guid": f["campaign"],
            },
        ),
    ]


def first_asks(f: dict[str, Any], k: int) -> dict[str, Any]:
    """The k-th five-filter body of a family whose every campaign, tag pair and domain is new to the server
    when asked in order (8 campaigns, then tags and domains cycle; the first asks are the first 8)."""
    from bitly_exports_contract.store.seed_vocab import DOMAINS, TAGS

    campaigns = f["campaigns"]
    return {
        "query": "a",
        "tags": [TAGS[(2 * k) % len(TAGS)], TAGS[(2 * k + 1) % len(TAGS)]],
        "domain": DOMAINS[k % len(DOMAINS)][0],
        "created_after": f["now"] - 730 * DAY,
        "campaign_guid": campaigns[k % len(campaigns)],
    }


class Client:
    """One keep-alive HTTP/1.1 connection; `post` returns (status, answer, milliseconds)."""

    def __init__(self, base_url: str, group: str) -> None:
        hostport = base_url.removeprefix("http://").split("/", 1)[0]
        self._conn = http.client.HTTPConnection(hostport, timeout=60)
        self._path = f"/v4/groups/{group}/exports"

    def post(self, body: dict[str, Any], token: str) -> tuple[int, dict[str, Any], float]:
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        start = time.perf_counter()
        self._conn.request("POST", self._path, body=raw, headers=headers)
        response = self._conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        return response.status, json.loads(data), elapsed


def measure(
    client: Client, make: Body, *, repeat: int, token: str = seeded_token("premium")
) -> tuple[float, float, float]:
    """(p50, p99, mean row_count) of `repeat` distinct bodies after two warm-up requests."""
    for k in range(2):
        status, answer, _ = client.post(make(10_000 + k), token)
        if status != 200:
            raise RuntimeError(f"{status}: {answer}")
    times = []
    rows = []
    for k in range(repeat):
        status, answer, ms = client.post(make(k), token)
        assert status == 200, answer
        times.append(ms)
        rows.append(answer["row_count"])
    p50, p99 = c.percentiles(times)
    return p50, p99, sum(rows) / len(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="the saved database (built first with --build)")
    parser.add_argument("--build", action="store_true", help="build --db first (replacing it)")
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--starts", type=int, default=3, help="server start-ups to time")
    parser.add_argument(
        "--exports",
        default="links_list,qr_codes_list,link_engagements_batch,include_metrics",
        help="comma-separated export shapes to time (names as in the table, or a word of them)",
    )
    args = parser.parse_args(argv)
    c.print_machine()
    path = Path(args.db)
    if args.build or not path.exists():
        build(path, links=args.links, seed=args.seed)
    f = facts(path)
    print(
        f"database {path}: {f['size'] / 1e9:.2f} GB; "
        f"big group {f['links']:,} links, {f['qr_codes']:,} QR codes; "
        f"{f['eng_rows']:,} hourly engagement rows (stored as per-target running sums)"
    )
    for workers in (1, 2):
        for attempt in range(args.starts):
            server = c.start_ours(["--db", str(path)], workers=workers)
            print(
                f"start-up {attempt + 1} with {workers} worker(s) on the saved database "
                f"(process start to first answer, page cache warm): {server.started_s:.2f} s"
            )
            server.stop()

    server = c.start_ours(["--db", str(path)])  # as a user starts it: one worker per core
    print(f"server as started by default: {c.default_workers()} worker(s)")
    try:
        client = Client(server.base_url, f["group"])
        # First: requests whose filter values this server (the worker behind this connection) has never
        # been asked for, before any other request warms them.
        asks = min(8, len(f["campaigns"]))
        print(f"\nfirst asks: five-filter bodies with values new to the server, {asks} in turn, then again")
        print("| export | asks | rows | each request ms |")
        print("|---|---|---|---|")
        for kind in ("links_list", "qr_codes_list"):
            for label in ("first", "again"):
                times, rows = [], []
                for k in range(asks):
                    body = {"export_type": kind, "filter": first_asks(f, k)}
                    status, answer, ms = client.post(body, seeded_token("premium"))
                    assert status == 200, answer
                    times.append(ms)
                    rows.append(answer["row_count"])
                shown = ", ".join(f"{ms:.1f}" for ms in times)
                print(f"| {kind} | {label} | {sum(rows) / len(rows):g} | {shown} (max {max(times):.1f}) |")
        print(f"\n{args.repeat} requests each, one at a time over HTTP: p50 / p99 ms (rows)")
        print("| export | filter | rows | p50 ms | p99 ms |")
        print("|---|---|---|---|---|")
        exports: list[tuple[str, dict[str, Any]]] = [
            ("links_list", {}),
            ("qr_codes_list", {}),
            ("link_engagements_batch (filter)", {"export_type": "link_engagements_batch"}),
            ("links_list + include_metrics", {"export_type": "links_list", "include_metrics": True}),
        ]
        wanted = [w for w in args.exports.split(",") if w]
        for name, extra in exports:
            if not any(w == name or w in name.split() or name.startswith(w + " ") for w in wanted):
                continue
            export_type = extra.get("export_type", name)
            for label, flt in filters(f):

                def make(
                    k: int, flt: Filter = flt, extra: dict[str, Any] = extra, kind: str = export_type
                ) -> dict[str, Any]:
                    # The ignored-or-clamped window pair makes each body distinct without changing the rows.
                    body = {**extra, "export_type": kind, "filter": flt(k) if callable(flt) else flt}
                    body["unix_from"], body["unix_to"] = k, f["now"] + k
                    return body

                p50, p99, rows = measure(client, make, repeat=args.repeat)
                print(f"| {name} | {label} | {rows:g} | {p50:.2f} | {p99:.2f} |", flush=True)
        ids = f["ids"]
        for label, days, tier in (("1 day", 1, "premium"), ("2 years", 730, "enterprise")):

            def batch(k: int, days: int = days) -> dict[str, Any]:
                start = (k * 200) % (len(ids) - 200)
                return {
                    "export_type": "link_engagements_batch",
                    "bitlinks": ids[start : start + 200],
                    "unix_from": f["now"] - days * DAY,
                    "unix_to": f["now"],
                }

            p50, p99, rows = measure(client, batch, repeat=args.repeat, token=server.tokens[tier])
            print(
                f"| link_engagements_batch (200 bitlinks) | metrics window {label} | {rows:g} "
                f"| {p50:.2f} | {p99:.2f} |"
            )
    finally:
        server.stop()
    print(f"\n(p99 of {args.repeat} samples is close to their maximum)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
