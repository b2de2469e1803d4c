"""`filter.query` through words: the word table (SQL) and a kept group's word index (memory).

Both only narrow the rows the query rule is then applied to, so each must name every item that can hold
the query. That is a property of the words alone (search.query_words, kept._shapes), checked here on
random text whose lower-casing changes length or depends on context; then the store's answers through
each path are compared with the brute-force reading, and the paths are shown to be the ones taken.
"""

from __future__ import annotations

import random
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_factories import GUID, dataset, link, reference_links

from bitly_exports_contract.store import ItemFilter, Store
from bitly_exports_contract.store import db as store_db
from bitly_exports_contract.store.kept import PREFIX, WHOLE, KeptSearch, _shapes
from bitly_exports_contract.store.query import LINKS, select_query
from bitly_exports_contract.store.search import LEAD, WORD, query_words, search_text, word_leads, word_pairs

# word and non-word characters, and ones whose lower-casing is longer, context-sensitive or not \w
ALPHABET = "ab1_ İßẞΣσςǅ東🎉é#/.-\x00\t"
TEXT = st.text(alphabet=ALPHABET, max_size=24)


def _holds(text_words: set[str], word: str, shape: int) -> bool:
    if shape == WHOLE:
        return word in text_words
    if shape == PREFIX:
        return any(each.startswith(word) for each in text_words)
    return any(each.endswith(word) for each in text_words)


@settings(max_examples=400, deadline=None)
@given(fields=st.lists(TEXT, min_size=1, max_size=3), data=st.data())
def test_every_text_holding_a_query_holds_what_its_words_ask_for(
    fields: list[str], data: st.DataObject
) -> None:
    text = search_text(fields)
    start = data.draw(st.integers(0, len(text)))
    query = text[start : data.draw(st.integers(start, len(text)))]
    leads = word_leads(text)
    held = {word for word, _ in leads}
    assert word_pairs(text) == {(stored[:1], word) for word, stored in leads}  # what the build counts by
    assert (
        leads
        == {  # the definition, read literally
            (m.group(), text[: m.start()].split("\x00")[-1][-LEAD:][::-1]) for m in WORD.finditer(text)
        }
    )
    for word, whole, lead in query_words(query):
        # a stored (word, lead) the table files under the same first character as the query's lead
        assert any(
            (each == word if whole else each.startswith(word))
            and stored.startswith(lead)
            and stored[:1] == lead[:1]
            for each, stored in leads
        ), (text, query, word, lead)
    for word, shape in _shapes(query):
        assert _holds(held, word, shape), (text, query, word, shape)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(TEXT, min_size=1, max_size=3), min_size=1, max_size=12),
    pick=st.integers(0, 11),
    cut=st.tuples(st.integers(0, 40), st.integers(0, 40)),
    window=st.tuples(st.integers(0, 12), st.integers(0, 12)),
    limit=st.sampled_from([-1, 0, 1, 2, 10**9]),
)
def test_a_kept_groups_word_index_finds_exactly_the_rows_holding_the_query(
    rows: list[list[str]], pick: int, cut: tuple[int, int], window: tuple[int, int], limit: int
) -> None:
    kept = KeptSearch(rows, lambda fields: fields)
    texts = [search_text(fields) for fields in rows]
    source = texts[pick % len(texts)]
    query = source[min(cut) : max(cut)]
    start, end = min(window), max(window)
    found = kept.find(query, start, end, limit=limit)
    if "\x00" in query or not _shapes(query):
        assert found is None
        return
    holding = [i for i, text in enumerate(texts) if start <= i < end and query in text]
    assert found == holding[: max(limit, 0)]


def _group(size: int, seed: int = 11):
    rng = random.Random(seed)
    nouns = ["sale", "survey", "Straße", "ΟΔΟΣ", "İstanbul", "webinar"]
    links = [
        link(
            f"{rng.choice(['bit.ly', 'J.mp', 'acme.co'])}/{rng.choice(['x', 'İ', 'sale'])}{i:x}",
            title=None if i % 13 == 0 else f"{rng.choice(['Spring', 'Última'])} {rng.choice(nouns)} #{i}",
            long_url=f"https://example.com/{rng.choice(nouns)}/{i * 7919:x}",
            created=1_700_000_000 + rng.randrange(100_000),
            archived=rng.random() < 0.2,
            tags=rng.sample(["promo", "Maß", "b2b"], rng.randrange(3)),
        )
        for i in range(size)
    ]
    return dataset(links=links)


def _queries(data, rng: random.Random) -> list[str]:
    out = ["sale #1", "SALE #12", "ΟΔΟΣ #", "straße #3", "#", "/x1", "ly/", "é #", "a\x00b", "sale"]
    for item in rng.sample(list(data.groups[0].links), 40):
        out += [item.id, item.id.upper(), item.id.split("/")[1]]
        if item.title:
            start = rng.randrange(len(item.title))
            out.append(item.title[start : start + rng.randrange(3, 14)])
    return out


@pytest.mark.parametrize("path", ["kept-words", "word-table", "no-word-table"])
def test_query_answers_through_each_path_equal_the_brute_force_reading(
    path: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    data = _group(1200)
    if path == "kept-words":
        monkeypatch.setattr(store_db, "ORDERED_ON_ASK", 1)
        store = Store.build(data)
    else:
        monkeypatch.setattr(store_db, "ORDERED_GROUP_MAX", 0)
        file = tmp_path / "store.sqlite3"
        Store.build(data, path=file).close()
        if path == "no-word-table":
            conn = sqlite3.connect(file)
            conn.execute("DROP TABLE link_words")
            conn.execute("DROP TABLE qr_words")
            conn.commit()
            conn.close()
        store = Store.open(file)
        assert store._words["link_words"].present is (path == "word-table")
    group = data.groups[0]
    for query in _queries(data, random.Random(5)):
        for archived in ("off", "both"):
            for limit in (0, 1, 7, 1001):
                flt = ItemFilter(query=query, archived=archived, created_after=1_700_030_000)
                got = [row.id for row in store.find_links(group=GUID, flt=flt, limit=limit)]
                assert got == reference_links(group, flt, limit), (query, archived, limit)
    kept = [ordered for ordered in store._ordered.values() if ordered is not None]
    assert all(ordered.words is not None for ordered in kept) and bool(kept) is (path == "kept-words")


def test_a_kept_group_answers_a_query_of_two_words_without_sql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_db, "ORDERED_ON_ASK", 1)
    data = _group(300)
    store = Store.build(data)
    target = data.groups[0].links[42]
    ran: list[str] = []
    store._conn.set_trace_callback(ran.append)
    first = store.find_links(group=GUID, flt=ItemFilter(query=target.id, archived="both"), limit=5)
    assert [row.id for row in first] == [target.id] and ran  # the group is read whole once
    ran.clear()
    again = store.find_links(group=GUID, flt=ItemFilter(query=target.id.upper(), archived="both"), limit=5)
    assert again == first and ran == []
    # one word with nothing around it may lie inside a longer word: SQL (the trigram index) answers it
    store.find_links(group=GUID, flt=ItemFilter(query="sale", archived="both"), limit=5)
    assert any("MATCH" in statement for statement in ran)


def test_the_word_table_names_the_candidates_of_an_id_and_not_of_one_common_word() -> None:
    data = _group(3000)
    store = Store.build(data)
    conn, words = store._conn, store._words["link_words"]
    target = data.groups[0].links[1234]

    def plan(query: str) -> str:
        flt = ItemFilter(query=query, archived="both")
        found = select_query(conn, LINKS, gkey=1, group_size=3000, flt=flt, limit=1001, words=words)
        assert found is not None
        return found.sql

    assert "json_each" in plan(target.id) and "MATCH" not in plan(target.id)
    (key,) = conn.execute("SELECT key FROM links WHERE id = ?", (target.id,)).fetchone()
    named = words.candidates(target.id.lower(), 100)
    assert named is not None and key in named and len(named) <= 3
    # "example" is a word of every item's URL: more than WORD_POSTED_MAX hold it, so none are listed
    assert words.candidates("://example", 10**6) is None
    assert "json_each" not in plan("://example")  # walked: the query names most items
    assert words.candidates("sale", 10**6) is None  # one word: it may lie inside a longer one
