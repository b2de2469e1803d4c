"""A small group kept whole in export order, and the word index that answers a `query` over it in memory.

The store keeps a group of at most ORDERED_GROUP_MAX items of a kind (db.py) as its rows in export order;
a filter naming only `archived` and `created_*` is then a slice found by two binary searches. A `query`
over such a group is answered here too, from an index of the kept rows' words built when a query first
asks (13 ms and 1.8 MiB at 2,000 links; 34 ms and 4.3 MiB at 5,000): the query's words
(search.query_words, and its first word as the tail of a word) name a few positions, the window keeps
those inside its slice, and each remaining row's search text is tested against the query itself. A
query the words cannot narrow (one word, no word, a NUL) goes to SQL as before.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from .cache import BoundedCache
from .search import SEPARATOR, WORD, WORD_CACHE_CAP, search_text

KEPT_WORD_SPAN = 64  # a query word matching more kept words than this is not asked for (e.g. a prefix "1")
NARROW_ENOUGH = 8  # positions few enough to test one by one: no further word is asked for


class KeptSearch:
    """The words of a kept group's rows: for each, the positions (in export order) of the rows holding it.

    `vocab` is every word in order and `tails` every word reversed in order, so that the words starting
    with a prefix, or ending with a suffix, are a range found by binary search.
    """

    def __init__(self, rows: Sequence[Any], fields: Callable[[Any], list[str | None]]) -> None:
        self.texts = [search_text(fields(row)) for row in rows]
        postings: dict[str, list[int]] = {}
        for position, text in enumerate(self.texts):
            for word in set(WORD.findall(text)):
                found = postings.get(word)
                if found is None:
                    postings[word] = [position]
                else:
                    found.append(position)
        self.postings = postings
        self.vocab = sorted(postings)
        self.tails = sorted(word[::-1] for word in postings)
        self._asked: BoundedCache[tuple[str, int], frozenset[int] | None] = BoundedCache(WORD_CACHE_CAP)

    def find(self, lowered_query: str, start: int, end: int, limit: int) -> list[int] | None:
        """The first `limit` positions in [start, end) whose row holds the query, or None when its
        words cannot narrow the rows (the caller asks SQL)."""
        if SEPARATOR in lowered_query:
            return None
        narrowed: frozenset[int] | None = None
        for word, shape in sorted(_shapes(lowered_query), key=itemgetter(1)):
            found = self._positions(word, shape)
            if found is None:
                continue
            narrowed = found if narrowed is None else narrowed & found
            if len(narrowed) <= NARROW_ENOUGH:
                break
        if narrowed is None:
            return None
        texts = self.texts
        out: list[int] = []
        if limit <= 0:
            return out
        for position in sorted(narrowed):
            if start <= position < end and lowered_query in texts[position]:
                out.append(position)
                if len(out) >= limit:
                    break
        return out

    def _positions(self, word: str, shape: int) -> frozenset[int] | None:
        """The positions of the rows holding `word` whole (WHOLE), a word starting with it (PREFIX) or a
        word ending with it (SUFFIX); None when that is more than KEPT_WORD_SPAN words. Kept per word."""
        name = (word, shape)
        if name in self._asked:
            return self._asked[name]
        if shape == WHOLE:
            matched = [word] if word in self.postings else []
        else:
            ordered, key = (self.vocab, word) if shape == PREFIX else (self.tails, word[::-1])
            first = bisect_left(ordered, key)
            last = first
            while last < len(ordered) and ordered[last].startswith(key) and last - first <= KEPT_WORD_SPAN:
                last += 1
            matched = ordered[first:last] if shape == PREFIX else [tail[::-1] for tail in ordered[first:last]]
        found: frozenset[int] | None = None
        if len(matched) <= KEPT_WORD_SPAN:
            found = frozenset(position for each in matched for position in self.postings[each])
        self._asked.remember({name: found})
        return found


# What a row must hold for a word of the query, in the order they are asked for: the query's last word
# first (an id's back-half, a title's number: rare), then whole words, then its first word.
PREFIX, WHOLE, SUFFIX = 0, 1, 2


def _shapes(lowered_query: str) -> list[tuple[str, int]]:
    """Each word of the query and what a matching row must hold for it (search.query_words' reasoning):
    a word with a non-word character on each side is a whole word there; the last one, if it ends the
    query, a word's prefix; the first one, if it starts it, a word's suffix. A query that is one word
    with nothing on either side tells nothing (it may lie inside a word)."""
    out: list[tuple[str, int]] = []
    length = len(lowered_query)
    for match in WORD.finditer(lowered_query):
        starts, ends = match.start() == 0, match.end() == length
        if starts and ends:
            continue
        out.append((match.group(), SUFFIX if starts else PREFIX if ends else WHOLE))
    return out
