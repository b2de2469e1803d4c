"""How much a run may ask of a server: a request budget, a rate ceiling, timeouts, waits, a deadline.

Every request of the suite (its own client, schemathesis, the generated client) passes one `Pacer`.
When the run cannot go on (the budget is spent, the deadline passed, the server stopped answering)
the pacer raises `RunStopped`, and refuses every later request at once.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final, NoReturn
from urllib.parse import urlsplit

from bitly_exports_contract.kit.redact import redact

ENV_MAX_REQUESTS: Final = "EXPORTS_MAX_REQUESTS"
ENV_RATE: Final = "EXPORTS_RATE"
ENV_TIMEOUT: Final = "EXPORTS_TIMEOUT"
ENV_MAX_WAIT: Final = "EXPORTS_MAX_WAIT"
ENV_DEADLINE: Final = "EXPORTS_DEADLINE"

# After this many requests in a row without an HTTP answer, the server is down or hangs: stop.
UNANSWERED_IN_A_ROW: Final = 3
# A 429 or 503 without a usable `Retry-After` is retried after this many seconds.
DEFAULT_RETRY_AFTER: Final = 1.0


@dataclass(frozen=True)
class RunLimits:
    """What a run may spend. None means no limit."""

    # Requests the whole run may send.
    max_requests: int | None
    # Requests per second, at most (client-side).
    rate: float | None
    # Seconds one request may take in all: connecting, sending, the answer's headers and body.
    timeout: float
    # Seconds the whole run may spend waiting out `Retry-After`.
    max_wait: float
    # Seconds the whole run may take.
    deadline: float | None


# The embedded server, or any server on this machine: nothing to be gentle with.
LOCAL_LIMITS: Final = RunLimits(max_requests=20_000, rate=None, timeout=30.0, max_wait=120.0, deadline=900.0)
# Any other server: the full suite sends about a thousand requests; leave room for retries and shrinking.
LIVE_LIMITS: Final = RunLimits(max_requests=3_000, rate=5.0, timeout=30.0, max_wait=300.0, deadline=3600.0)


class LimitsError(ValueError):
    """An option or environment variable for the limits is not a valid number."""


def is_local(base_url: str | None) -> bool:
    """Whether a base URL is on this machine (no base URL: the embedded server)."""
    if base_url is None:
        return True
    host = urlsplit(base_url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _number(
    name: str, option: float | None, env: str, environ: Mapping[str, str], *, integer: bool
) -> float | None:
    if option is not None:
        value: float = option
        source = f"--{name}"
    elif environ.get(env):
        source = env
        try:
            value = int(environ[env]) if integer else float(environ[env])
        except ValueError:
            raise LimitsError(f"{env} must be a number, got {environ[env]!r}") from None
    else:
        return None
    if not math.isfinite(value) or value < 0:
        raise LimitsError(f"{source} must be a number >= 0, got {value!r}")
    return value


def limits_from_options(
    *,
    base_url: str | None,
    max_requests: int | None = None,
    rate: float | None = None,
    timeout: float | None = None,
    max_wait: float | None = None,
    deadline: float | None = None,
    environ: Mapping[str, str],
) -> RunLimits:
    """The limits of a run: options, else the `EXPORTS_*` environment, else the defaults for where the
    server is. For the budget, the rate and the deadline, 0 means no limit."""
    defaults = LOCAL_LIMITS if is_local(base_url) else LIVE_LIMITS
    budget = _number("max-requests", max_requests, ENV_MAX_REQUESTS, environ, integer=True)
    ceiling = _number("rate", rate, ENV_RATE, environ, integer=False)
    per_request = _number("timeout", timeout, ENV_TIMEOUT, environ, integer=False)
    waiting = _number("max-wait", max_wait, ENV_MAX_WAIT, environ, integer=False)
    overall = _number("deadline", deadline, ENV_DEADLINE, environ, integer=False)
    if per_request == 0:
        raise LimitsError("--timeout must be more than 0")

    def unless_zero(value: float | None, default: float | None) -> float | None:
        return default if value is None else (value or None)

    limit = unless_zero(budget, defaults.max_requests)
    return RunLimits(
        max_requests=int(limit) if limit is not None else None,
        rate=unless_zero(ceiling, defaults.rate),
        timeout=defaults.timeout if per_request is None else per_request,
        max_wait=defaults.max_wait if waiting is None else waiting,
        deadline=unless_zero(overall, defaults.deadline),
    )


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float:
    """The wait a `Retry-After` value asks for: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return DEFAULT_RETRY_AFTER
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RunStopped(BaseException):
    """The run cannot go on: the budget is spent, the deadline passed, or the server stopped answering.

    A BaseException, so that hypothesis does not catch it and shrink (every later request would be
    refused anyway): it goes straight to pytest, which reports the test and stops the session.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(reason)

    def render(self) -> str:
        lines = [f"Run stopped: {self.reason}"]
        lines += [f"  {line}" for line in self.detail.splitlines()]
        return redact("\n".join(lines))

    def __str__(self) -> str:
        return self.render()


class Pacer:
    """Counts, spaces and bounds a run's requests; shared by every client of the run."""

    def __init__(
        self,
        limits: RunLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._started = clock()
        self._next_slot = self._started
        self._in_a_row = 0
        self.sent = 0
        self.unanswered = 0
        self.waited = 0.0
        # Server errors that one more try answered properly (a live server's passing fault).
        self.transient_errors = 0
        self.stop_reason: str | None = None
        # What the run is doing now, and the requests each such family of rules has sent.
        self.family = "setup"
        self.by_family: dict[str, int] = {}

    def remaining(self) -> float | None:
        """Seconds left before the run's deadline, None without one."""
        if self.limits.deadline is None:
            return None
        return self.limits.deadline - (self._clock() - self._started)

    def _deadline_reason(self) -> str:
        return f"the run's deadline of {self.limits.deadline:g} s passed (--deadline, EXPORTS_DEADLINE)"

    def stop(self, reason: str, detail: str = "") -> NoReturn:
        """Stop the run: raise now, and refuse every later request."""
        self.stop_reason = self.stop_reason or reason
        raise RunStopped(self.stop_reason, detail)

    def stop_for_deadline(self, detail: str = "") -> NoReturn:
        self.stop(self._deadline_reason(), detail)

    def acquire(self) -> float:
        """Take one request from the budget and wait for its turn under the rate.

        Returns the seconds that request may take: the timeout, or less when the deadline is nearer.
        """
        limits = self.limits
        with self._lock:
            if self.stop_reason is not None:
                raise RunStopped(self.stop_reason)
            if limits.max_requests is not None and self.sent >= limits.max_requests:
                self.stop(
                    f"request budget of {limits.max_requests} exhausted (--max-requests, "
                    "EXPORTS_MAX_REQUESTS; or run a subset with -k)"
                )
            now = self._clock()
            wait = 0.0
            if limits.rate:
                slot = max(now, self._next_slot)
                wait = slot - now
                self._next_slot = slot + 1.0 / limits.rate
            remaining = self.remaining()
            if remaining is not None and remaining - wait <= 0:
                self.stop_for_deadline()
            self.sent += 1
            self.by_family[self.family] = self.by_family.get(self.family, 0) + 1
        if wait > 0:
            self._sleep(wait)
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            self.stop_for_deadline()
        return limits.timeout if remaining is None else min(limits.timeout, remaining)

    def answered(self) -> None:
        """A request got an HTTP answer."""
        with self._lock:
            self._in_a_row = 0

    def unanswered_request(self) -> bool:
        """A request got no HTTP answer; True when that makes too many in a row and the run stops."""
        with self._lock:
            self.unanswered += 1
            self._in_a_row += 1
            if self._in_a_row >= UNANSWERED_IN_A_ROW and self.stop_reason is None:
                self.stop_reason = (
                    f"the server left {self._in_a_row} requests in a row without an answer: it is down, "
                    "hangs or drops connections"
                )
            return self.stop_reason is not None

    def wait_retry_after(self, seconds: float, *, status: int) -> None:
        """Wait as a 429 or 503 asked, within the run's waiting allowance and deadline."""
        with self._lock:
            left = self.limits.max_wait - self.waited
            if seconds > left:
                self.stop(
                    f"the server answered {status} with Retry-After {seconds:g} s, more than the {left:g} s "
                    f"left of the run's waiting allowance of {self.limits.max_wait:g} s (--max-wait, "
                    "EXPORTS_MAX_WAIT); lower --rate to be limited less"
                )
            remaining = self.remaining()
            if remaining is not None and seconds >= remaining:
                self.stop_for_deadline(f"(the server answered {status} with Retry-After {seconds:g} s)")
            self.waited += seconds
        self._sleep(seconds)

    def families(self) -> str:
        """Requests by family of rules, most first."""
        ranked = sorted(self.by_family.items(), key=lambda pair: (-pair[1], pair[0]))
        return ", ".join(f"{family} {count}" for family, count in ranked)

    def summary(self) -> str:
        """The run's figures in a line."""
        parts = [f"{self.sent} request(s) sent"]
        if self.limits.max_requests is not None:
            parts[0] += f" (budget {self.limits.max_requests})"
        if self.waited:
            parts.append(f"{self.waited:g} s spent waiting out Retry-After")
        if self.unanswered:
            parts.append(f"{self.unanswered} left unanswered")
        if self.transient_errors:
            parts.append(f"{self.transient_errors} passing server error(s) answered properly when sent again")
        return ", ".join(parts)
