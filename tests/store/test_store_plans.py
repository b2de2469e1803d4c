"""Both query plans (index walk and candidates) give exactly the contract's match set on a seeded group."""

from __future__ import annotations

import random

import pytest
from store_factories import reference_links, reference_qr_codes

from bitly_exports_contract.store import Dataset, ItemFilter, Store, seed_dataset
from bitly_exports_contract.store.query import LINKS, select_query
from bitly_exports_contract.store.seed_vocab import TAGS

QUERIES = [
    "",
    "a",
    "é",
    "sale",
    "SALE",
    "café",
    "=sum",
    "bit.ly/",
    "J.MP",
    "東京",
    "🎉",
    "\n",
    "ΟΔΟΣ",
    "%",
    "_",
    '"',
    "a OR b",
    "zzzz",
    "promo",
    "https://acme.co/",
    "@partners",
    "utm_source=email",
]


@pytest.fixture(scope="module")
def seeded() -> tuple[Dataset, Store]:
    data = seed_dataset(8, links=6000)
    return data, Store.build(data)


def _random_filter(rng: random.Random, data: Dataset) -> ItemFilter:
    group = data.groups[0]
    now = data.now or 0
    pick = rng.random
    query = None
    if pick() < 0.4:
        query = rng.choice(
            QUERIES + [rng.choice(group.links).id.swapcase(), rng.choice(group.qr_codes).id.lower()]
        )
    after = now - rng.randrange(4 * 365 * 86400) if pick() < 0.3 else None
    before = now - rng.randrange(4 * 365 * 86400) if pick() < 0.3 else None
    return ItemFilter(
        query=query,
        archived=rng.choice(("on", "off", "both")),
        tags=tuple(rng.sample([*TAGS, "nope"], rng.randrange(3))) if pick() < 0.4 else (),
        domain=rng.choice(("bit.ly", "J.MP", "acme.co", "go.example-brand.com", "ly", "none.io"))
        if pick() < 0.3
        else None,
        created_after=after,
        created_before=before,
        campaign_guid=rng.choice([*group.campaigns, "Cunknown0000"]) if pick() < 0.3 else None,
    )


def test_random_filters_match_the_contract_reading(seeded: tuple[Dataset, Store]) -> None:
    data, store = seeded
    group = data.groups[0]
    rng = random.Random(99)
    for _ in range(250):
        flt = _random_filter(rng, data)
        limit = rng.choice((1, 7, 201, 1001))
        got = [row.id for row in store.find_links(group=group.guid, flt=flt, limit=limit)]
        assert got == reference_links(group, flt, limit), flt
        got_qr = [row.id for row in store.find_qr_codes(group=group.guid, flt=flt, limit=limit)]
        assert got_qr == reference_qr_codes(group, flt, limit), flt


def test_a_trigram_source_known_to_be_small_is_joined_by_the_row_query(seeded: tuple[Dataset, Store]) -> None:
    data, store = seeded
    group = data.groups[0]
    conn, grams = store._conn, store._grams["link_fts"]  # white-box: the plan is an implementation choice
    rare = ItemFilter(query=group.links[17].id.swapcase(), archived="both")
    query = select_query(conn, LINKS, gkey=1, group_size=6000, flt=rare, limit=1001, grams=grams)
    assert query is not None and "FROM (SELECT rowid AS k FROM link_fts" in query.sql
    common = ItemFilter(query="sale", archived="both")  # its rarest trigram is in more items than the limit
    query = select_query(conn, LINKS, gkey=1, group_size=6000, flt=common, limit=7, grams=grams)
    assert query is not None and "FROM (SELECT" not in query.sql
    for flt in (rare, common, ItemFilter(query="webinar #1", tags=("promo",))):
        for limit in (1, 7, 1001):
            got = [row.id for row in store.find_links(group=group.guid, flt=flt, limit=limit)]
            assert got == reference_links(group, flt, limit), flt


def test_the_kept_export_order_answers_as_the_index_walk(seeded: tuple[Dataset, Store]) -> None:
    data, store = seeded
    group = data.groups[0]
    walk = Store.build(data)
    walk.ordered_group_max = 0
    now = data.now or 0
    rng = random.Random(5)
    created = sorted({item.created for item in (*group.links, *group.qr_codes)})
    edges = [None, -(2**63), 2**63 - 1, 2**63, -(2**63) - 1, 10**30, -(10**30), created[0], created[-1]]
    for _ in range(300):

        def bound() -> int | None:
            roll = rng.random()
            if roll < 0.15:
                return rng.choice(edges)
            if roll < 0.6:
                return rng.choice(created) + rng.choice((-1, 0, 1))
            return None if roll < 0.8 else now - rng.randrange(4 * 365 * 86400)

        flt = ItemFilter(
            archived=rng.choice(("on", "off", "both")),
            created_after=bound(),
            created_before=bound(),
            campaign_guid=rng.choice([None, group.campaigns[0]]) if rng.random() < 0.1 else None,
        )
        limit = rng.choice((0, 1, 7, 201, 1001, 10**9))
        got = store.find_links(group=group.guid, flt=flt, limit=limit)
        assert got == walk.find_links(group=group.guid, flt=flt, limit=limit), flt
        assert [row.id for row in got] == reference_links(group, flt, limit), flt
        got_qr = store.find_qr_codes(group=group.guid, flt=flt, limit=limit)
        assert got_qr == walk.find_qr_codes(group=group.guid, flt=flt, limit=limit), flt
        assert [row.id for row in got_qr] == reference_qr_codes(group, flt, limit), flt
    assert any(store._ordered.values()) and not walk._ordered


def test_a_group_is_kept_in_export_order_on_its_second_ask() -> None:
    data = seed_dataset(3, links=300)
    store = Store.build(data)
    group = data.groups[0].guid
    flt = ItemFilter(archived="on", created_before=(data.now or 0) - 86400)
    first = store.find_links(group=group, flt=flt, limit=10)
    assert list(store._ordered.values()) == [None]  # asked once: the index walk, nothing read whole
    assert store.find_links(group=group, flt=flt, limit=10) == first
    (kept,) = store._ordered.values()
    assert kept is not None and len(kept.rows) == sum(link.archived for link in data.groups[0].links)
    store.forget()
    assert not store._ordered


@pytest.mark.parametrize(
    ("flt", "plan"),
    [
        pytest.param(ItemFilter(), "walk", id="no-filter-walks"),
        pytest.param(ItemFilter(tags=("nope",)), "candidates", id="unused-tag-starts-from-tag-table"),
        pytest.param(ItemFilter(domain="BIT.LY"), "walk", id="common-domain-walks"),
        pytest.param(
            ItemFilter(domain="j.mp"), "candidates", id="fifteen-percent-domain-starts-from-domain-index"
        ),
        pytest.param(ItemFilter(query="zzzz"), "candidates", id="rare-query-starts-from-trigrams"),
        pytest.param(ItemFilter(query="zz"), "walk", id="two-letter-query-walks"),
    ],
)
def test_the_plan_follows_selectivity(seeded: tuple[Dataset, Store], flt: ItemFilter, plan: str) -> None:
    _, store = seeded
    conn = store._conn  # white-box: the plan is an implementation choice
    query = select_query(conn, LINKS, gkey=1, group_size=6000, flt=flt, limit=1001)
    assert query is not None
    assert ("CROSS JOIN" in query.sql) is (plan == "candidates")
    lines = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {query.sql}", query.params)]
    assert any("TEMP B-TREE" in line for line in lines) is (plan == "candidates"), lines
