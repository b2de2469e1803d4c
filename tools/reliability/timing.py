"""`scripts/probe-403-timing`: do 403s for an existing-but-hidden group and a missing one take the same time?

Requests go through the app in-process (no socket noise), interleaved in a shuffled order so drift
and cache effects fall on every kind alike. It prints the median and quartiles of each kind and the
difference of each median from the hidden-group one, relative to the spread. It prints figures and
passes no verdict, because timings on a shared machine are not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections.abc import Sequence

from bitly_exports_contract.server.app import ExportsApp, ServerConfig
from bitly_exports_contract.store.db import Store
from bitly_exports_contract.store.seed import seed_dataset, seeded_token

from .asgi_call import RawRequest, call_app

BODY = json.dumps({"export_type": "links_list", "filter": {}}).encode()


def _request(group: str, token: str) -> RawRequest:
    headers = ((b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json"))
    return RawRequest(raw_path=f"/v4/groups/{group}/exports".encode(), headers=headers, body_chunks=(BODY,))


def kinds(store: Store) -> dict[str, RawRequest]:
    """The 403s to compare; the `other` token sees only the second group."""
    big = store.group_guids()[0]
    other = seeded_token("other")
    bad = other.replace("o", "0", 1)  # as long as a real token, one character off
    missing = "B" + "x" * (len(big) - 1)
    return {
        "hidden group": _request(big, other),
        "missing group": _request(missing, other),
        "bad token, real group": _request(big, bad),
        "bad token, missing group": _request(missing, bad),
    }


async def measure(app: ExportsApp, requests: dict[str, RawRequest], *, rounds: int) -> dict[str, list[int]]:
    """Nanoseconds of each request kind, `rounds` of each, interleaved in shuffled order."""
    order = [name for name in requests for _ in range(rounds)]
    random.Random(0).shuffle(order)
    out: dict[str, list[int]] = {name: [] for name in requests}
    for name in order[: len(requests) * 50]:  # warm-up, not counted
        await call_app(app, requests[name])
    for name in order:
        started = time.perf_counter_ns()
        response = await call_app(app, requests[name])
        out[name].append(time.perf_counter_ns() - started)
        if response.status != 403:
            raise RuntimeError(f"{name}: expected 403, got {response.status}")
    return out


def report(samples: dict[str, list[int]]) -> list[str]:
    lines = [f"{'kind':<26} {'median µs':>10} {'p25':>8} {'p75':>8} {'Δ median':>9} {'Δ / IQR':>8}"]
    base = statistics.median(samples["hidden group"])
    for name, values in samples.items():
        q1, med, q3 = statistics.quantiles(values, n=4)
        spread = max(q3 - q1, 1)
        lines.append(
            f"{name:<26} {med / 1000:>10.2f} {q1 / 1000:>8.2f} {q3 / 1000:>8.2f} "
            f"{(med - base) / 1000:>+9.2f} {(med - base) / spread:>+8.2f}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="probe-403-timing", description=__doc__)
    parser.add_argument("--rounds", type=int, default=20000, help="requests of each kind")
    args = parser.parse_args(argv)
    store = Store.build(seed_dataset(1, links=200))
    app = ExportsApp(ServerConfig(store=store))
    samples = asyncio.run(measure(app, kinds(store), rounds=args.rounds))
    print(f"403 timings, in-process, {args.rounds} requests of each kind, interleaved")
    print("\n".join(report(samples)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
