"""The one kind of cache the store keeps: a dict that is emptied before it would grow past its cap.

The store is read-only, so a kept value is always right and nothing needs evicting one by one; a full
cache starts again. It is a dict, so lookups stay C-level (`map(cache.get, ids)` over a 1000-row page).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """Values by key, at most `cap` of them: `remember` empties the cache first when they would pass it."""

    __slots__ = ("cap",)

    def __init__(self, cap: int) -> None:
        super().__init__()
        if cap < 1:
            raise ValueError(f"a cache holds at least one value, got cap={cap}")
        self.cap = cap

    def remember(self, read: Mapping[K, V]) -> Mapping[K, V]:
        """Keep `read` (emptying the cache first if it would pass its cap); returns `read`."""
        if len(self) + len(read) > self.cap:
            self.clear()
        self.update(read)
        return read

    def remember_keys(self, keys: Iterable[K], value: V) -> None:
        """Keep each key with the same value (a bounded set)."""
        self.remember(dict.fromkeys(keys, value))
