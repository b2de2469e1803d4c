"""What a store keeps in memory (rows, engagement series): answers never change, full caches are emptied."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import NamedTuple

import pytest
from store_factories import GUID, OTHER, link, qr, store_of

from bitly_exports_contract.store import Engagement, ItemFilter, Store, series
from bitly_exports_contract.store import db as store_db
from bitly_exports_contract.store.cache import BoundedCache
from bitly_exports_contract.store.items import LINK_ITEMS, QR_ITEMS, ItemKind
from bitly_exports_contract.store.query import LINKS
from bitly_exports_contract.store.seed import seed_dataset

EVERYTHING = ItemFilter(archived="both")


def fresh_answers(store: Store, group: str) -> tuple[object, ...]:
    """Every kind of read, in an order that fills the cache from several directions."""
    links = store.find_links(group=group, flt=EVERYTHING, limit=1001)
    codes = store.find_qr_codes(group=group, flt=EVERYTHING, limit=1001)
    ids = [row.id for row in links]
    targets = ids[::3] + [row.id for row in codes][::2] + ["bit.ly/none"]
    return (
        links,
        codes,
        store.find_links(group=group, flt=ItemFilter(tags=("promo",)), limit=50),
        store.links_by_ids(group=group, ids=ids[::-7] + ["bit.ly/none"]),
        store.metrics(group=group, targets=targets, start=0, end=2**40),
        store.metrics(group=group, targets=targets[::-1], start=(store.now or 0) - 86_400 * 30, end=2**40),
    )


def test_cached_answers_are_the_answers_of_a_store_that_never_read_before() -> None:
    dataset = seed_dataset(3, links=300)
    warm = Store.build(dataset)
    group = warm.group_guids()[0]
    first = fresh_answers(warm, group)
    assert warm._links.cache and warm._qrs.cache  # white-box: the reads above went through the cache
    assert fresh_answers(warm, group) == first  # every row from the cache now
    for other in warm.group_guids()[1:]:
        assert fresh_answers(warm, other) == fresh_answers(Store.build(dataset), other)


def test_a_cached_row_answers_only_for_its_own_group() -> None:
    store = store_of(
        links=[link("bit.ly/mine", title="mine")],
        other_links=[link("bit.ly/theirs", title="theirs")],
        other_engagements=[Engagement("bit.ly/theirs", 100, 5, 0, 0)],
    )
    assert [r.id for r in store.find_links(group=OTHER, flt=EVERYTHING, limit=10)] == ["bit.ly/theirs"]
    assert "bit.ly/theirs" in store._links.cache  # cached by the read above
    assert store.links_by_ids(group=GUID, ids=["bit.ly/theirs", "bit.ly/mine"]).keys() == {"bit.ly/mine"}
    assert store.metrics(group=GUID, targets=["bit.ly/theirs"], start=0, end=1000) == {
        "bit.ly/theirs": (0, 0, 0)
    }
    assert store.metrics(group=OTHER, targets=["bit.ly/theirs"], start=0, end=1000) == {
        "bit.ly/theirs": (5, 0, 0)
    }


def test_metrics_find_qr_codes_whether_or_not_they_were_read_before() -> None:
    kwargs = {
        "links": [link("bit.ly/a")],
        "qr_codes": [qr("Qcode0000001", bitlink="bit.ly/a")],
        "engagements": [Engagement("Qcode0000001", 100, 0, 7, 1), Engagement("bit.ly/a", 100, 3, 0, 0)],
    }
    cold, warm = store_of(**kwargs), store_of(**kwargs)
    warm.find_qr_codes(group=GUID, flt=EVERYTHING, limit=10)
    for store in (cold, warm):
        got = store.metrics(group=GUID, targets=["Qcode0000001", "bit.ly/a"], start=0, end=1000)
        assert got == {"Qcode0000001": (0, 7, 1), "bit.ly/a": (3, 0, 0)}


@pytest.mark.parametrize("cap", [1, 3, 7])
def test_a_full_cache_is_emptied_and_answers_stay_right(monkeypatch: pytest.MonkeyPatch, cap: int) -> None:
    dataset = seed_dataset(5, links=40)
    expected = Store.build(dataset)
    group = expected.group_guids()[0]
    want = [fresh_answers(expected, group) for _ in range(2)]
    monkeypatch.setattr(store_db, "ROW_CACHE_CAP", cap)
    small = Store.build(dataset)
    assert [fresh_answers(small, group) for _ in range(2)] == want


def test_the_cache_is_emptied_before_it_would_grow_past_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_db, "ROW_CACHE_CAP", 3)
    store = store_of(links=[link(f"bit.ly/{i}", created=1000 + i) for i in range(5)])
    store.ordered_group_max = 0  # the index walk, not the kept export order
    newest = store.find_links(group=GUID, flt=ItemFilter(created_after=1003), limit=10)
    assert set(store._links.cache) == {"bit.ly/3", "bit.ly/4"}
    oldest = store.find_links(group=GUID, flt=ItemFilter(created_before=1002), limit=10)
    assert set(store._links.cache) == {"bit.ly/0", "bit.ly/1"}  # 2 + 2 > 3: emptied, then the two read added
    store.find_links(group=GUID, flt=ItemFilter(created_before=1001), limit=10)
    assert set(store._links.cache) == {"bit.ly/0", "bit.ly/1"}  # a cached row is not read again
    assert [r.id for r in newest + oldest] == ["bit.ly/4", "bit.ly/3", "bit.ly/1", "bit.ly/0"]


def test_engagement_series_are_read_on_a_targets_second_ask_and_kept_up_to_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(series, "SERIES_CACHE_CAP", 2)
    targets = ["bit.ly/a", "bit.ly/b", "bit.ly/c"]
    store = store_of(
        links=[link(t) for t in targets],
        engagements=[Engagement(t, at, i + 1, 0, 0) for i, t in enumerate(targets) for at in (100, 200)],
    )
    ask = lambda *ts: store.metrics(group=GUID, targets=list(ts), start=150, end=250)  # noqa: E731
    assert ask("bit.ly/a") == {"bit.ly/a": (1, 0, 0)}
    assert len(store._series) == 0  # asked once: answered by SQL seeks, nothing read whole
    assert ask("bit.ly/a", "bit.ly/b") == {"bit.ly/a": (1, 0, 0), "bit.ly/b": (2, 0, 0)}
    assert len(store._series) == 1  # bit.ly/a's second ask read its series
    assert ask("bit.ly/b", "bit.ly/c") == {"bit.ly/b": (2, 0, 0), "bit.ly/c": (3, 0, 0)}
    assert len(store._series) == 2
    assert ask("bit.ly/c") == {"bit.ly/c": (3, 0, 0)}
    assert len(store._series) == 1  # 2 + 1 > 2: emptied, then bit.ly/c's series added
    assert ask(*targets) == {"bit.ly/a": (1, 0, 0), "bit.ly/b": (2, 0, 0), "bit.ly/c": (3, 0, 0)}


def test_forget_empties_every_cache_and_the_answers_stay() -> None:
    store = Store.build(seed_dataset(4, links=60))
    group = store.group_guids()[0]
    first = fresh_answers(store, group)
    store.records("links_list", group)["bit.ly/x"] = b"x"
    store.forget()
    assert not store._links.cache and not store._qrs.cache and len(store._series) == 0
    assert store.records("links_list", group) == {}
    assert fresh_answers(store, group) == first


def test_a_bounded_cache_is_emptied_before_it_passes_its_cap() -> None:
    kept: BoundedCache[str, int] = BoundedCache(3)
    assert kept.remember({"a": 1, "b": 2}) == {"a": 1, "b": 2}
    kept.remember({"c": 3})
    assert kept == {"a": 1, "b": 2, "c": 3}
    kept.remember({"d": 4})
    assert kept == {"d": 4}
    with pytest.raises(ValueError, match="at least one"):
        BoundedCache(0)


@pytest.mark.parametrize("items", [LINK_ITEMS, QR_ITEMS], ids=["links", "qr_codes"])
def test_rows_are_built_by_the_names_of_their_columns(items: ItemKind) -> None:
    kind = items.query
    fields = kind.row_type._fields  # type: ignore[attr-defined]
    assert kind.selected == ("id", "key", "gkey", *fields[1:])
    assert kind.columns == ", ".join(f"l.{name}" for name in kind.selected)
    # each stored column a distinct value, so a field taken from the wrong column shows
    stored = {name: f"<{name}>" for name in kind.selected} | {"key": 7, "gkey": 3, "archived": 1}
    stored["tags"] = '["a", "b"]'
    made = items.make([tuple(stored[name] for name in kind.selected)])
    expected = kind.row_type(
        **{name: stored[name] for name in fields} | {"archived": True, "tags": ("a", "b")}
    )
    assert made == {"<id>": (3, 7, expected)}
    assert type(made["<id>"].row) is kind.row_type and made["<id>"].row.archived is True
    assert items.make([]) == {}
    searched = kind.search_fields(tuple(stored[name] for name in kind.selected))
    assert sorted(v for v in searched if v) == sorted([stored[name] for name in kind.search] + ["a", "b"])


def test_a_row_type_field_without_a_column_is_refused_at_the_first_query() -> None:
    class Odd(NamedTuple):
        id: str
        nickname: str

    odd = dataclasses.replace(LINKS, row_type=Odd)
    store = Store.build(seed_dataset(4, links=20))
    with pytest.raises(sqlite3.OperationalError, match="nickname"):
        store._conn.execute(LINK_ITEMS.by_keys.replace(LINKS.columns, odd.columns), ("[]",))
