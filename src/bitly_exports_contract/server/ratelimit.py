"""Per-token sliding 60-second rate limit, on real (monotonic) time."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class RateLimiter:
    """Counts the requests each token made in the last 60 s; `admit` answers None or a Retry-After."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, *, token: str, limit: int) -> int | None:
        """Count this request and return None, or return the whole seconds until a slot frees (>= 1)."""
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(token, deque())
            while seen and seen[0] <= now - WINDOW_SECONDS:
                seen.popleft()
            if len(seen) >= limit:
                return max(1, math.ceil(seen[0] + WINDOW_SECONDS - now))
            seen.append(now)
            return None
