from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bitly_exports_contract.kit.limits import (
    LIVE_LIMITS,
    LOCAL_LIMITS,
    UNANSWERED_IN_A_ROW,
    LimitsError,
    Pacer,
    RunLimits,
    RunStopped,
    is_local,
    limits_from_options,
    retry_after_seconds,
)


class FakeClock:
    """A monotonic clock that only moves when the pacer sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _pacer(clock: FakeClock, **limits: float | int | None) -> Pacer:
    base = RunLimits(max_requests=None, rate=None, timeout=30.0, max_wait=60.0, deadline=None)
    return Pacer(RunLimits(**{**base.__dict__, **limits}), clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


def test_the_budget_stops_the_run_and_every_later_request() -> None:
    pacer = _pacer(FakeClock(), max_requests=3)
    for _ in range(3):
        pacer.acquire()
    with pytest.raises(RunStopped, match="request budget of 3 exhausted"):
        pacer.acquire()
    with pytest.raises(RunStopped, match="request budget of 3 exhausted"):
        pacer.acquire()
    assert pacer.sent == 3


def test_the_rate_spaces_requests() -> None:
    clock = FakeClock()
    pacer = _pacer(clock, rate=10.0)
    for _ in range(5):
        pacer.acquire()
    assert clock.slept == pytest.approx([0.1] * 4)
    clock.now += 5  # an idle spell earns no burst beyond the next slot
    pacer.acquire()
    pacer.acquire()
    assert clock.slept[-1] == pytest.approx(0.1)


def test_a_request_gets_what_is_left_of_the_deadline() -> None:
    clock = FakeClock()
    pacer = _pacer(clock, timeout=30.0, deadline=100.0)
    assert pacer.acquire() == 30.0
    clock.now += 90
    assert pacer.acquire() == pytest.approx(10.0)
    clock.now += 10
    with pytest.raises(RunStopped, match="deadline of 100 s passed"):
        pacer.acquire()


def test_a_rate_wait_past_the_deadline_stops_the_run() -> None:
    clock = FakeClock()
    pacer = _pacer(clock, rate=0.01, deadline=50.0)
    pacer.acquire()
    with pytest.raises(RunStopped, match="deadline"):
        pacer.acquire()
    assert clock.slept == []


def test_retry_after_is_waited_within_the_allowance() -> None:
    clock = FakeClock()
    pacer = _pacer(clock, max_wait=10.0)
    pacer.wait_retry_after(4, status=429)
    pacer.wait_retry_after(6, status=503)
    assert clock.slept == [4, 6]
    with pytest.raises(RunStopped, match="Retry-After 1 s, more than the 0 s left"):
        pacer.wait_retry_after(1, status=429)


def test_a_retry_after_past_the_deadline_stops_the_run_without_waiting() -> None:
    clock = FakeClock()
    pacer = _pacer(clock, max_wait=600.0, deadline=20.0)
    with pytest.raises(RunStopped, match="deadline"):
        pacer.wait_retry_after(30, status=429)
    assert clock.slept == []


def test_requests_left_unanswered_in_a_row_stop_the_run() -> None:
    pacer = _pacer(FakeClock())
    assert not pacer.unanswered_request()
    pacer.answered()
    for _ in range(UNANSWERED_IN_A_ROW - 1):
        assert not pacer.unanswered_request()
    assert pacer.unanswered_request()
    with pytest.raises(RunStopped, match="without an answer"):
        pacer.acquire()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param(None, 1.0, id="missing"),
        pytest.param("7", 7.0, id="delay-seconds"),
        pytest.param("Wed, 26 Nov 2025 00:00:30 GMT", 30.0, id="http-date"),
        pytest.param("Wed, 26 Nov 2025 00:00:00 GMT", 0.0, id="http-date-past"),
        pytest.param("soon", 1.0, id="garbage"),
        pytest.param("-5", 1.0, id="negative"),
    ],
)
def test_retry_after_values(value: str | None, seconds: float) -> None:
    assert retry_after_seconds(value, now=datetime(2025, 11, 26, tzinfo=UTC)) == seconds


@pytest.mark.parametrize(
    ("base_url", "local"),
    [
        pytest.param(None, True, id="embedded"),
        pytest.param("http://127.0.0.1:8000/v4", True, id="ipv4-loopback"),
        pytest.param("http://[::1]:8000/v4", True, id="ipv6-loopback"),
        pytest.param("http://localhost:8000/v4", True, id="localhost"),
        pytest.param("https://api-ssl.bitly.com/v4", False, id="remote"),
        pytest.param("http://10.0.0.5/v4", False, id="private-network"),
    ],
)
def test_where_the_server_is(base_url: str | None, local: bool) -> None:
    assert is_local(base_url) is local


def test_limits_come_from_options_then_the_environment_then_defaults() -> None:
    assert limits_from_options(base_url=None, environ={}) == LOCAL_LIMITS
    assert limits_from_options(base_url="https://api-ssl.bitly.com/v4", environ={}) == LIVE_LIMITS
    env = {
        "EXPORTS_MAX_REQUESTS": "50",
        "EXPORTS_RATE": "2.5",
        "EXPORTS_TIMEOUT": "4",
        "EXPORTS_DEADLINE": "0",
    }
    limits = limits_from_options(base_url="https://x.example/v4", max_requests=9, environ=env)
    assert (limits.max_requests, limits.rate, limits.timeout, limits.deadline) == (9, 2.5, 4.0, None)
    assert limits.max_wait == LIVE_LIMITS.max_wait
    assert limits_from_options(base_url=None, rate=0, max_requests=0, environ={}).max_requests is None


@pytest.mark.parametrize(
    ("options", "environ", "message"),
    [
        pytest.param({"timeout": 0.0}, {}, "--timeout must be more than 0", id="zero-timeout"),
        pytest.param({"rate": -1.0}, {}, "--rate must be a number >= 0", id="negative-rate"),
        pytest.param({}, {"EXPORTS_DEADLINE": "soon"}, "EXPORTS_DEADLINE must be a number", id="env-garbage"),
        pytest.param({"max_wait": float("inf")}, {}, "--max-wait", id="infinite-wait"),
    ],
)
def test_bad_limits_are_refused(options: dict[str, float], environ: dict[str, str], message: str) -> None:
    with pytest.raises(LimitsError, match=message):
        limits_from_options(base_url=None, environ=environ, **options)  # type: ignore[arg-type]
