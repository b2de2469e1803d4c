"""The soak, short: 8 clients for 3 s against a real server, one worker and two; and its verdicts."""

from __future__ import annotations

from collections import Counter

import pytest

from tools.reliability.soak import SoakReport, Tally, run_soak


@pytest.mark.slow
@pytest.mark.parametrize("workers", [pytest.param(1, id="one-worker"), pytest.param(2, id="two-workers")])
def test_a_short_soak_keeps_every_promise(workers: int) -> None:
    report = run_soak(clients=8, seconds=3, budget=20_000, workers=workers, seed=3, links=300, warm_up=1.0)
    assert report.failures() == [], "\n".join(report.lines())
    assert {200, 400, 402, 403, 404, 405, 422} <= set(report.tally.statuses)


def report_of(**changes: object) -> SoakReport:
    tally = Tally(sent=100, statuses=Counter({200: 90, 400: 10}))
    report = SoakReport(
        clients=1, seconds=1, workers=1, probes=1, tally=tally, rss_warm_kib=1000, rss_end_kib=1050
    )
    for name, value in changes.items():
        target = tally if hasattr(tally, name) else report
        setattr(target, name, value)
    return report


@pytest.mark.parametrize(
    ("changes", "failure"),
    [
        pytest.param({"statuses": Counter({200: 99, 500: 1})}, "1 answers were 5xx", id="5xx"),
        pytest.param({"errors": Counter({"ReadError": 2})}, "2 connection errors", id="connection-errors"),
        pytest.param({"bytes_mismatched": 3}, "3 200 answers differ", id="bytes-mismatched"),
        pytest.param({"answers_mismatched": 1}, "1 error answers differ", id="errors-mismatched"),
        pytest.param({"rss_end_kib": 1101}, "memory grew 10.1%", id="memory-growth"),
        pytest.param({"sent": 0}, "no request was sent", id="nothing-sent"),
    ],
)
def test_a_broken_promise_fails_the_soak(changes: dict[str, object], failure: str) -> None:
    assert report_of().failures() == []
    failures = report_of(**changes).failures()
    assert len(failures) == 1 and failures[0].startswith(failure)
