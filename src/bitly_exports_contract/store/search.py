"""Case-insensitive substring search with Python's `str.lower()`, which SQLite's lower() and LIKE do not have.

Each searchable field is lowered on its own (lowering is context-sensitive, e.g. a final sigma) and the
fields are joined with NUL. `instr(search, q) > 0` is then exact for any lowered query without a NUL: a
match that contains no NUL lies inside one field. Queries with a NUL are verified in Python.
"""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "\x00"
TRIGRAM_MIN = 3


def search_text(fields: Iterable[str | None]) -> str:
    """The stored, Python-lowered search text of an item's fields."""
    return SEPARATOR.join(field.lower() for field in fields if field is not None)


def fts_text(search: str) -> str:
    """The trigram index's copy of a search text (FTS5 stops at NUL); only ever used as a pre-filter."""
    return search.replace(SEPARATOR, "\n")


def fts_match(lowered_query: str) -> str | None:
    """An FTS5 expression that every item containing `lowered_query` matches, or None when none is usable."""
    if len(lowered_query) < TRIGRAM_MIN or SEPARATOR in lowered_query:
        return None
    grams = sorted({lowered_query[i : i + TRIGRAM_MIN] for i in range(len(lowered_query) - TRIGRAM_MIN + 1)})
    # Each trigram is a quoted string ('"' doubled), so FTS syntax in the query is only ever literal text.
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


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
