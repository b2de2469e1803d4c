"""Sets of item keys that one filter value selects, kept as bitsets (Python ints) to intersect at once.

Several filters that are each common can together be rare: a campaign of 68,536 links, two tags on
182,688 and a domain on 550,389 keep about 7,000 of 1,000,000 links. No one of them names few enough
items to start from, and walking the group in export order reads some 150,000 items to find 1,000. The
key set of each value makes their intersection a few word-wise ANDs and its size a popcount, with no
rows read; its keys then go to the candidate plan, which applies the other conditions in SQL.

A value's set is named by (field, params), e.g. ("tag", (gkey, "promo")); a field's SQL selects the keys
`k` of one value. The build stores the set of every common value (at least STORED_MIN items) in the
`key_sets` table as a bitset blob (bit k of byte k // 8, little-endian: `int.from_bytes`), so a first
use reads one blob (~140 KB at 1,100,000 keys, well under a millisecond) instead of every key (about
0.1 s for 500,000); rarer values, and stores built before the table, read their keys. Sets once used are
kept (KEPT_SETS); the store is read-only, so a kept set is always right.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence

import orjson

from .cache import BoundedCache

KEPT_SETS = 64  # bitsets kept per store and kind; each is max key / 8 bytes (about 140 KB at 1,100,000 items)
STORED_MIN = 1_000  # the build stores the set of each value naming at least this many items
SetName = tuple[str, tuple[object, ...]]  # (field, params of the field's SQL)


class KeySets:
    """Bitsets of the keys each filter value of one kind of item selects: stored, else read; kept."""

    def __init__(self, conn: sqlite3.Connection, *, kind: str, fields: Mapping[str, str]) -> None:
        self._conn = conn
        self._kind = kind
        self._fields = dict(fields)
        self._sets: BoundedCache[SetName, int] = BoundedCache(KEPT_SETS)
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'key_sets'")
        self.stored = found.fetchone() is not None

    def of(self, name: SetName) -> int:
        """The keys the value `name` selects, as an int with bit k set for each."""
        found = self._sets.get(name)
        if found is None:
            field, params = name
            blob = None
            if self.stored:
                row = self._conn.execute(
                    "SELECT bits FROM key_sets WHERE kind = ? AND field = ? AND params = ?",
                    (self._kind, field, set_params(params)),
                ).fetchone()
                blob = None if row is None else row[0]
            if blob is not None:
                found = int.from_bytes(blob, "little")
            else:
                found = bitset([key for (key,) in self._conn.execute(self._fields[field], params)])
            self._sets.remember({name: found})
        return found

    def common(self, sources: Sequence[Iterable[SetName]]) -> int:
        """The keys every source names, as a bitset; a source names the union of its values' sets."""
        bits = -1  # every bit set
        for names in sources:
            union = 0
            for name in names:
                union |= self.of(name)
            bits &= union
            if not bits:
                break
        return bits


def set_params(params: Sequence[object]) -> str:
    """How a value's params are written in the `key_sets` table (JSON)."""
    return orjson.dumps(list(params)).decode()


def bitset(keys: Iterable[int]) -> int:
    """An int with bit k set for each key k >= 0."""
    return int.from_bytes(bitset_bytes(keys), "little")


def bitset_bytes(keys: Iterable[int]) -> bytes:
    """The little-endian bytes of `bitset(keys)` (b"" for no keys)."""
    wanted = list(keys)
    if not wanted:
        return b""
    raw = bytearray(max(wanted) // 8 + 1)
    for key in wanted:
        raw[key >> 3] |= 1 << (key & 7)
    return bytes(raw)


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
