"""The two kinds of item a group holds, links and QR codes: for each, its SQL, its row factory and its cache.

An `ItemKind` says what is fixed for a kind (the query layout of store/query.py, the statements that
read whole rows by key and by id, how a database row becomes a LinkRow or a QrRow); `Items` is one
store's kind with the rows it has read so far.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from .cache import BoundedCache
from .errors import StoreError
from .query import LINKS, QR_CODES, Kind, Row
from .rows import LinkRow, QrRow


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
    row_type: type[tuple[Any, ...]]
    by_keys: str  # whole rows of the keys in a JSON list
    by_ids: str  # whole rows of the ids in a JSON list, in one group
    make: Callable[[Iterable[Row]], dict[str, Cached]]  # database rows -> cached items by id

    def __post_init__(self) -> None:
        # The factories unpack rows by position for speed; the names of the columns selected must be
        # id, key, gkey, then the row type's own fields after its id, in its order.
        selected = tuple(column.strip().removeprefix("l.") for column in self.query.columns.split(","))
        wanted = ("id", "key", "gkey", *self.row_type._fields[1:])  # type: ignore[attr-defined]
        if selected != wanted:
            raise StoreError(f"{self.name}: the query selects {selected}, the rows need {wanted}")


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


# One comprehension per kind, no call per row: a cold 1000-row export reads 1,000 of them. The names
# unpacked are the columns' (ItemKind checks them against the query's column list).
def _link_items(rows: Iterable[Row]) -> dict[str, Cached]:
    return {
        id: _new(
            Cached, (gkey, key, _new(LinkRow, (id, title, long_url, created, archived == 1, _tags(tags))))
        )
        for id, key, gkey, title, long_url, created, archived, tags in rows
    }


def _qr_items(rows: Iterable[Row]) -> dict[str, Cached]:
    return {
        id: _new(
            Cached,
            (
                gkey,
                key,
                _new(
                    QrRow,
                    (id, title, qr_code_type, bitlink, long_url, created, archived == 1, _tags(tags)),
                ),
            ),
        )
        for id, key, gkey, title, qr_code_type, bitlink, long_url, created, archived, tags in rows
    }


def _by_keys(kind: Kind) -> str:
    return f"SELECT {kind.columns} FROM {kind.table} AS l WHERE l.key IN (SELECT value FROM json_each(?))"


def _by_ids(kind: Kind) -> str:
    return (
        f"SELECT {kind.columns} FROM {kind.table} AS l INDEXED BY {kind.table}_id "
        "WHERE l.id IN (SELECT value FROM json_each(?)) AND l.gkey = ?"
    )


LINK_ITEMS = ItemKind(
    name="links",
    query=LINKS,
    row_type=LinkRow,
    by_keys=_by_keys(LINKS),
    by_ids=_by_ids(LINKS),
    make=_link_items,
)
QR_ITEMS = ItemKind(
    name="QR codes",
    query=QR_CODES,
    row_type=QrRow,
    by_keys=_by_keys(QR_CODES),
    by_ids=_by_ids(QR_CODES),
    make=_qr_items,
)
