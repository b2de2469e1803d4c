"""The read side of the store: a built SQLite database answering the export's questions."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from .build import build_database
from .cache import BoundedCache
from .dataset import Dataset, Token
from .errors import StoreError
from .items import LINK_ITEMS, QR_ITEMS, Cached, Items
from .kept import KeptSearch
from .keysets import KeySets
from .query import LINKS, MAX_INT, MIN_INT, QR_CODES, Kind, key_set_fields, run_query, select_query
from .rows import ItemFilter, LinkRow, QrRow
from .schema import KEY_ORDER, SCHEMA_ID
from .search import GramCounts, WordIndex, encodable
from .series import SeriesCache, window_counts

__all__ = ["ItemFilter", "LinkRow", "QrRow", "Store", "StoreError"]

# The running sums (eng rows hold totals up to `at`) of each wanted target key at two instants.
_WINDOW_SUMS = """
SELECT t.value, hi.cc, hi.cs, hi.cb, lo.cc, lo.cs, lo.cb
FROM json_each(?) AS t
LEFT JOIN eng AS hi ON hi.tk = t.value AND hi.at = (SELECT max(at) FROM eng WHERE tk = t.value AND at <= ?)
LEFT JOIN eng AS lo ON lo.tk = t.value AND lo.at = (SELECT max(at) FROM eng WHERE tk = t.value AND at <= ?)
"""
# Items (links and QR codes each) whose rows a store keeps in memory once read: the store is read-only,
# so a kept row is always right. A full cache is emptied before it would pass this many.
ROW_CACHE_CAP = 200_000
# Rendered records (bytes) an export may keep per (export type, group); see `Store.records`.
RECORD_CACHE_CAP = 100_000
# A group of at most this many items of a kind is kept whole in export order the second time a filter
# that only names `archived` and `created_*` asks for it (that ask reads them all: ~17 ms at this size,
# 7 ms at 2,000; a first ask walks the index as before, so a group asked once never pays for the read);
# such a filter's matches are then a slice found by two binary searches instead of an index walk
# returning 1,001 rows (a warm 1000-row list in-process: 0.66 -> 0.15 ms). Rows are shared with the row
# cache; 10,000 links kept in all three archived modes took 6.2 MiB (tracemalloc).
ORDERED_GROUP_MAX = 5_000
ORDERED_ON_ASK = 2  # the ask of a (kind, group, archived mode) that reads it whole (1: the first)
ORDERED_GROUPS = 16  # (kind, group, archived mode) orders kept per store; emptied when full

_FIRST = itemgetter(0)


@dataclass(slots=True)
class Ordered:
    """A group's items of one kind and archived mode, in export order, with their negated `created`, and
    the index of their words once a `query` has asked (kept.py)."""

    rows: list[Any]  # LinkRow | QrRow
    negated: list[int]
    words: KeptSearch | None = None

    def search(self, kind: Kind) -> KeptSearch:
        """The index of the rows' words, built on the first ask."""
        if self.words is None:
            self.words = KeptSearch(self.rows, kind.search_fields_of)
        return self.words


_ROW = itemgetter(2)  # Cached.row


class Store:
    """A read-only dataset in SQLite, safe to share between threads (queries are serialised by a lock)."""

    def __init__(self, conn: sqlite3.Connection, *, label: str) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.label = label
        # the links and the QR codes read so far, by id (see ROW_CACHE_CAP)
        self._links = Items(LINK_ITEMS, cap=ROW_CACHE_CAP)
        self._qrs = Items(QR_ITEMS, cap=ROW_CACHE_CAP)
        # (kind, gkey, archived) -> the group's items in export order (see ORDERED_GROUP_MAX)
        # (None: asked once, not read yet)
        self._ordered: BoundedCache[tuple[str, int, str], Ordered | None] = BoundedCache(ORDERED_GROUPS)
        self.ordered_group_max = ORDERED_GROUP_MAX
        self.ordered_on_ask = ORDERED_ON_ASK
        self._series = SeriesCache()  # engagement series of targets asked for more than once
        self._records: dict[tuple[str, str], BoundedCache[str, bytes]] = {}
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("schema") != SCHEMA_ID:
                raise StoreError(f"{label}: not a store of this version (schema {meta.get('schema')!r})")
            self.now: int | None = meta.get("now")
            self._keys_in_order = meta.get("key_order") == KEY_ORDER
            self._groups: dict[str, tuple[int, int, int]] = {
                guid: (gkey, links, qrs)
                for gkey, guid, links, qrs in conn.execute(
                    "SELECT gkey, guid, links, qr_codes FROM groups ORDER BY gkey"
                )
            }
            self._tokens: dict[str, Token] = {
                token: Token(
                    token=token, tier=tier, groups=tuple(json.loads(groups)), rate_limit_per_minute=limit
                )
                for token, tier, limit, groups in conn.execute(
                    "SELECT token, tier, rate_limit, groups FROM tokens ORDER BY ord"
                )
            }
            self._keysets = {
                kind.table: KeySets(conn, kind=kind.table, fields=key_set_fields(kind))
                for kind in (LINKS, QR_CODES)
            }
            self._grams = {
                kind.fts: GramCounts(conn, fts=kind.fts, grams=kind.grams) for kind in (LINKS, QR_CODES)
            }
            self._words = {kind.words: WordIndex(conn, table=kind.words) for kind in (LINKS, QR_CODES)}
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{label}: not a bitly-exports-contract store ({exc})") from exc
        except StoreError:
            conn.close()
            raise

    @classmethod
    def build(cls, dataset: Dataset, *, path: str | os.PathLike[str] | None = None) -> Store:
        """Build a store from `dataset`, in memory or atomically at `path` (replacing any file there)."""
        if path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            try:
                build_database(conn, dataset)
            except BaseException:
                conn.close()
                raise
            conn.execute("PRAGMA query_only = ON")
            return cls(conn, label=":memory:")
        target = Path(path)
        try:
            fd, scratch = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".building")
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{target}: cannot create the store file ({exc})") from exc
        try:
            conn = sqlite3.connect(scratch, isolation_level=None)
            try:
                build_database(conn, dataset)
            finally:
                conn.close()
            os.chmod(scratch, 0o644)  # mkstemp's 0600 would hide the store from a server run as another user
            os.replace(scratch, target)  # readers never see a half-built file at `path`
        except OSError as exc:
            raise StoreError(f"{target}: cannot write the store file ({exc})") from exc
        finally:
            if os.path.exists(scratch):
                os.unlink(scratch)
        return cls.open(target)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Store:
        """Open a built store read-only; StoreError when it is missing or not a store."""
        where = os.fspath(path)
        if not os.path.isfile(where):
            raise StoreError(f"{where}: no such store file")
        uri = Path(where).resolve().as_uri() + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute("PRAGMA mmap_size = 1073741824")
        except sqlite3.Error as exc:
            raise StoreError(f"{where}: cannot open store ({exc})") from exc
        return cls(conn, label=where)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def records(self, export_type: str, group: str) -> BoundedCache[str, bytes]:
        """A cache for what an export renders of each item of a group (the store is read-only, so an
        item's rendering never changes), by item id; at most RECORD_CACHE_CAP per (export type, group)."""
        found = self._records.get((export_type, group))
        if found is None:
            found = self._records.setdefault((export_type, group), BoundedCache(RECORD_CACHE_CAP))
        return found

    def forget(self) -> None:
        """Empty every cache the store keeps (what a cold export pays for is then paid again)."""
        with self._lock:
            self._links.cache.clear()
            self._qrs.cache.clear()
            self._series = SeriesCache()
            self._records.clear()
            self._ordered.clear()

    def token(self, token: str) -> Token | None:
        """The token with that exact string, if any."""
        return self._tokens.get(token)

    def tokens(self) -> list[Token]:
        """Every token, in fixture order."""
        return list(self._tokens.values())

    def group_guids(self) -> list[str]:
        """Every group guid, in fixture order."""
        return list(self._groups)

    def has_group(self, guid: str) -> bool:
        """Whether a group with that exact guid exists."""
        return guid in self._groups

    def group_counts(self, guid: str) -> tuple[int, int]:
        """(links, QR codes) of a group; (0, 0) for an unknown group."""
        _, links, qr_codes = self._groups.get(guid, (0, 0, 0))
        return links, qr_codes

    def find_links(self, *, group: str, flt: ItemFilter, limit: int) -> list[LinkRow]:
        """The group's links matching `flt`, newest first (ties by id), at most `limit`."""
        found = self._groups.get(group)
        if found is None:
            flt_check(flt)
            return []
        with self._lock:
            if self._orderable(flt, found[1], campaigns=True):
                kept = self._ordered_rows(self._links, gkey=found[0], size=found[1], flt=flt, limit=limit)
                if kept is not None:
                    return kept
            items = self._find(self._links, gkey=found[0], size=found[1], flt=flt, limit=limit)
        return list(map(_ROW, items))

    def find_qr_codes(self, *, group: str, flt: ItemFilter, limit: int) -> list[QrRow]:
        """The group's QR codes matching `flt` (campaign ignored, domain via the bitlink), newest first."""
        found = self._groups.get(group)
        if found is None:
            flt_check(flt)
            return []
        with self._lock:
            if self._orderable(flt, found[2], campaigns=False):
                kept = self._ordered_rows(self._qrs, gkey=found[0], size=found[2], flt=flt, limit=limit)
                if kept is not None:
                    return kept
            items = self._find(self._qrs, gkey=found[0], size=found[2], flt=flt, limit=limit)
        return list(map(_ROW, items))

    def links_by_ids(self, *, group: str, ids: Sequence[str]) -> dict[str, LinkRow]:
        """The group's links with exactly these ids (archived included); other ids are absent."""
        found = self._groups.get(group)
        if found is None:
            return {}
        gkey = found[0]
        with self._lock:
            items = self._items_by_ids(self._links, ids, gkey=gkey)
        return {ident: item.row for ident, item in items.items()}

    def metrics(
        self, *, group: str, targets: Sequence[str], start: int, end: int
    ) -> dict[str, tuple[int, int, int]]:
        """(clicks, scans, button_clicks) of each target summed over engagements with start <= at <= end."""
        out = dict.fromkeys(targets, (0, 0, 0))
        found = self._groups.get(group)
        if found is None or start > end or start > MAX_INT or end < MIN_INT:
            return out
        upper = min(end, MAX_INT)
        below = max(start, MIN_INT) - 1  # cumulative totals strictly before `start`
        gkey = found[0]
        with self._lock:
            # A target is a link or a QR code of the group; its key names its rows of running sums.
            items = self._items_by_ids(self._links, out, gkey=gkey)
            rest = [target for target in out if target not in items]
            if rest:
                items.update(self._items_by_ids(self._qrs, rest, gkey=gkey))
            if not items:
                return out
            ids_of = {item.key: ident for ident, item in items.items()}
            kept, seek = self._series.take(self._conn, ids_of)
            rows = []
            if seek:
                # One statement for the rest: the running sums at `upper` and at `below`, two seeks each.
                params = (orjson.dumps(seek).decode(), upper, below if below >= MIN_INT else MIN_INT)
                rows = self._conn.execute(_WINDOW_SUMS, params).fetchall()
        before = below if below >= MIN_INT else None
        for key, series in kept.items():
            counts = window_counts(series, upper, before)
            if counts is not None:
                out[ids_of[key]] = counts
        for key, hc, hs, hb, lc, ls, lb in rows:
            if below < MIN_INT or lc is None:
                lc = ls = lb = 0
            if hc is not None:
                out[ids_of[key]] = (hc - lc, hs - ls, hb - lb)
        return out

    def _orderable(self, flt: ItemFilter, size: int, *, campaigns: bool) -> bool:
        """Whether `flt` names only `archived`, `created_*` and `query` (what a kept export order answers)
        and the group is small enough to keep in that order."""
        return (
            size <= self.ordered_group_max
            and not flt.tags
            and flt.domain is None
            and (flt.campaign_guid is None or not campaigns)
        )

    def _ordered_rows(
        self, items: Items, *, gkey: int, size: int, flt: ItemFilter, limit: int
    ) -> list[Any] | None:
        """The rows of `flt` (archived, created_*, query) from the group's kept export order, kept on the
        second ask; None on the first (the caller walks the index), and for a query the kept words cannot
        narrow (the caller asks SQL). Under the lock."""
        flt_check(flt)
        name = (items.kind.name, gkey, flt.archived)
        if name not in self._ordered and self.ordered_on_ask > 1:
            self._ordered.remember({name: None})  # asked once
            return None
        ordered = self._ordered.get(name)
        if ordered is None:
            ordered = self._read_ordered(items, gkey=gkey, size=size, archived=flt.archived)
            self._ordered.remember({name: ordered})
        start, end = 0, len(ordered.rows)
        # export order is created descending: the negated values ascend
        if flt.created_before is not None:
            start = bisect_right(ordered.negated, -flt.created_before)  # created < before
        if flt.created_after is not None:
            end = bisect_right(ordered.negated, -flt.created_after)  # created >= after
        if flt.query:
            if not encodable(flt.query):
                return []  # a lone surrogate is in no stored text
            found = ordered.search(items.kind.query).find(flt.query.lower(), start, end, limit)
            return None if found is None else [ordered.rows[position] for position in found]
        return ordered.rows[start : max(start, min(end, start + max(limit, 0)))]

    def _read_ordered(self, items: Items, *, gkey: int, size: int, archived: str) -> Ordered:
        """Every item of the group in `archived`, in export order, by the same walk as any other request
        (rows already kept are shared, not read again)."""
        found = self._find(items, gkey=gkey, size=size, flt=ItemFilter(archived=archived), limit=MAX_INT)
        rows = list(map(_ROW, found))
        return Ordered(rows=rows, negated=[-row.created for row in rows])

    def _find(self, items: Items, *, gkey: int, size: int, flt: ItemFilter, limit: int) -> list[Cached]:
        """The matching items, in order; under the lock.

        First only (id, key) of the matches, which the walk indexes cover, and the items from the cache.
        Items not cached yet are read by key, or, when they are most of the matches, by running the
        same plan again for whole rows (one pass over the table instead of a seek per item).
        """
        conn, kind, cache, make = self._conn, items.kind.query, items.cache, items.kind.make
        query = select_query(
            conn,
            kind,
            gkey=gkey,
            group_size=size,
            flt=flt,
            limit=limit,
            full=False,
            grams=self._grams[kind.fts],
            keysets=self._keysets[kind.table],
            keys_in_order=self._keys_in_order,
            words=self._words[kind.words],
        )
        if query is None:  # nothing can match
            return []
        rows = run_query(conn, kind, query, limit=limit)
        # map() over C-level getters: a warm 1000-row page is a thousand lookups and nothing else
        kept = list(map(cache.get, map(_FIRST, rows)))
        if rows and len(rows[0]) > 2 and None in kept:
            # whole rows already (a few candidates of a rare query, or rows the query rule was checked on
            # in Python): made from what was read, not read again
            read = cache.remember(make(rows))
            return [read[row[0]] for row in rows]
        if None not in kept:
            return kept  # type: ignore[return-value]
        missing = [row[1] for row, item in zip(rows, kept, strict=True) if item is None]
        if 2 * len(missing) > len(rows):
            read = cache.remember(make(run_query(conn, kind, query.whole(kind), limit=limit)))
        else:
            by_keys = items.kind.by_keys
            read = cache.remember(make(conn.execute(by_keys, (orjson.dumps(missing).decode(),))))
        return [read[row[0]] if item is None else item for row, item in zip(rows, kept, strict=True)]

    def _items_by_ids(self, items: Items, ids: Iterable[str], *, gkey: int) -> dict[str, Cached]:
        """The group's items with these ids, cached or read; ids of other groups or of nothing are absent."""
        cache = items.cache
        out: dict[str, Cached] = {}
        missing: list[str] = []
        for ident in ids:
            item = cache.get(ident)
            if item is None:
                missing.append(ident)
            elif item.gkey == gkey:
                out[ident] = item
        wanted = [ident for ident in dict.fromkeys(missing) if encodable(ident)]
        if wanted:
            rows = self._conn.execute(items.kind.by_ids, (orjson.dumps(wanted).decode(), gkey))
            out.update(cache.remember(items.kind.make(rows)))
        return out


def flt_check(flt: ItemFilter) -> None:
    """Refuse an `archived` value outside on/off/both, also when the group is unknown."""
    if flt.archived not in ("on", "off", "both"):
        raise ValueError(f"archived must be one of on, off, both; got {flt.archived!r}")
