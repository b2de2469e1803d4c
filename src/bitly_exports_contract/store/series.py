"""Engagement series a store keeps in memory: a target's running sums, read whole when asked for again.

The `eng` table holds, per target key, one row of running totals per instant with engagements. A
window's counts are the totals at its end minus the totals just before its start. SQL gets those with
two index seeks per bound; a kept series answers with two binary searches in Python, about a fifth of
the cost. Reading a whole series costs more than the seeks, so a target's series is read the second
time its metrics are asked for: a target asked for once never pays for it.
"""

from __future__ import annotations

import sqlite3
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter

import orjson

from .cache import BoundedCache

# Targets whose series a store keeps (about 1 KB each at ~20 instants); the map is emptied before it
# would pass this many. Targets seen once are remembered up to the same number.
SERIES_CACHE_CAP = 50_000

_SERIES = "SELECT tk, at, cc, cs, cb FROM eng WHERE tk IN (SELECT value FROM json_each(?)) ORDER BY tk, at"
_EMPTY = (array("q"), array("q"))
_TK = itemgetter(0)

# instants ascending; the (clicks, scans, button_clicks) totals at each, flattened
Series = tuple["array[int]", "array[int]"]


class SeriesCache:
    """The kept series of one store, and the targets asked for once so far."""

    def __init__(self) -> None:
        self._series: BoundedCache[int, Series] = BoundedCache(SERIES_CACHE_CAP)
        self._seen: BoundedCache[int, None] = BoundedCache(SERIES_CACHE_CAP)  # a bounded set

    def __len__(self) -> int:
        return len(self._series)

    def take(self, conn: sqlite3.Connection, keys: Iterable[int]) -> tuple[dict[int, Series], list[int]]:
        """(series of the keys kept or read now, keys still to be answered by SQL seeks)."""
        kept: dict[int, Series] = {}
        again: list[int] = []
        first: list[int] = []
        series, seen = self._series, self._seen
        for key in keys:
            found = series.get(key)
            if found is not None:
                kept[key] = found
            elif key in seen:
                again.append(key)
            else:
                first.append(key)
        if again:
            kept.update(series.remember(_read(conn, again)))
            for key in again:
                seen.pop(key, None)
        if first:
            seen.remember_keys(first, None)
        return kept, first


def _read(conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, Series]:
    rows = conn.execute(_SERIES, (orjson.dumps(keys).decode(),)).fetchall()
    out = dict.fromkeys(keys, _EMPTY)
    for key, group in groupby(rows, key=_TK):
        items = list(group)
        out[key] = (array("q", [row[1] for row in items]), array("q", [n for row in items for n in row[2:]]))
    return out


def window_counts(series: Series, upper: int, below: int | None) -> tuple[int, int, int] | None:
    """Totals at `upper` minus totals at `below` (None: nothing before); None when nothing by `upper`."""
    instants, sums = series
    hi = bisect_right(instants, upper) - 1
    if hi < 0:
        return None
    h = 3 * hi
    lo = -1 if below is None else bisect_right(instants, below) - 1
    if lo < 0:
        return (sums[h], sums[h + 1], sums[h + 2])
    low = 3 * lo
    return (sums[h] - sums[low], sums[h + 1] - sums[low + 1], sums[h + 2] - sums[low + 2])
