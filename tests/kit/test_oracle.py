"""The matching oracle decides what a row shows and leaves open what it does not."""

from __future__ import annotations

from typing import Any

import pytest

from bitly_exports_contract.kit.discover import Item
from bitly_exports_contract.kit.relations._base import RelationBroken, View
from bitly_exports_contract.kit.relations.matching import selects
from bitly_exports_contract.kit.relations.oracle import carries, expected_rows, has_bitlink, matches


def _link(ident: str, created: int, *, tags: str = "", title: str = "", url: str = "https://e.com/x") -> Item:
    return Item(
        id=ident,
        created=created,
        archived=False,
        tags=tuple(tags.split(";")) if tags else (),
        title=title,
        destination=url,
        tag_cell=tags,
    )


def _qr(ident: str, destination: str, kind: str = "bitlink") -> Item:
    return Item(
        id=ident, created=1, archived=False, tags=(), title="", destination=destination, qr_code_type=kind
    )


@pytest.mark.parametrize(
    ("cell", "tag", "verdict"),
    [
        pytest.param("promo", "promo", True, id="the one tag"),
        pytest.param("promo", "print", False, id="not in the cell"),
        pytest.param("a;b", "a", None, id="a piece: two tags or the one tag a;b"),
        pytest.param("a;b", "a;b", None, id="the whole cell: one tag or two"),
        pytest.param("", "a", False, id="no tags"),
    ],
)
def test_a_tags_cell_decides_only_what_it_shows(cell: str, tag: str, verdict: bool | None) -> None:
    assert carries(_link("bit.ly/a", 1, tags=cell), tag) is verdict


def test_a_qr_code_has_a_bitlink_by_its_destination_whatever_its_type() -> None:
    assert has_bitlink(_qr("Q1", "bit.ly/abc", kind="website"))
    assert not has_bitlink(_qr("Q2", "https://e.com/abc", kind="bitlink"))


def test_query_follows_str_lower_on_both_sides() -> None:
    item = _link("bit.ly/a", 1, title="Maßstab")
    assert matches(item, {"query": "MAß"}) is True
    assert matches(item, {"query": "MASS"}) is False  # "MASS".lower() is "mass", not "maß"


def test_a_query_across_a_semicolon_is_left_open() -> None:
    assert matches(_link("bit.ly/a", 1, tags="ab;cd"), {"query": "b;c"}) is None
    assert matches(_link("bit.ly/a", 1, tags="ab;cd"), {"query": "AB"}) is True


class _View(View):
    def __init__(self, ids: list[str], truncated: bool = False, columns: list[str] | None = None) -> None:
        object.__setattr__(self, "_ids", ids)
        object.__setattr__(self, "_body", {"truncated": truncated, "columns": columns or ["bitlink"]})

    @property
    def ids(self) -> list[str]:  # type: ignore[override]
        return self._ids  # type: ignore[attr-defined,no-any-return]

    @property
    def body(self) -> dict[str, Any]:  # type: ignore[override]
        return self._body  # type: ignore[attr-defined,no-any-return]

    @property
    def exchange(self) -> Any:  # type: ignore[override]
        return None


ITEMS = [
    _link("bit.ly/a", 5, tags="x"),  # certain
    _link("bit.ly/b", 4, tags="x;y"),  # open
    _link("bit.ly/c", 3, tags="z"),  # certainly not
    _link("bit.ly/d", 2, tags="x"),  # certain
]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(["bit.ly/a", "bit.ly/d"], id="without the open item"),
        pytest.param(["bit.ly/a", "bit.ly/b", "bit.ly/d"], id="with the open item"),
    ],
)
def test_selects_accepts_either_reading_of_an_open_item(rows: list[str]) -> None:
    selects(_View(rows), expected_rows(ITEMS, {"tags": ["x"]}), "tags [x]")


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(["bit.ly/a"], id="a certain row missing"),
        pytest.param(["bit.ly/a", "bit.ly/c", "bit.ly/d"], id="a row that cannot match"),
        pytest.param(["bit.ly/d", "bit.ly/a"], id="out of order"),
    ],
)
def test_selects_fails_what_no_reading_allows(rows: list[str]) -> None:
    with pytest.raises(RelationBroken):
        selects(_View(rows), expected_rows(ITEMS, {"tags": ["x"]}), "tags [x]")
