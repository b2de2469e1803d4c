"""`filter.query` through the trigram index: the same match set as the contract's brute-force reading.

The index is asked for a query's rarest trigrams only (GramCounts), and in a group too small for the other
candidate sources it is still asked first; neither may change an answer. The data mixes text whose
lower-casing changes length or depends on context (`İ`, `ß`, final sigma) with plain ASCII, and queries
reach the 256-code-point limit.
"""

from __future__ import annotations

import random
import sqlite3

import pytest
from store_factories import GUID, dataset, link, qr, reference_links, reference_qr_codes

from bitly_exports_contract.store import ItemFilter, Store
from bitly_exports_contract.store.query import LINKS, SMALL_GROUP, select_query
from bitly_exports_contract.store.search import GramCounts, trigrams

WORDS = [
    "Maß", "MASS", "maße", "İstanbul", "ISTANBUL", "istanbul", "ΟΔΟΣ", "οδος", "Straße", "STRASSE",
    "ǅemal", "Ǆ", "café", "CAFÉ", "東京", "🎉party", "sale", "Sale", "spring", "bit.ly", "https://",
    "abcxyz", "xyzabc", "q" * 40, "ÅNGSTRÖM", "ﬃ", "ẞ",
]  # fmt: skip
LONG = "Ünïcödé-" * 40  # 320 code points: 256-code-point queries can match inside it


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 5)))


def _group(size: int, seed: int = 5):
    rng = random.Random(seed)
    links = []
    for i in range(size):
        title = LONG if i % 97 == 0 else (_text(rng) if rng.random() < 0.9 else None)
        links.append(
            link(
                f"{rng.choice(['bit.ly', 'J.mp', 'acme.co'])}/{i:x}{rng.choice(['Ab', 'İx', 'zz'])[:1]}",
                title=title,
                long_url=f"https://example.com/{rng.choice(WORDS)}/{i}",
                created=1_700_000_000 + rng.randrange(200_000),
                archived=rng.random() < 0.2,
                tags=rng.sample(["promo", "Maß", "İ", "b2b"], rng.randrange(3)),
            )
        )
    qr_codes = [
        qr(
            f"Q{i:06d}x",
            title=_text(rng),
            bitlink=links[i].id if i % 2 else None,
            created=1_700_000_000 + rng.randrange(200_000),
            tags=rng.sample(["print", "ΟΔΟΣ"], rng.randrange(2)),
        )
        for i in range(size // 10)
    ]
    return dataset(links=links, qr_codes=qr_codes)


def _queries(data, rng: random.Random) -> list[str]:
    group = data.groups[0]
    picks = rng.sample(list(group.links), 40)
    out = [
        "maß", "MASS", "Maße", "ss", "ß", "ẞ", "i̇stanbul", "İSTANBUL", "istanbul", "İ", "i̇",
        "οδοσ", "ΟΔΟΣ", "οδος", "ǆemal", "ǅ", "ﬃ", "ffi", "東京", "🎉", "café", "CAFÉ", "sale",
        "bit.ly/", "https://example.com/", "xyzabcxyz", "abcxyzabc", "q" * 41, "zzzz", "a OR b",
        LONG[:256], LONG[3:259], LONG[:255] + "x", LONG.upper()[:256],
    ]  # fmt: skip
    for item in picks:
        out += [item.id, item.id.swapcase(), item.id.split("/")[1]]
        if item.title:
            start = rng.randrange(len(item.title))
            out.append(item.title[start : start + rng.randrange(3, 12)])
    return out


@pytest.mark.parametrize("size", [pytest.param(1500, id="small-group"), pytest.param(4000, id="large-group")])
def test_query_answers_equal_the_brute_force_reading(size: int) -> None:
    data = _group(size)
    store = Store.build(data)
    group = data.groups[0]
    rng = random.Random(size)
    for query in _queries(data, rng):
        for archived in ("off", "both"):
            for limit in (7, 1001):
                flt = ItemFilter(query=query, archived=archived)
                got = [row.id for row in store.find_links(group=GUID, flt=flt, limit=limit)]
                assert got == reference_links(group, flt, limit), (query, archived, limit)
                got_qr = [row.id for row in store.find_qr_codes(group=GUID, flt=flt, limit=limit)]
                assert got_qr == reference_qr_codes(group, flt, limit), (query, archived, limit)


def test_a_256_code_point_query_matches_where_it_is_a_substring() -> None:
    data = _group(300)
    store = Store.build(data)
    flt = ItemFilter(query=LONG.upper()[8:264], archived="both")
    assert len(flt.query or "") == 256
    got = [row.id for row in store.find_links(group=GUID, flt=flt, limit=1001)]
    assert got and got == reference_links(data.groups[0], flt, 1001)


def test_in_a_small_group_a_rare_query_starts_from_the_trigram_index_and_a_tag_does_not() -> None:
    data = _group(1500)
    store = Store.build(data)
    conn = store._conn  # white-box: the plan is an implementation choice
    rare = data.groups[0].links[123].id
    assert 1500 <= SMALL_GROUP
    by_query = select_query(conn, LINKS, gkey=1, group_size=1500, flt=ItemFilter(query=rare), limit=1001)
    by_tag = select_query(conn, LINKS, gkey=1, group_size=1500, flt=ItemFilter(tags=("b2b",)), limit=1001)
    assert by_query is not None and "CROSS JOIN" in by_query.sql
    assert by_tag is not None and "CROSS JOIN" not in by_tag.sql


@pytest.mark.parametrize("exact", [pytest.param(True, id="gram-table"), pytest.param(False, id="counted")])
def test_the_index_is_asked_for_the_rarest_trigrams(exact: bool) -> None:
    data = _group(1500)
    store = Store.build(data)
    counts = GramCounts(store._conn, fts="link_fts", grams="link_grams" if exact else "no_such_table")
    assert counts.exact is exact
    grams = trigrams("bit.ly/abcxyz")
    chosen = counts.rarest(grams, 2)
    assert len(chosen) == 2
    assert max(counts.docs(g) for g in chosen) <= min(counts.docs(g) for g in grams if g not in chosen)
    assert counts.docs("bit") > counts.docs("xyz") > 0
    holding = sum(
        any("bit" in text.lower() for text in (item.title or "", item.long_url, item.id, *item.tags))
        for item in data.groups[0].links
    )
    assert counts.docs("bit") == (holding if exact else min(1000, holding))
    assert counts.docs("\u2603\u2603\u2603") == 0


def test_a_store_built_without_gram_tables_or_key_order_gives_the_same_answers(tmp_path) -> None:
    data = _group(2500)
    path = tmp_path / "store.sqlite3"
    Store.build(data, path=str(path)).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE link_grams")
    conn.execute("DROP TABLE qr_grams")
    conn.execute("DELETE FROM meta WHERE key = 'key_order'")
    conn.commit()
    conn.close()
    store = Store.open(path)
    assert not store._grams["link_fts"].exact
    assert not store._keys_in_order
    group = data.groups[0]
    for query in _queries(data, random.Random(3))[::3]:
        flt = ItemFilter(query=query, archived="both")
        for limit in (7, 1001):
            got = [row.id for row in store.find_links(group=GUID, flt=flt, limit=limit)]
            assert got == reference_links(group, flt, limit), query
