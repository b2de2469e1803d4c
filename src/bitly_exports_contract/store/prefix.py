"""Turn engagement rows into per-target running sums, so a window's total is two index seeks.

Rows usually arrive grouped by target (the seeded generator does so): each run is summed in Python and
appended. A target whose rows come in several separate runs is spilled to a scratch table and merged in
SQL at the end.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from operator import itemgetter

from .dataset import EngagementRow
from .errors import StoreError

_BATCH = 50_000
_AT = itemgetter(1)
_INSERT = "INSERT INTO eng (tk, at, cc, cs, cb) VALUES (?, ?, ?, ?, ?)"
_MERGE = (
    "CREATE TEMP TABLE spilled_keys AS SELECT DISTINCT tk FROM eng_spill",
    # Un-sum the already stored runs of the spilled targets back into per-hour rows...
    """INSERT INTO eng_spill (tk, at, c, s, b)
       SELECT tk, at, cc - coalesce(lag(cc) OVER w, 0), cs - coalesce(lag(cs) OVER w, 0),
              cb - coalesce(lag(cb) OVER w, 0)
       FROM eng WHERE tk IN (SELECT tk FROM spilled_keys)
       WINDOW w AS (PARTITION BY tk ORDER BY at)""",
    "DELETE FROM eng WHERE tk IN (SELECT tk FROM spilled_keys)",
    # ...and sum everything again.
    """INSERT INTO eng (tk, at, cc, cs, cb)
       SELECT tk, at, sum(c) OVER w, sum(s) OVER w, sum(b) OVER w
       FROM (SELECT tk, at, sum(c) AS c, sum(s) AS s, sum(b) AS b FROM eng_spill GROUP BY tk, at)
       WINDOW w AS (PARTITION BY tk ORDER BY at ROWS UNBOUNDED PRECEDING)""",
    "DROP TABLE eng_spill",
    "DROP TABLE spilled_keys",
)


class PrefixSumLoader:
    """Accumulates runs of one target's rows into the `eng` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._seen: set[int] = set()
        self._batch: list[tuple[int, int, int, int, int]] = []
        self._spilled = False

    def add_run(self, target_key: int, rows: Iterable[EngagementRow]) -> None:
        """Add a run of consecutive rows of one target."""
        if target_key in self._seen:
            self._spill(target_key, rows)
            return
        self._seen.add(target_key)
        batch = self._batch
        cc = cs = cb = 0
        last_at = None
        for _, at, c, s, b in sorted(rows, key=_AT):
            cc += c
            cs += s
            cb += b
            if at == last_at:
                batch[-1] = (target_key, at, cc, cs, cb)  # duplicate (target, at) rows are added up
            else:
                batch.append((target_key, at, cc, cs, cb))
                last_at = at
        if len(batch) >= _BATCH:
            self._flush()

    def _spill(self, target_key: int, rows: Iterable[EngagementRow]) -> None:
        if not self._spilled:
            self._conn.execute(
                "CREATE TEMP TABLE eng_spill (tk INTEGER, at INTEGER, c INTEGER, s INTEGER, b INTEGER)"
            )
            self._spilled = True
        self._conn.executemany(
            "INSERT INTO eng_spill VALUES (?, ?, ?, ?, ?)", ((target_key, *row[1:]) for row in rows)
        )

    def _flush(self) -> None:
        try:
            self._conn.executemany(_INSERT, self._batch)
        except OverflowError as exc:
            raise StoreError("engagement totals of a target exceed SQLite's 64-bit integers") from exc
        self._batch.clear()

    def finish(self) -> None:
        """Write what is pending and merge spilled targets."""
        self._flush()
        if not self._spilled:
            return
        try:
            for statement in _MERGE:
                self._conn.execute(statement)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot merge engagement rows: {exc}") from exc
