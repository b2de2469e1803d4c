"""Throughput and latency of the reference server beside Stoplight Prism, in one run on this machine.

For each scenario (a ~10-row export by a created window, a 1-row export by `filter.query` = a link's id,
a few-row export by `filter.query` = a fragment of a title, a 1000-row links_list, a 200-row
link_engagements_batch, malformed JSON) and each concurrency (1, 16): requests per second, p50 and p99,
from wrk cycling through >= 1000 distinct request bodies, and each figure as a ratio to Prism's. Prism
answers a placeholder body from the spec; we build the real CSV.

Our server runs as a user starts it (`--workers default`: no --workers flag, one worker per core) and
with any worker counts given (`--workers default,1` is the default: as started, and one worker).

    python bench/throughput.py [--seconds 5] [--workers default,1] [--h11] [--no-prism] [--smoke]
"""

from __future__ import annotations

import argparse
import calendar
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

from bitly_exports_contract.store.seed import seeded_token  # noqa: E402

SEED_ARGS = ("--seed", "1", "--links", "2000")
TOKEN = seeded_token("premium")
SCENARIOS = ("small", "query_id", "query_title", "list1000", "batch200", "malformed")
TITLE_FRAGMENT_MATCHES = (1, 15)  # a title fragment is kept when it selects this many links (inclusive)


def corpus(server: c.Server, *, per_scenario: int) -> dict[str, list[bytes]]:
    """Distinct request bodies per scenario, made from the served data (all 2000 links of the big group)."""
    url = f"{server.base_url}/groups/{server.group}/exports"
    links: list[tuple[str, int]] = []  # (id, created), newest first
    texts: dict[str, list[str]] = {}  # id -> the lowered fields `filter.query` searches
    before: int | None = None
    while True:
        flt: dict[str, object] = {"archived": "both"}
        if before is not None:
            flt["created_before"] = before
        status, answer = c.post(
            url, json.dumps({"export_type": "links_list", "filter": flt}).encode(), token=TOKEN
        )
        assert status == 200, answer
        rows = c.csv_rows(answer)[1:]
        links += [(r[0], _unix(r[3])) for r in rows]
        # the CSV's cells, formula guard included: close enough to count how many links a fragment selects
        texts.update({r[0]: [cell.lower() for cell in (r[0], r[1], r[2], *r[5].split(";"))] for r in rows})
        if len(rows) < 1000:
            break
        before = links[-1][1]  # ties at the boundary may repeat or drop a link: it does not matter here
    created = [t for _, t in links]
    ids = list(dict.fromkeys(i for i, _ in links))
    n = per_scenario

    def dumps(doc: object) -> bytes:
        return json.dumps(doc, separators=(",", ":")).encode()

    small = [
        dumps(
            {
                "export_type": "links_list",
                "filter": {
                    "archived": "both",
                    "created_after": created[i + 9],
                    "created_before": created[i] + 1 + k,
                },
            }
        )
        for k in range(2)
        for i in range(min(n, len(created) - 10) // 2 + 1)
    ]
    span = len(created) - 1001
    list1000 = [
        dumps(
            {
                "export_type": "links_list",
                "filter": {"archived": "both", "created_before": created[i % span] - k},
            }
        )
        for k in range(2)
        for i in range(n // 2 + 1)
    ]
    batch = [
        dumps(
            {
                "export_type": "link_engagements_batch",
                "bitlinks": [ids[(j + k) % len(ids)] for k in range(200)],
            }
        )
        for j in range(n)
    ]
    query_id = [
        dumps({"export_type": "links_list", "filter": {"archived": "both", "query": ident}})
        for ident in (ids + [i.upper() for i in ids])[:n]
    ]
    query_title = [
        dumps({"export_type": "links_list", "filter": {"archived": "both", "query": fragment}})
        for fragment in _title_fragments(texts, want=n)
    ]
    malformed = [
        b'{"export_type":"links_list","filter":{"archived":"both","created_after":%d' % j for j in range(n)
    ]
    out = {
        "small": small,
        "query_id": query_id,
        "query_title": query_title,
        "list1000": list1000,
        "batch200": batch,
        "malformed": malformed,
    }
    return {name: list(dict.fromkeys(bodies))[:n] for name, bodies in out.items()}


def _title_fragments(texts: dict[str, list[str]], *, want: int) -> list[str]:
    """Lower-cased fragments of titles that select a few links, counted by brute force."""
    low, high = TITLE_FRAGMENT_MATCHES
    searched = ["\x00".join(fields) for fields in texts.values()]  # a fragment never holds a NUL
    fragments: dict[str, None] = {}
    for length in (6, 8, 10, 12, 5, 7, 9, 11):
        for fields in texts.values():
            title = fields[1]
            for start in range(0, max(1, len(title) - length), 3):
                fragment = title[start : start + length]
                if len(fragment) < length or fragment in fragments or fragment.strip() != fragment:
                    continue
                if low <= sum(fragment in text for text in searched) <= high:
                    fragments[fragment] = None
                if len(fragments) >= want:
                    return list(fragments)
    return list(fragments)


def _unix(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S+0000"))


def describe(server: c.Server, bodies: dict[str, list[bytes]]) -> None:
    """Status and mean row count of a sample of each scenario's bodies against our server."""
    url = f"{server.base_url}/groups/{server.group}/exports"
    for name, items in bodies.items():
        statuses: dict[int, int] = {}
        rows = []
        for body in items[:: max(1, len(items) // 25)]:
            status, answer = c.post(url, body, token=TOKEN)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                rows.append(json.loads(answer)["row_count"])
        mean = f"{sum(rows) / len(rows):.1f}" if rows else "-"
        print(f"  {name:10} {len(items)} distinct bodies; sample statuses {statuses}, mean row_count {mean}")


def load(
    target: c.Server, url: str, bodies: list[bytes], path: Path, *, conns: int, seconds: float, use_wrk: bool
) -> c.Load:
    if use_wrk:
        return c.run_wrk(url, token=TOKEN, bodies=path, connections=conns, seconds=seconds)
    return c.run_python_load(url, token=TOKEN, bodies=bodies, connections=conns, seconds=seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each load run")
    parser.add_argument(
        "--workers",
        default="default,1",
        help="comma-separated worker counts of our server to run; `default` starts it without --workers",
    )
    parser.add_argument(
        "--h11",
        action="store_true",
        help="also run our server on h11 and asyncio's loop (pure Python) beside httptools + uvloop",
    )
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--bodies", type=int, default=1200, help="distinct request bodies per scenario")
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--compare-ref", metavar="REF", help="also serve the code of git REF (w1), e.g. to show before/after"
    )
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument(
        "--smoke", action="store_true", help="CI: 1 s runs, few bodies, no Prism, no installs"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.seconds, args.bodies, args.no_prism, args.workers = 1.0, 300, True, "default"
    use_wrk = not args.python_load and c.ensure_wrk(install=not args.smoke)
    if not use_wrk:
        print("load tool: Python asyncio generator (wrk is not to be had here)")
    else:
        print("load tool: wrk (-t1), Lua script bench/wrk_bodies.lua cycling through the bodies")
    with_prism = not args.no_prism and c.ensure_prism()
    if not args.no_prism and not with_prism:
        print("Prism could not be installed: running without it")
    c.print_machine()
    conc = [int(x) for x in args.concurrency.split(",")]
    scenarios = [s for s in args.scenarios.split(",") if s]
    counts = [None if w == "default" else int(w) for w in args.workers.split(",")]
    variants = [(w, False) for w in counts]
    if args.h11:
        variants += [(w, True) for w in counts]

    results: dict[tuple[str, str, int], c.Load] = {}
    with c.scratch_folder("bench-throughput-") as tmp:
        folder = Path(tmp)
        servers: list[tuple[str, c.Server, str]] = []
        try:
            for workers, pure in variants:
                shown = f"default (w{c.default_workers()})" if workers is None else f"w{workers}"
                label = f"ours {shown}" + (" h11+asyncio" if pure else "")
                extra = ("--http", "h11", "--loop", "asyncio") if pure else ()
                server = c.start_ours(SEED_ARGS, workers=workers, extra=extra)
                servers.append((label, server, f"{server.base_url}/groups/{server.group}/exports"))
                print(f"{label}: answering {server.started_s:.2f} s after start")
            if args.compare_ref:
                src = c.extract_ref(args.compare_ref, folder)
                server = c.start_ours(SEED_ARGS, src=src, workers=1)
                servers.append(
                    (f"{args.compare_ref} w1", server, f"{server.base_url}/groups/{server.group}/exports")
                )
                print(f"{args.compare_ref} w1: answering {server.started_s:.2f} s after start")
            group = servers[0][1].group
            if with_prism:
                prism = c.start_prism(log=folder / "prism.log")
                servers.append(
                    (f"prism {c.prism_version()}", prism, f"{prism.base_url}/groups/{group}/exports")
                )
            bodies = corpus(servers[0][1], per_scenario=args.bodies)
            print("request bodies:")
            describe(servers[0][1], bodies)
            files = {name: c.write_bodies(items, folder, name) for name, items in bodies.items()}
            for scenario in scenarios:
                for n in conc:
                    for label, server, url in servers:
                        # Prism never answers malformed JSON (it holds the connection): keep that run short.
                        seconds = (
                            min(args.seconds, 2)
                            if label.startswith("prism") and scenario == "malformed"
                            else args.seconds
                        )
                        results[(scenario, label, n)] = load(
                            server,
                            url,
                            bodies[scenario],
                            files[scenario],
                            conns=n,
                            seconds=seconds,
                            use_wrk=use_wrk,
                        )
        finally:
            for _, server, _ in servers:
                server.stop()
    report(results, [label for label, _, _ in servers], scenarios, conc)
    return 0


def report(
    results: dict[tuple[str, str, int], c.Load], labels: list[str], scenarios: list[str], conc: list[int]
) -> None:
    prism = next((label for label in labels if label.startswith("prism")), None)
    print()
    print(
        "| scenario | c | server | req/s | p50 ms | p99 ms | non-2xx | errors "
        "| req/s vs Prism | p50 vs Prism | p99 vs Prism |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for scenario in scenarios:
        for n in conc:
            ref = results.get((scenario, prism, n)) if prism else None
            for label in labels:
                r = results[(scenario, label, n)]
                ratios = ["", "", ""]
                if ref is not None and label != prism and ref.requests:
                    ratios = [
                        c.fmt_ratio(r.rps, ref.rps),
                        c.fmt_ratio(r.p50_ms, ref.p50_ms),
                        c.fmt_ratio(r.p99_ms, ref.p99_ms),
                    ]
                print(
                    f"| {scenario} | {n} | {label} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
                    f"{r.non_2xx} | {r.errors} | {' | '.join(ratios)} |"
                )
    print("\n(ratios: ours / Prism; > 1 is better for req/s, < 1 is better for latency)")


if __name__ == "__main__":
    raise SystemExit(main())
