"""The two kinds of item a group holds, links and QR codes: for each, its SQL, its row factory and its cache.

An `ItemKind` says what is fixed for a kind (the query layout of store/query.py, the statements that
read whole rows by key and by id, how a database row becomes a LinkRow or a QrRow); `Items` is one
store's kind with the rows it has read so far.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any, NamedTuple

import orjson

from .cache import BoundedCache
from .query import LINKS, QR_CODES, Kind, Row


class Cached(NamedTuple):
    """A row the store has read: its group key, its item key (which names its engagement series), itself."""

    gkey: int
    key: int
    row: Any  # LinkRow | QrRow


@dataclass(frozen=True)
class ItemKind:
    """One kind of item: its query layout, its statements by key and by id, and its row factory."""

    name: str
    query: Kind
    by_keys: str  # whole rows of the keys in a JSON list
    by_ids: str  # whole rows of the ids in a JSON list, in one group
    make: Callable[[Iterable[Row]], dict[str, Cached]]  # database rows -> cached items by id


class Items:
    """One store's items of one kind: the kind, and the rows read so far (emptied when full)."""

    __slots__ = ("kind", "cache")

    def __init__(self, kind: ItemKind, *, cap: int) -> None:
        self.kind = kind
        self.cache: BoundedCache[str, Cached] = BoundedCache(cap)


@functools.lru_cache(maxsize=8192)
def _tags(raw: str) -> tuple[str, ...]:
    """A stored JSON list of tags; the same few lists recur across a group's items."""
    return tuple(orjson.loads(raw))


# tuple.__new__ straight away: a NamedTuple's own __new__ is a Python function, ~0.15 ms per 1,000 rows
_new = tuple.__new__

# How a stored column becomes its row field, by name; every other field is the column as it is.
CONVERT: dict[str, Callable[[Any], Any]] = {"archived": (1).__eq__, "tags": _tags}


def row_factory(kind: Kind) -> Callable[[Iterable[Row]], dict[str, Cached]]:
    """Database rows of `kind.columns` -> cached items by id, each field taken by its column's name.

    The positions are worked out once from the names (`kind.at`); a batch of rows is then turned into
    columns and back with zip and map, with no Python-level call per row (a cold 1000-row export reads
    1,000 rows; keyword construction would cost ~1 ms of it).
    """
    at = kind.at
    fields: tuple[str, ...] = kind.row_type._fields  # type: ignore[attr-defined]
    order = [at[name] for name in fields]
    convert = [(at[name], CONVERT[name]) for name in fields if name in CONVERT]
    row_type = kind.row_type
    ident, key, gkey = at["id"], at["key"], at["gkey"]

    def make(rows: Iterable[Row]) -> dict[str, Cached]:
        columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
        if not columns:
            return {}
        for index, function in convert:
            columns[index] = map(function, columns[index])
        made = map(_new, repeat(row_type), zip(*[columns[index] for index in order], strict=True))
        kept = map(_new, repeat(Cached), zip(columns[gkey], columns[key], made, strict=True))
        return dict(zip(columns[ident], kept, strict=True))

    return make


def _by_keys(kind: Kind) -> str:
    return f"SELECT {kind.columns} FROM {kind.table} AS l WHERE l.key IN (SELECT value FROM json_each(?))"


def _by_ids(kind: Kind) -> str:
    return (
        f"SELECT {kind.columns} FROM {kind.table} AS l INDEXED BY {kind.table}_id "
        "WHERE l.id IN (SELECT value FROM json_each(?)) AND l.gkey = ?"
    )


LINK_ITEMS = ItemKind(
    name="links", query=LINKS, by_keys=_by_keys(LINKS), by_ids=_by_ids(LINKS), make=row_factory(LINKS)
)
QR_ITEMS = ItemKind(
    name="QR codes",
    query=QR_CODES,
    by_keys=_by_keys(QR_CODES),
    by_ids=_by_ids(QR_CODES),
    make=row_factory(QR_CODES),
)
