"""Per-token sliding 60-second rate limit on real (monotonic) time, CONTRACT §7 "Order of decisions" 4.

`RateLimiter` keeps the counts in the process: exact for one worker. `SharedRateLimiter` keeps them in a
SQLite file that every worker of one server opens, and decides each request inside one write
transaction, so the limit is exact whatever the number of workers and however their requests interleave.
Both read the clock only once they hold their lock: the order of the timestamps is the order of decisions.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

WINDOW_SECONDS = 60.0


class Admission(Protocol):
    """What the app asks of a rate limiter."""

    def admit(self, *, token: str, limit: int) -> int | None:
        """Count this request and return None, or return the whole seconds until a slot frees (>= 1)."""


def retry_after(oldest: float, now: float) -> int:
    """Whole seconds until a request counted at `oldest` leaves the window, at least 1."""
    return max(1, math.ceil(oldest + WINDOW_SECONDS - now))


class RateLimiter:
    """Counts the requests each token made in the last 60 s, in this process."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, *, token: str, limit: int) -> int | None:
        """Count this request and return None, or return the whole seconds until a slot frees (>= 1)."""
        with self._lock:
            now = self._clock()
            seen = self._seen.setdefault(token, deque())
            while seen and seen[0] <= now - WINDOW_SECONDS:
                seen.popleft()
            if len(seen) >= limit:
                return retry_after(seen[0], now)
            seen.append(now)
            return None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (token TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS hits_token_at ON hits (token, at);
"""


class SharedRateLimiter:
    """Counts the requests each token made in the last 60 s in a SQLite file shared by processes.

    The file holds one row per counted request. `BEGIN IMMEDIATE` takes SQLite's write lock before the
    clock is read, so two workers never both see the last free slot. WAL with `synchronous = OFF`: the
    counts only need to outlive a worker, not the machine, so no write waits for the disk. The clock
    must be one that all processes share: `time.monotonic` is the system-wide CLOCK_MONOTONIC on Linux.
    """

    def __init__(self, path: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.executescript(_SCHEMA)

    def admit(self, *, token: str, limit: int) -> int | None:
        """Count this request and return None, or return the whole seconds until a slot frees (>= 1)."""
        conn = self._conn
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                now = self._clock()
                conn.execute("DELETE FROM hits WHERE token = ? AND at <= ?", (token, now - WINDOW_SECONDS))
                count, oldest = conn.execute(
                    "SELECT count(*), min(at) FROM hits WHERE token = ?", (token,)
                ).fetchone()
                if count >= limit:
                    return retry_after(oldest, now)
                conn.execute("INSERT INTO hits (token, at) VALUES (?, ?)", (token, now))
                return None
            finally:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()
