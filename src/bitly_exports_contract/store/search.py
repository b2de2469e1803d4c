"""Case-insensitive substring search with Python's `str.lower()`, which SQLite's lower() and LIKE do not have.

Each searchable field is lowered on its own (lowering is context-sensitive, e.g. a final sigma) and the
fields are joined with NUL. `instr(search, q) > 0` is then exact for any lowered query without a NUL: a
match that contains no NUL lies inside one field. Queries with a NUL are verified in Python.

Two indexes name a superset of a query's matches (the row query still applies the rule): the trigram
index (any query of three or more characters) and the word table (a query holding a word boundary).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence

from .cache import BoundedCache

SEPARATOR = "\x00"
TRIGRAM_MIN = 3
RAREST_GRAMS = 3  # trigrams of a query that the index is asked for: the rarest few select as well as all
GRAM_CACHE_CAP = 200_000
GRAM_COUNT_BOUND = 1_000  # a trigram in more items than this is common: how common does not matter
WORD = re.compile(r"\w+")  # a word: a longest run of characters re's \w matches (a per-character property)
_WORD_SPLIT = re.compile(r"(\w+)")
# a word and the character before it, when that is not a NUL (a word never follows a word directly)
_PRE_WORD = re.compile(r"([^\w\x00]?)(\w+)")
WORD_POSTED_MAX = 1_000  # items of one (character before, word) pair the word table lists, at most
WORD_READ_MAX = 4_000  # rows of the word table read for one word of a query, at most (more: not asked)
LEAD = 8  # characters before a word that the word table keeps with it (word_leads)
WORD_CACHE_CAP = 50_000


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


def word_leads(search: str) -> set[tuple[str, str]]:
    """(word, lead) of each place a word starts in a stored search text: its lead is the text before it
    in its field (after the last NUL), at most LEAD characters of it, reversed. The word table files each
    under its lead's first character (none at a field's start), which a query always knows."""
    parts = _WORD_SPLIT.split(search)  # text between words, word, text between words, ..., text
    out: set[tuple[str, str]] = set()
    start = len(parts[0])
    for index in range(1, len(parts), 2):
        word = parts[index]
        before = search[start - LEAD : start] if start >= LEAD else search[:start]
        out.add((word, before[before.rfind(SEPARATOR) + 1 :][::-1]))
        start += len(word) + len(parts[index + 1])
    return out


def word_pairs(search: str) -> set[tuple[str, str]]:
    """(lead's first character, word) of each word of a stored search text, as word_leads would give."""
    return set(_PRE_WORD.findall(search))


def query_words(lowered_query: str) -> list[tuple[str, bool, str]]:
    """(word, whole, lead) for each word of a lowered query that the word table can be asked for.

    If the query is a substring of a search text, a word of the query that does not start it is
    preceded there by the same non-word character, so it starts a word of that text: a word ending
    before the query does is followed by the same non-word character too, and is that whole word
    (`whole`); the word ending the query is a prefix of one. The first word may be the tail of a longer
    one and tells nothing. The query's text before the word, after its last NUL, is in the word's field
    just before it: that word's stored lead (word_leads) starts with `lead`, the same text reversed and
    cut to LEAD characters, and a word of the query never starts it, so `lead` holds the character just
    before the word, or is empty when that is a NUL (a field's start). Both sides are lowered by Python
    and split by the same per-character rule, so this holds for any text, whatever lowering does to its
    length.
    """
    out = []
    for match in WORD.finditer(lowered_query):
        start = match.start()
        if start > 0:
            before = lowered_query[max(0, start - LEAD) : start]
            lead = before[before.rfind(SEPARATOR) + 1 :][::-1]
            out.append((match.group(), match.end() < len(lowered_query), lead))
    return out


def _after_prefix(prefix: str) -> str | None:
    """The least string greater than every string starting with `prefix` (code-point order, which is
    SQLite's order of UTF-8 text), or None when there is none; surrogates (never stored) are skipped."""
    last = ord(prefix[-1]) + 1
    if last > 0x10FFFF:
        return None
    if 0xD800 <= last <= 0xDFFF:
        last = 0xE000
    return prefix[:-1] + chr(last)


class WordIndex:
    """The word table of one item kind (`table`): for each word of the items' search texts and the
    character just before it (`pre`: its lead's first), a row for each item holding that pair and each
    of the word's leads there (word_leads), when at most WORD_POSTED_MAX items hold the pair; the pairs
    held by more are listed in `table`_common instead. Rows are found by (pre, word), or, when a query
    knows a whole lead (LEAD characters), by (lead, word) through the index `table`_lead. Optional: a
    store built before it was added has none, and `present` is False. What a word of a query names is
    kept (the store is read-only)."""

    def __init__(self, conn: sqlite3.Connection, *, table: str) -> None:
        self._conn = conn
        names = (table, f"{table}_common", f"{table}_lead")
        kept = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name IN (SELECT value FROM json_each(?))",
            (json.dumps(names),),
        )
        self.present = kept.fetchone()[0] == len(names)
        self._sql: dict[tuple[str, bool], str] = {}
        for shape, words in (
            ("whole", "word = ?"),
            ("prefix", "word >= ? AND word < ?"),
            ("open", "word >= ?"),
        ):
            common = f"(SELECT 1 FROM {table}_common WHERE pre = ? AND {words} LIMIT 1)"
            # the rows of a whole lead are exactly the ones wanted: count them, list their keys
            self._sql[shape, True] = (
                f"SELECT {common}, count(*), group_concat(k) FROM (SELECT k FROM {table} "
                f"INDEXED BY {table}_lead WHERE lead = ? AND {words} LIMIT ?)"
            )
            # count the rows of (pre, word), list the keys of those whose lead starts with the query's
            self._sql[shape, False] = (
                f"SELECT {common}, count(*), group_concat(CASE WHEN substr(lead, 1, ?) = ? THEN k END) "
                f"FROM (SELECT k, lead FROM {table} WHERE pre = ? AND {words} LIMIT ?)"
            )
        self._keys: BoundedCache[tuple[str, bool, str], frozenset[int] | None] = BoundedCache(WORD_CACHE_CAP)

    def candidates(self, lowered_query: str, bound: int) -> list[int] | None:
        """Ascending keys of every item that can hold the query, more when they are few: the items the
        table lists for each of its words (`query_words`), intersected. None when no word of it names
        at most `bound` items (a common word, a short prefix, or no word to ask for)."""
        if not self.present:
            return None
        found: frozenset[int] | None = None
        for word, whole, lead in query_words(lowered_query):
            keys = self._word_keys(word, whole, lead)
            if keys is None or len(keys) > bound:
                continue
            found = keys if found is None else found & keys
            if not found:
                break
        return None if found is None else sorted(found)

    def _word_keys(self, word: str, whole: bool, lead: str) -> frozenset[int] | None:
        """The items holding `word` (whole) or a word starting with it, after text ending with the
        reverse of `lead`; None when such a word is common after that character, or they are more than
        WORD_READ_MAX rows."""
        name = (word, whole, lead)
        if name in self._keys:
            return self._keys[name]
        after = None if whole else _after_prefix(word)
        shape, words = (
            ("whole", (word,)) if whole else ("open", (word,)) if after is None else ("prefix", (word, after))
        )
        pre = lead[:1]
        if len(lead) == LEAD:  # a stored lead starting with it is it (none is longer)
            params = (pre, *words, lead, *words, WORD_READ_MAX + 1)
        else:
            params = (pre, *words, len(lead), lead, pre, *words, WORD_READ_MAX + 1)
        common, rows, listed = self._conn.execute(self._sql[shape, len(lead) == LEAD], params).fetchone()
        keys = None
        if not common and rows <= WORD_READ_MAX:
            keys = frozenset(map(int, listed.split(","))) if listed else frozenset()
        self._keys.remember({name: keys})
        return keys


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
