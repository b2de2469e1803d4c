"""Build a seeded store to a temporary file and print build, open and query timings.

Run with `python -m tools.store_bench --links 200000`.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial

from bitly_exports_contract.store.db import ItemFilter, Store
from bitly_exports_contract.store.seed import seed_dataset

_DAY = 86400


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(p50, p99) in milliseconds of `repeat` runs after one warm-up run."""
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


def _filters(now: int, rare_id: str, campaign: str) -> list[tuple[str, ItemFilter]]:
    return [
        ("no filter (archived off)", ItemFilter()),
        ("archived on", ItemFilter(archived="on")),
        ("archived both", ItemFilter(archived="both")),
        ("tags [promo]", ItemFilter(tags=("promo",))),
        ("tags [PROMO, b2b]", ItemFilter(tags=("PROMO", "b2b"))),
        ("tags [no-such-tag]", ItemFilter(tags=("no-such-tag",))),
        ("domain J.MP", ItemFilter(domain="J.MP")),
        ("domain no.such", ItemFilter(domain="no.such")),
        ("created last 1 day", ItemFilter(created_after=now - _DAY, created_before=now + 1)),
        ("created last 2 years", ItemFilter(created_after=now - 730 * _DAY)),
        ("campaign_guid", ItemFilter(campaign_guid=campaign)),
        ("query 'sale' (common)", ItemFilter(query="sale")),
        ("query 'é' (short)", ItemFilter(query="é")),
        ("query one link id, upper-cased (rare)", ItemFilter(query=rare_id.upper(), archived="both")),
        ("query 'zzzz' (no match)", ItemFilter(query="zzzz")),
        ("query 'a OR b NEAR(' (FTS syntax)", ItemFilter(query="a OR b NEAR(")),
    ]


def run(*, links: int, seed: int, repeat: int, folder: str) -> None:
    """Build, reopen and time a store of `links` seeded links."""
    path = os.path.join(folder, "bench-store.sqlite3")
    start = time.perf_counter()
    dataset = seed_dataset(seed, links=links)
    print(f"seed dataset ({links} links in the big group): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    Store.build(dataset, path=path).close()
    print(f"build: {time.perf_counter() - start:.2f} s, size {os.path.getsize(path) / 1e6:.1f} MB")
    start = time.perf_counter()
    store = Store.open(path)
    print(f"open: {(time.perf_counter() - start) * 1000:.1f} ms")
    big = dataset.groups[0]
    now = dataset.now or 0
    rng = random.Random(seed)
    rare_id = rng.choice(big.links).id
    targets = [link.id for link in rng.sample(list(big.links), min(200, len(big.links)))]
    guid, campaign = big.guid, big.campaigns[0]
    # Hold no dataset while timing: millions of live objects make the cyclic GC pause for tens of ms.
    del dataset, big
    gc.collect()
    print(f"\nfind_* limit 1001 on the big group, {repeat} runs:  p50 / p99 ms   (rows)")
    for name, flt in _filters(now, rare_id, campaign):
        for kind, find in (("links", store.find_links), ("qr", store.find_qr_codes)):
            count = len(find(group=guid, flt=flt, limit=1001))
            p50, p99 = _timed(partial(find, group=guid, flt=flt, limit=1001), repeat)
            print(f"  {kind:5} {name:36} {p50:8.2f} / {p99:8.2f}   ({count})")
    print(f"\nmetrics for {len(targets)} targets, {repeat} runs:  p50 / p99 ms")
    for name, days in (("1 day", 1), ("2 years", 730)):
        window = partial(store.metrics, group=guid, targets=targets, start=now - days * _DAY, end=now)
        p50, p99 = _timed(window, repeat)
        print(f"  window {name:29} {p50:8.2f} / {p99:8.2f}")
    store.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run the bench in a temporary folder (or --folder)."""
    parser = argparse.ArgumentParser(prog="bench-store", description=__doc__)
    parser.add_argument("--links", type=int, default=200_000, help="links in the big seeded group")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per query")
    parser.add_argument("--folder", help="where to build (default: a temporary folder, removed afterwards)")
    args = parser.parse_args(argv)
    if args.folder:
        run(links=args.links, seed=args.seed, repeat=args.repeat, folder=args.folder)
        return
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        run(links=args.links, seed=args.seed, repeat=args.repeat, folder=folder)


if __name__ == "__main__":
    main()
