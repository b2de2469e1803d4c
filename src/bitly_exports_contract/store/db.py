"""The read side of the store: a built SQLite database answering the export's questions."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from .build import build_database
from .dataset import Dataset, Token
from .errors import StoreError
from .query import LINKS, MAX_INT, MIN_INT, QR_CODES, find_rows
from .rows import ItemFilter, LinkRow, QrRow
from .schema import SCHEMA_ID
from .search import encodable

__all__ = ["ItemFilter", "LinkRow", "QrRow", "Store", "StoreError"]

_LINKS_BY_IDS = (
    "SELECT id, title, long_url, created, archived, tags FROM links INDEXED BY links_id "
    "WHERE id IN (SELECT value FROM json_each(?)) AND gkey = ?"
)
# The running sums (eng rows hold totals up to `at`) of each wanted link or QR code at two instants.
_WINDOW_SUMS = """
WITH t(id, key) AS (
  SELECT id, key FROM links INDEXED BY links_id WHERE id IN (SELECT value FROM json_each(?)) AND gkey = ?
  UNION ALL
  SELECT id, key FROM qrs INDEXED BY qrs_id WHERE id IN (SELECT value FROM json_each(?)) AND gkey = ?)
SELECT t.id, hi.cc, hi.cs, hi.cb, lo.cc, lo.cs, lo.cb
FROM t
LEFT JOIN eng AS hi ON hi.tk = t.key AND hi.at = (SELECT max(at) FROM eng WHERE tk = t.key AND at <= ?)
LEFT JOIN eng AS lo ON lo.tk = t.key AND lo.at = (SELECT max(at) FROM eng WHERE tk = t.key AND at <= ?)
"""


class Store:
    """A read-only dataset in SQLite, safe to share between threads (queries are serialised by a lock)."""

    def __init__(self, conn: sqlite3.Connection, *, label: str) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.label = label
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("schema") != SCHEMA_ID:
                raise StoreError(f"{label}: not a store of this version (schema {meta.get('schema')!r})")
            self.now: int | None = meta.get("now")
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
            rows = find_rows(self._conn, LINKS, gkey=found[0], group_size=found[1], flt=flt, limit=limit)
        return _link_rows(rows)

    def find_qr_codes(self, *, group: str, flt: ItemFilter, limit: int) -> list[QrRow]:
        """The group's QR codes matching `flt` (campaign ignored, domain via the bitlink), newest first."""
        found = self._groups.get(group)
        if found is None:
            flt_check(flt)
            return []
        with self._lock:
            rows = find_rows(self._conn, QR_CODES, gkey=found[0], group_size=found[2], flt=flt, limit=limit)
        return [_new(QrRow, (i, t, k, b, u, c, a == 1, _tags(g))) for i, t, k, b, u, c, a, g in rows]

    def links_by_ids(self, *, group: str, ids: Sequence[str]) -> dict[str, LinkRow]:
        """The group's links with exactly these ids (archived included); other ids are absent."""
        found = self._groups.get(group)
        if found is None:
            return {}
        wanted = orjson.dumps([i for i in dict.fromkeys(ids) if encodable(i)]).decode()
        with self._lock:
            rows = self._conn.execute(_LINKS_BY_IDS, (wanted, found[0])).fetchall()
        return {row.id: row for row in _link_rows(rows)}

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
        wanted = orjson.dumps([target for target in out if encodable(target)]).decode()
        # One statement for every target: the running sums at `upper` and at `below` are two seeks each.
        params = (wanted, found[0], wanted, found[0], upper, below if below >= MIN_INT else MIN_INT)
        with self._lock:
            rows = self._conn.execute(_WINDOW_SUMS, params).fetchall()
        for target, hc, hs, hb, lc, ls, lb in rows:
            if below < MIN_INT or lc is None:
                lc = ls = lb = 0
            if hc is not None:
                out[target] = (hc - lc, hs - ls, hb - lb)
        return out


def flt_check(flt: ItemFilter) -> None:
    """Refuse an `archived` value outside on/off/both, also when the group is unknown."""
    if flt.archived not in ("on", "off", "both"):
        raise ValueError(f"archived must be one of on, off, both; got {flt.archived!r}")


@functools.lru_cache(maxsize=8192)
def _tags(raw: str) -> tuple[str, ...]:
    """A stored JSON list of tags; the same few lists recur across a group's items."""
    return tuple(orjson.loads(raw))


# tuple.__new__ straight away: a NamedTuple's own __new__ is a Python function, ~0.15 ms per 1,000 rows
_new = tuple.__new__


def _link_rows(rows: Sequence[Any]) -> list[LinkRow]:
    """LinkRows of (id, title, long_url, created, archived, tags) database rows."""
    return [_new(LinkRow, (i, t, u, c, a == 1, _tags(g))) for i, t, u, c, a, g in rows]
