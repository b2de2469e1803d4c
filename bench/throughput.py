"""Throughput and latency of the reference server beside Stoplight Prism, in one run on this machine.

For each scenario (a ~10-row export, a 1000-row links_list, a 200-row link_engagements_batch,
malformed JSON) and each concurrency (1, 16): requests per second, p50 and p99, from wrk cycling
through >= 1000 distinct request bodies, and each figure as a ratio to Prism's. Prism answers a
placeholder body from the spec; we build the real CSV.

    python bench/throughput.py [--seconds 5] [--workers 1,2] [--h11] [--no-prism] [--smoke]
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
SCENARIOS = ("small", "list1000", "batch200", "malformed")


def corpus(server: c.Server, *, per_scenario: int) -> dict[str, list[bytes]]:
    """Distinct request bodies per scenario, made from the served data (all 2000 links of the big group)."""
    url = f"{server.base_url}/groups/{server.group}/exports"
    links: list[tuple[str, int]] = []  # (id, created), newest first
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
    malformed = [
        b'{"export_type":"links_list","filter":{"archived":"both","created_after":%d' % j for j in range(n)
    ]
    out = {"small": small, "list1000": list1000, "batch200": batch, "malformed": malformed}
    return {name: list(dict.fromkeys(bodies))[:n] for name, bodies in out.items()}


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
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts of our server to run")
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
        args.seconds, args.bodies, args.no_prism, args.workers = 1.0, 300, True, "1"
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
    variants = [(int(w), False) for w in args.workers.split(",")]
    if args.h11:
        variants += [(int(w), True) for w in args.workers.split(",")]

    results: dict[tuple[str, str, int], c.Load] = {}
    with c.scratch_folder("bench-throughput-") as tmp:
        folder = Path(tmp)
        servers: list[tuple[str, c.Server, str]] = []
        try:
            for workers, pure in variants:
                label = f"ours w{workers}" + (" h11+asyncio" if pure else "")
                extra = ("--http", "h11", "--loop", "asyncio") if pure else ()
                server = c.start_ours(SEED_ARGS, workers=workers, extra=extra)
                servers.append((label, server, f"{server.base_url}/groups/{server.group}/exports"))
                print(f"{label}: answering {server.started_s:.2f} s after start")
            if args.compare_ref:
                src = c.extract_ref(args.compare_ref, folder)
                server = c.start_ours(SEED_ARGS, src=src)
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
