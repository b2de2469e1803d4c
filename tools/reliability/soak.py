"""`scripts/soak`: many concurrent clients against a real server, checking what load must not change.

It starts `exports-server serve` on a loopback port (optionally with several workers), asks every
probe of the mix once alone for its reference answer, then runs the clients for a bounded time and
request count. It reports requests sent, status counts, 5xx, connection errors, answers that differ
from the lone answer (200s byte for byte) and the server's resident memory after warm-up and at the
end, and exits non-zero when a promise fails.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import io
import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from bitly_exports_contract.kit.embedded import seeded_target
from bitly_exports_contract.launcher import RunningServer, start_server

from .mix import Probe, build_mix
from .rss import tree_rss_kib

MEMORY_TOLERANCE = 0.10
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


@dataclass
class Tally:
    """What the clients saw."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    bytes_mismatched: int = 0  # 200s whose body differs from the lone answer
    answers_mismatched: int = 0  # other answers whose status or body differs from the lone answer
    examples: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if len(self.examples) < 10:
            self.examples.append(problem)


@dataclass
class SoakReport:
    """The figures of one run and whether each promise held."""

    clients: int
    seconds: float
    workers: int
    probes: int
    tally: Tally
    rss_warm_kib: int
    rss_end_kib: int

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.tally.statuses.items() if status >= 500)

    @property
    def memory_growth(self) -> float:
        return (self.rss_end_kib - self.rss_warm_kib) / max(self.rss_warm_kib, 1)

    def failures(self) -> list[str]:
        out = []
        if self.tally.sent == 0:
            out.append("no request was sent")
        if self.server_errors:
            out.append(f"{self.server_errors} answers were 5xx")
        if self.tally.errors:
            out.append(f"{sum(self.tally.errors.values())} connection errors")
        if self.tally.bytes_mismatched:
            out.append(f"{self.tally.bytes_mismatched} 200 answers differ from the lone answer")
        if self.tally.answers_mismatched:
            out.append(f"{self.tally.answers_mismatched} error answers differ from the lone answer")
        if self.memory_growth > MEMORY_TOLERANCE:
            out.append(f"memory grew {self.memory_growth:.1%} after warm-up (limit {MEMORY_TOLERANCE:.0%})")
        return out

    def lines(self) -> list[str]:
        t = self.tally
        statuses = ", ".join(f"{status}={n}" for status, n in sorted(t.statuses.items()))
        errors = ", ".join(f"{name}={n}" for name, n in t.errors.most_common()) or "none"
        out = [
            f"soak: {self.clients} clients, {self.seconds:.1f} s, {self.workers} worker(s), "
            f"{self.probes} distinct requests",
            f"requests sent: {t.sent} ({t.sent / max(self.seconds, 1e-9):.0f}/s)",
            f"status counts: {statuses}",
            f"5xx: {self.server_errors}",
            f"connection errors: {sum(t.errors.values())} ({errors})",
            f"200 bytes mismatched: {t.bytes_mismatched}",
            f"other answers differing from their lone answer: {t.answers_mismatched}",
            f"server RSS: after warm-up {self.rss_warm_kib / 1024:.1f} MiB, "
            f"at end {self.rss_end_kib / 1024:.1f} MiB ({self.memory_growth:+.1%})",
        ]
        out += [f"  e.g. {example}" for example in t.examples]
        failures = self.failures()
        out.append("result: PASS" if not failures else "result: FAIL: " + "; ".join(failures))
        return out


def _csv_first_column(body: bytes) -> list[str]:
    data_uri = json.loads(body)["data_uri"]
    text = base64.b64decode(data_uri.split(",", 1)[1]).decode("utf-8")
    return [row[0] for row in list(csv.reader(io.StringIO(text, newline="")))[1:]]


async def _ask(client: httpx.AsyncClient, base_url: str, probe: Probe) -> Answer:
    response = await client.request(
        probe.method, base_url + probe.path, headers=list(probe.headers), content=probe.body
    )
    return Answer(response.status_code, response.content)


async def discover_link_ids(client: httpx.AsyncClient, server: RunningServer) -> list[str]:
    """Link ids of the first group, from a links export (for the batch probes)."""
    token = server.tokens["premium"]
    probe = Probe(
        "discover",
        f"/groups/{server.groups[0]}/exports",
        (("authorization", f"Bearer {token}"), ("content-type", "application/json")),
        json.dumps({"export_type": "links_list", "filter": {"archived": "both"}}).encode(),
    )
    answer = await _ask(client, server.base_url, probe)
    if answer.status != 200:
        raise RuntimeError(f"cannot list links to build the mix: {answer.status} {answer.body[:200]!r}")
    return _csv_first_column(answer.body)


async def reference_answers(
    client: httpx.AsyncClient, base_url: str, probes: Sequence[Probe]
) -> dict[str, Answer]:
    """Each probe asked once, alone, one after another."""
    return {probe.name: await _ask(client, base_url, probe) for probe in probes}


def _compare(tally: Tally, probe: Probe, answer: Answer, reference: Answer) -> None:
    if probe.rate_limited and answer.status == 429:
        return
    if answer.status != reference.status:
        tally.answers_mismatched += 1
        tally.note(f"{probe.name}: status {answer.status}, alone {reference.status}")
    elif answer.body != reference.body:
        if answer.status == 200:
            tally.bytes_mismatched += 1
        else:
            tally.answers_mismatched += 1
        tally.note(
            f"{probe.name}: {len(answer.body)} bytes differ from the lone answer's {len(reference.body)}"
        )


async def _client(
    index: int,
    *,
    base_url: str,
    probes: Sequence[Probe],
    reference: dict[str, Answer],
    tally: Tally,
    deadline: float,
    budget: int,
) -> None:
    rng = random.Random(index)
    weights = [p.weight for p in probes]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(timeout=TIMEOUT_S, limits=limits) as client:
        while time.monotonic() < deadline and tally.sent < budget:
            probe = rng.choices(probes, weights)[0]
            tally.sent += 1
            try:
                answer = await _ask(client, base_url, probe)
            except httpx.HTTPError as exc:
                tally.errors[type(exc).__name__] += 1
                tally.note(f"{probe.name}: {type(exc).__name__}: {exc}")
                continue
            tally.statuses[answer.status] += 1
            _compare(tally, probe, answer, reference[probe.name])


async def _sample_after(delay: float, pid: int) -> int:
    await asyncio.sleep(delay)
    return tree_rss_kib(pid)


async def run_load(
    server: RunningServer, *, clients: int, seconds: float, budget: int, warm_up: float
) -> tuple[int, Tally, int, int]:
    """(probe count, tally, RSS after warm-up, RSS at the end) of one load run against `server`."""
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
        ids = await discover_link_ids(client, server)
        roles = seeded_target(server.ready).tokens
        probes = build_mix(groups=server.groups, tokens=dict(roles), link_ids=ids)
        reference = await reference_answers(client, server.base_url, probes)
    tally = Tally()
    start = time.monotonic()
    deadline = start + seconds
    warm = asyncio.create_task(_sample_after(warm_up, server.process.pid))
    await asyncio.gather(
        *(
            _client(
                i,
                base_url=server.base_url,
                probes=probes,
                reference=reference,
                tally=tally,
                deadline=deadline,
                budget=budget,
            )
            for i in range(clients)
        )
    )
    end_rss = tree_rss_kib(server.process.pid)
    if warm.done():
        warm_rss = warm.result()
    else:  # the request budget ran out before the warm-up did
        warm.cancel()
        warm_rss = end_rss
    return len(probes), tally, warm_rss, end_rss


def run_soak(
    *, clients: int, seconds: float, budget: int, workers: int, seed: int, links: int, warm_up: float
) -> SoakReport:
    """Start a server, load it, stop it; the report of what was seen."""
    server = start_server(
        ["--seed", str(seed), "--links", str(links), "--no-faults", "--workers", str(workers)]
    )
    try:
        started = time.monotonic()
        probes, tally, warm, end = asyncio.run(
            run_load(server, clients=clients, seconds=seconds, budget=budget, warm_up=warm_up)
        )
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    return SoakReport(
        clients=clients,
        seconds=min(elapsed, seconds),
        workers=workers,
        probes=probes,
        tally=tally,
        rss_warm_kib=warm,
        rss_end_kib=end,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients run")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--seed", type=int, default=1, help="the server's seeded data set")
    parser.add_argument("--links", type=int, default=2000, help="links in the seeded big group")
    parser.add_argument("--warm-up", type=float, help="seconds of load before the first memory sample")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warm_up = args.warm_up if args.warm_up is not None else min(10.0, args.seconds / 5)
    report = run_soak(
        clients=args.clients,
        seconds=args.seconds,
        budget=args.max_requests,
        workers=args.workers,
        seed=args.seed,
        links=args.links,
        warm_up=warm_up,
    )
    print("\n".join(report.lines()))
    return 1 if report.failures() else 0


if __name__ == "__main__":
    raise SystemExit(main())
