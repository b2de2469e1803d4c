"""Per-token rate limits: the sliding 60-second window, in one process and shared by several."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from bitly_exports_contract.server.ratelimit import RateLimiter, SharedRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["in-process", "shared"])
def two_workers(request, tmp_path):
    """Two limiters that must count as one, on one settable clock (two workers of one server)."""
    clock = Clock()
    if request.param == "in-process":
        limiter = RateLimiter(clock=clock)
        yield clock, limiter, limiter
        return
    first = SharedRateLimiter(str(tmp_path / "rates.sqlite3"), clock=clock)
    second = SharedRateLimiter(str(tmp_path / "rates.sqlite3"), clock=clock)
    yield clock, first, second
    first.close()
    second.close()


def test_the_limit_counts_requests_of_every_worker_and_retry_after_names_the_oldest(two_workers):
    clock, first, second = two_workers
    assert first.admit(token="t", limit=3) is None  # t = 1000
    clock.now += 10.2
    assert second.admit(token="t", limit=3) is None
    clock.now += 10
    assert first.admit(token="t", limit=3) is None  # t = 1020.2: three counted
    clock.now += 5
    assert second.admit(token="t", limit=3) == 35  # the first leaves at 1060: 34.8 s, in whole seconds up
    assert first.admit(token="t", limit=3) == 35  # a 429 is not counted
    clock.now = 1059.5
    assert second.admit(token="t", limit=3) == 1  # half a second left: at least 1
    clock.now = 1060.0
    assert first.admit(token="t", limit=3) is None  # the first has left: a slot is free
    assert second.admit(token="t", limit=3) == 11  # 1070.2 - 1060, up


def test_tokens_are_counted_apart(two_workers):
    _, first, second = two_workers
    assert first.admit(token="a", limit=1) is None
    assert second.admit(token="b", limit=1) is None
    assert second.admit(token="a", limit=1) == 60
    assert first.admit(token="b", limit=1) == 60


def _hammer(path: str, start: Any, requests: int, out: Any) -> None:
    limiter = SharedRateLimiter(path)
    start.wait()
    answers = [limiter.admit(token="tok", limit=37) for _ in range(requests)]
    out.put(answers)


@pytest.mark.parametrize("processes", [2, 4])
def test_processes_deciding_at_once_admit_exactly_the_limit(tmp_path: Path, processes: int):
    path = str(tmp_path / "rates.sqlite3")
    SharedRateLimiter(path).close()
    ctx = multiprocessing.get_context("spawn")  # as uvicorn starts its workers
    start = ctx.Event()
    out = ctx.Queue()
    workers = [ctx.Process(target=_hammer, args=(path, start, 40, out)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.set()
    answers = [answer for _ in workers for answer in out.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=60)
    admitted = [a for a in answers if a is None]
    refused = [a for a in answers if a is not None]
    assert len(admitted) == 37
    assert len(refused) == 40 * processes - 37
    assert all(55 <= seconds <= 60 for seconds in refused), sorted(set(refused))
