"""Building to a file, reopening it read-only, refusing what is not a store, and sharing across threads."""

from __future__ import annotations

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from store_factories import GUID, dataset, find_ids, link

from bitly_exports_contract.store import (
    Dataset,
    Engagement,
    Group,
    ItemFilter,
    Store,
    StoreError,
    seed_dataset,
)


def test_build_to_a_path_then_open_answers_the_same(tmp_path: Path) -> None:
    data = seed_dataset(2, links=300)
    path = tmp_path / "store.sqlite3"
    built = Store.build(data, path=str(path))
    built.close()
    with Store.open(str(path)) as store, Store.build(data) as memory:
        guid = data.groups[0].guid
        flt = ItemFilter(archived="both", query="a")
        assert store.find_links(group=guid, flt=flt, limit=50) == memory.find_links(
            group=guid, flt=flt, limit=50
        )
        ids = [item.id for item in data.groups[0].links[:20]]
        window = {"group": guid, "targets": ids, "start": 0, "end": 2**40}
        assert store.metrics(**window) == memory.metrics(**window)  # type: ignore[arg-type]
        assert store.tokens() == memory.tokens() and store.now == memory.now
    assert sorted(os.listdir(tmp_path)) == ["store.sqlite3"]


def test_build_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    Store.build(dataset(links=[link("bit.ly/old")]), path=path).close()
    Store.build(dataset(links=[link("bit.ly/new")]), path=path).close()
    with Store.open(path) as store:
        assert find_ids(store, ItemFilter()) == ["bit.ly/new"]


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    broken = Dataset(
        now=None, tokens=(), groups=(Group("Bg", (), (), (), (Engagement("bit.ly/x", 1, 1, 1, 1),)),)
    )
    with pytest.raises(StoreError, match="engagement target 'bit.ly/x'"):
        Store.build(broken, path=path)
    assert os.listdir(tmp_path) == []


def test_build_into_a_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot create the store file"):
        Store.build(dataset(), path=tmp_path / "missing" / "store.sqlite3")


def test_a_dataset_with_duplicate_ids_is_refused() -> None:
    with pytest.raises(StoreError, match="uniqueness"):
        Store.build(dataset(links=[link("bit.ly/a")], other_links=[link("bit.ly/a")]))


def test_open_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such store file"):
        Store.open(str(tmp_path / "missing.sqlite3"))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"not a database at all" * 100, id="text"),
        pytest.param(b"", id="empty"),
        pytest.param(None, id="other-sqlite-database"),
    ],
)
def test_open_refuses_a_file_that_is_not_a_store(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "other.db"
    if content is None:
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t (x)")
        conn.close()
    else:
        path.write_bytes(content)
    with pytest.raises(StoreError, match="not a"):
        Store.open(str(path))


def test_an_opened_store_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    Store.build(dataset(links=[link("bit.ly/a")]), path=path).close()
    with Store.open(path) as store, pytest.raises(sqlite3.OperationalError):
        store._conn.execute("DELETE FROM links")


def test_threads_can_share_one_store() -> None:
    store = Store.build(dataset(links=[link(f"bit.ly/n{i}", created=i, tags=["t"]) for i in range(500)]))
    expected = find_ids(store, ItemFilter(tags=("t",)), limit=100)

    def ask(_: int) -> list[str]:
        return find_ids(store, ItemFilter(tags=("t",)), limit=100)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(result == expected for result in pool.map(ask, range(200)))
    assert store.metrics(group=GUID, targets=["bit.ly/n1"], start=0, end=1) == {"bit.ly/n1": (0, 0, 0)}
