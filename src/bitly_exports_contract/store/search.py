"""Case-insensitive substring search with Python's `str.lower()`, which SQLite's lower() and LIKE do not have.

Each searchable field is lowered on its own (lowering is context-sensitive, e.g. a final sigma) and the
fields are joined with NUL. `instr(search, q) > 0` is then exact for any lowered query without a NUL: a
match that contains no NUL lies inside one field. Queries with a NUL are verified in Python.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from .cache import BoundedCache

SEPARATOR = "\x00"
TRIGRAM_MIN = 3
RAREST_GRAMS = 3  # trigrams of a query that the index is asked for: the rarest few select as well as all
GRAM_CACHE_CAP = 200_000
GRAM_COUNT_BOUND = 1_000  # a trigram in more items than this is common: how common does not matter


def search_text(fields: Iterable[str | None]) -> str:
    """The stored, Python-lowered search text of an item's fields."""
    return SEPARATOR.join(field.lower() for field in fields if field is not None)


def fts_text(search: str) -> str:
    """The trigram index's copy of a search text (FTS5 stops at NUL); only ever used as a pre-filter."""
    return search.replace(SEPARATOR, "\n")


def trigrams(lowered_query: str) -> list[str]:
    """The distinct trigrams of a query, sorted; none when it is shorter than three or holds a NUL."""
    if len(lowered_query) < TRIGRAM_MIN or SEPARATOR in lowered_query:
        return []
    return sorted({lowered_query[i : i + TRIGRAM_MIN] for i in range(len(lowered_query) - TRIGRAM_MIN + 1)})


class GramCounts:
    """How many items of one trigram index hold each trigram: from the store's gram table, else counted.

    Every item containing a query contains each of its trigrams, so asking the index for a few of them
    selects a superset of the matches, as asking for all of them does (the query rule is applied to each
    candidate either way); the rarest few select nearly as few items for a fraction of the work: the
    trigrams of `bit.ly/` or `https://` are in almost every item. A store built with the gram table
    (schema.py) looks each count up; an older one counts with a bounded MATCH, GRAM_COUNT_BOUND at most
    (fts5vocab would read a term's whole doclist). Counts are kept: the store is read-only.
    """

    def __init__(self, conn: sqlite3.Connection, *, fts: str, grams: str) -> None:
        self._conn = conn
        kept = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (grams,))
        self.exact = kept.fetchone() is not None
        if self.exact:
            self._sql = f"SELECT docs FROM {grams} WHERE gram = ?"
            self._many = f"SELECT gram, docs FROM {grams} WHERE gram IN (SELECT value FROM json_each(?))"
        else:
            self._sql = f"SELECT count(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH ? LIMIT ?)"
        self._docs: BoundedCache[str, int] = BoundedCache(GRAM_CACHE_CAP)

    def docs(self, gram: str) -> int:
        """Items holding `gram` (0 for none); at most GRAM_COUNT_BOUND when not `exact`."""
        found = self._docs.get(gram)
        if found is None:
            if self.exact:
                row = self._conn.execute(self._sql, (gram,)).fetchone()
                found = 0 if row is None else int(row[0])
            else:
                (found,) = self._conn.execute(
                    self._sql, (fts_expression([gram]), GRAM_COUNT_BOUND)
                ).fetchone()
            self._docs.remember({gram: found})
        return found

    def _fetch(self, grams: list[str]) -> None:
        """Look up, in one statement, the counts of `grams` not known yet (gram table only)."""
        missing = [gram for gram in grams if gram not in self._docs]
        if self.exact and missing:
            found = dict.fromkeys(missing, 0)
            found.update(self._conn.execute(self._many, (json.dumps(missing),)).fetchall())
            self._docs.remember(found)

    def rarest(self, grams: list[str], count: int = RAREST_GRAMS) -> list[str]:
        """The `count` grams held by the fewest items, in a stable order; all of them when each is common
        and the counts are bounded (a few of them together may then select many items where all select few).
        """
        if len(grams) <= count:
            return grams
        self._fetch(grams)
        ranked = sorted(grams, key=self._docs.__getitem__ if self.exact else self.docs)
        if not self.exact and self.docs(ranked[0]) >= GRAM_COUNT_BOUND:
            return grams
        return sorted(ranked[:count])

    def fewest(self, grams: list[str]) -> int | None:
        """At most how many items hold all of `grams` (the smallest count); None without the gram table."""
        if not self.exact or not grams:
            return None
        self._fetch(grams)
        return min(map(self._docs.__getitem__, grams))


def fts_expression(grams: Sequence[str]) -> str:
    """The FTS5 expression asking for items that hold every one of `grams`."""
    # Each trigram is a quoted string ('"' doubled), so FTS syntax in the query is only ever literal text.
    quoted = [gram.replace('"', '""') for gram in grams] if any('"' in gram for gram in grams) else grams
    return '"' + '" AND "'.join(quoted) + '"' if quoted else ""


def query_matches(lowered_query: str, fields: Iterable[str | None]) -> bool:
    """The contract's rule itself: the lowered query is in at least one lowered field."""
    return any(lowered_query in field.lower() for field in fields if field is not None)


def encodable(text: str) -> bool:
    """Whether `text` can be stored as UTF-8 (a lone surrogate cannot, and so never matches anything)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
