"""Sets of item keys that one filter value selects, kept as bitsets (Python ints) to intersect at once.

Several filters that are each common can together be rare: a campaign of 68,536 links, two tags on
182,688 and a domain on 550,389 keep about 7,000 of 1,000,000 links. No one of them names few enough
items to start from, and walking the group in export order reads some 150,000 items to find 1,000. The
key set of each value, read once and kept, makes their intersection a few word-wise ANDs and its size a
popcount, with no rows read; its keys then go to the candidate plan, which applies the other
conditions in SQL. The first use of a value reads all its keys (about 0.1 s for 500,000); the store is
read-only, so a kept set is always right.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

KEPT_SETS = 64  # bitsets kept per store; each is max key / 8 bytes (about 140 KB at 1,100,000 items)


class KeySets:
    """Bitsets of the keys each candidate source selects, read on first use and kept (KEPT_SETS)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._sets: dict[tuple[str, tuple[object, ...]], int] = {}

    def of(self, sql: str, params: Sequence[object]) -> int:
        """The keys `sql` (selecting `k`) names, as an int with bit k set for each."""
        wanted = (sql, tuple(params))
        found = self._sets.get(wanted)
        if found is None:
            keys = [key for (key,) in self._conn.execute(sql, params)]
            found = bitset(keys)
            if len(self._sets) >= KEPT_SETS:
                self._sets.clear()
            self._sets[wanted] = found
        return found

    def common(self, sources: Sequence[tuple[str, Sequence[object]]]) -> int:
        """The keys every source names, as a bitset."""
        bits = -1  # every bit set
        for sql, params in sources:
            bits &= self.of(sql, params)
            if not bits:
                break
        return bits


def bitset(keys: Sequence[int]) -> int:
    """An int with bit k set for each key k >= 0."""
    if not keys:
        return 0
    raw = bytearray(max(keys) // 8 + 1)
    for key in keys:
        raw[key >> 3] |= 1 << (key & 7)
    return int.from_bytes(raw, "little")


def keys_of(bits: int) -> list[int]:
    """The set bits of a non-negative int, ascending."""
    text = bin(bits)  # '0b1...': the highest bit first
    top = len(text) - 3
    out: list[int] = []
    at = text.find("1", 2)
    while at != -1:
        out.append(top - (at - 2))
        at = text.find("1", at + 1)
    out.reverse()
    return out
