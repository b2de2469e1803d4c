"""Filters that are each common but together rare start from the intersection of their kept key sets."""

from __future__ import annotations

import random

import orjson
import pytest
from store_factories import reference_links, reference_qr_codes

from bitly_exports_contract.store import Dataset, ItemFilter, Store, keysets, seed_dataset
from bitly_exports_contract.store.keysets import KeySets, bitset, keys_of
from bitly_exports_contract.store.query import LINKS, QR_CODES, key_set_fields, key_set_values, select_query
from bitly_exports_contract.store.seed_vocab import TAGS

COMMON_TAGS = ("newsletter", "launch", "social")  # each on ~600 of the 6,000 links of seed 8


@pytest.fixture(scope="module")
def seeded() -> tuple[Dataset, Store]:
    data = seed_dataset(8, links=6000)
    return data, Store.build(data)


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param([], id="none"),
        pytest.param([0], id="zero"),
        pytest.param([7, 8, 9, 63, 64, 65], id="byte-and-word-edges"),
        pytest.param(sorted(random.Random(1).sample(range(1_200_000), 3000)), id="sparse-large"),
    ],
)
def test_a_bitset_gives_back_its_keys_in_order(keys: list[int]) -> None:
    assert keys_of(bitset(keys)) == keys


def test_the_common_keys_of_sources_are_their_intersection(seeded) -> None:
    _, store = seeded
    fields = {
        "mod": "SELECT key AS k FROM links WHERE key % ? = ?",
        "below": "SELECT key AS k FROM links WHERE key < ?",
    }
    kept = KeySets(store._conn, kind="links", fields=fields)
    odd, threes, below = ("mod", (2, 1)), ("mod", (3, 0)), ("below", (3000,))
    assert keys_of(kept.common([[odd], [threes], [below]])) == list(range(3, 3000, 6))
    assert kept.common([[odd], [("mod", (2, 0))]]) == 0
    # a source names the union of its values' sets (a filter of several tags: any of them)
    assert keys_of(kept.common([[("mod", (4, 1)), ("mod", (4, 3))], [below]])) == list(range(1, 3000, 2))


def test_stored_key_sets_are_the_sets_the_fields_select(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keysets, "STORED_MIN", 20)
    data = seed_dataset(8, links=3000)
    store = Store.build(data)
    conn = store._conn
    stored = conn.execute("SELECT kind, field, params, bits FROM key_sets").fetchall()
    assert {(kind, field) for kind, field, _, _ in stored} == {
        ("links", "tag"),
        ("links", "domain"),
        ("links", "campaign"),
        ("qrs", "tag"),
        ("qrs", "domain"),
    }
    for kind in (LINKS, QR_CODES):
        fields = key_set_fields(kind)
        for field, values in key_set_values(kind).items():
            wanted = {keysets.set_params(p): p for p in conn.execute(values, (20,)).fetchall()}
            got = {params: bits for k, f, params, bits in stored if (k, f) == (kind.table, field)}
            assert set(got) == set(wanted)
            for params, bits in got.items():
                keys = [key for (key,) in conn.execute(fields[field], wanted[params])]
                assert keys_of(int.from_bytes(bits, "little")) == sorted(keys)
    # read from the table: the field's SQL is never run for a stored value
    kept = KeySets(conn, kind="links", fields=dict.fromkeys(key_set_fields(LINKS), "SELECT no_such_column"))
    params = next(params for k, f, params, _ in stored if (k, f) == ("links", "tag"))
    assert kept.of(("tag", tuple(orjson.loads(params)))) != 0


def test_answers_are_the_same_with_and_without_stored_key_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keysets, "STORED_MIN", 100)
    data = seed_dataset(8, links=6000)
    with_sets = Store.build(data)
    assert with_sets._keysets["links"].stored
    without = Store.build(data)
    without._conn.execute("PRAGMA query_only = OFF")
    without._conn.execute("DELETE FROM key_sets")
    group = data.groups[0]
    rng = random.Random(23)
    for _ in range(60):
        flt = ItemFilter(
            archived="both",
            tags=tuple(rng.sample([*TAGS, "no-such-tag"], rng.randrange(0, 4))),
            domain=rng.choice([None, "bit.ly", "J.MP", "acme.co", "no.such"]),
            campaign_guid=rng.choice([None, *group.campaigns]),
        )
        expected = reference_links(group, flt, 1001)
        assert [row.id for row in with_sets.find_links(group=group.guid, flt=flt, limit=1001)] == expected
        assert [row.id for row in without.find_links(group=group.guid, flt=flt, limit=1001)] == expected
        expected_qr = reference_qr_codes(group, flt, 1001)
        assert [
            row.id for row in with_sets.find_qr_codes(group=group.guid, flt=flt, limit=1001)
        ] == expected_qr


def test_common_tags_and_a_common_domain_start_from_their_intersection(seeded) -> None:
    data, store = seeded
    flt = ItemFilter(tags=COMMON_TAGS, domain="bit.ly", archived="both")
    kept = store._keysets["links"]  # white-box: the plan is an implementation choice
    query = select_query(store._conn, LINKS, gkey=1, group_size=6000, flt=flt, limit=1001, keysets=kept)
    alone = select_query(store._conn, LINKS, gkey=1, group_size=6000, flt=flt, limit=1001)
    assert query is not None and "CROSS JOIN" in query.sql  # from the intersection
    assert alone is not None and "CROSS JOIN" not in alone.sql  # each source alone names too many
    got = [row.id for row in store.find_links(group=data.groups[0].guid, flt=flt, limit=1001)]
    assert got == reference_links(data.groups[0], flt, 1001)


def test_combined_filters_match_the_contract_reading(seeded) -> None:
    data, store = seeded
    group = data.groups[0]
    now = data.now or 0
    rng = random.Random(17)
    for _ in range(150):
        flt = ItemFilter(
            query=rng.choice([None, "a", "sale", "é", "zz"]),
            archived=rng.choice(("on", "off", "both")),
            tags=tuple(rng.sample([*TAGS, *COMMON_TAGS], rng.randrange(1, 5))),
            domain=rng.choice([None, "bit.ly", "BIT.LY", "j.mp", "acme.co"]),
            created_after=rng.choice([None, now - rng.randrange(3 * 365 * 86400)]),
            campaign_guid=rng.choice([None, *group.campaigns]),
        )
        limit = rng.choice((7, 201, 1001))
        got = [row.id for row in store.find_links(group=group.guid, flt=flt, limit=limit)]
        assert got == reference_links(group, flt, limit), flt
        got_qr = [row.id for row in store.find_qr_codes(group=group.guid, flt=flt, limit=limit)]
        assert got_qr == reference_qr_codes(group, flt, limit), flt
