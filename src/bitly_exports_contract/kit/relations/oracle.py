"""The contract's matching rules applied to the items discovery read: the rows a filter must select.

Every fact used here came from the endpoint; the rules are CONTRACT.md §1, §2, §4 and §7. A row
does not always show enough to decide: a tags cell `a;b` is the tags `a` and `b`, or the one tag
`a;b` (nothing forbids `;` in a tag), and a QR code with a bitlink is searched on a long URL its
row does not show. Such an item may or may not match; the oracle says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bitly_exports_contract.kit.checks.cells import is_bitlink_id
from bitly_exports_contract.kit.discover import Item
from bitly_exports_contract.kit.relations._base import Inapplicable


def has_bitlink(item: Item) -> bool:
    """Whether a QR code has a bitlink: §4 makes its `destination` the bitlink id when it has one,
    else its long URL (which has a scheme, so is never a bitlink id)."""
    return is_bitlink_id(item.destination)


def _domain(item: Item) -> str | None:
    if item.qr_code_type is None:
        return item.id.split("/", 1)[0]
    return item.destination.split("/", 1)[0] if has_bitlink(item) else None


def carries(item: Item, tag: str) -> bool | None:
    """Whether the item carries `tag` exactly; None when its joined tags cell cannot tell."""
    cell = item.tag_cell
    if tag not in cell:
        return False  # every tag of the item is a substring of its cell
    if cell == tag and ";" not in tag:
        return True
    return None  # `a;b` may be one tag or two


def _query(item: Item, query: str) -> bool | None:
    needle = query.lower()
    fields = [item.title, item.destination, item.id]
    if any(needle in value.lower() for value in fields):
        return True
    if needle in item.tag_cell.lower():
        # Inside one piece between `;`s it is inside one tag, whatever the tags are; across a `;`,
        # it depends on whether the `;` joins two tags or belongs to one.
        if any(needle in piece.lower() for piece in item.tag_cell.split(";")):
            return True
        return None
    # A QR code with a bitlink is searched on its long URL too, which its row does not show.
    return None if item.qr_code_type is not None and has_bitlink(item) else False


def matches(item: Item, filter_: dict[str, Any]) -> bool | None:
    """Whether the item matches the filter; None when its row does not show enough to tell."""
    archived = filter_.get("archived", "off")
    if archived == "on" and not item.archived or archived == "off" and item.archived:
        return False
    after, before = filter_.get("created_after"), filter_.get("created_before")
    if after is not None and item.created < after or before is not None and item.created >= before:
        return False
    domain = filter_.get("domain")
    if domain is not None:
        found = _domain(item)
        if found is None or found.lower() != str(domain).lower():
            return False
    verdicts: list[bool | None] = []
    tags = filter_.get("tags") or []
    if tags:
        verdicts.append(_any(carries(item, str(tag)) for tag in tags))
    if "campaign_guid" in filter_ and item.qr_code_type is None:
        verdicts.append(None)  # rows do not show campaigns
    query = filter_.get("query")
    if query:
        verdicts.append(_query(item, str(query)))
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _any(verdicts: Iterable[bool | None]) -> bool | None:
    found = list(verdicts)
    if True in found:
        return True
    return None if None in found else False


@dataclass(frozen=True)
class Expected:
    """The rows a filter selects: those it must (`ids`, in the contract's order) and those it may."""

    ids: list[str]
    maybe: frozenset[str] = frozenset()
    keys: dict[str, tuple[int, str]] = field(default_factory=dict)

    def __contains__(self, ident: object) -> bool:
        return ident in self.ids

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


def expected_rows(items: Iterable[Item], filter_: dict[str, Any]) -> Expected:
    """What a filter selects, before the cap: the items it must select and those the rows leave open."""
    certain: list[Item] = []
    maybe: list[Item] = []
    for item in items:
        verdict = matches(item, filter_)
        if verdict is None:
            maybe.append(item)
        elif verdict:
            certain.append(item)
    return Expected(
        ids=[item.id for item in sorted(certain, key=lambda i: i.order_key)],
        maybe=frozenset(item.id for item in maybe),
        keys={item.id: item.order_key for item in (*certain, *maybe)},
    )


def expected_ids(items: Iterable[Item], filter_: dict[str, Any]) -> list[str]:
    """The ids a filter selects, in the contract's order, before the cap; every item decided."""
    expected = expected_rows(items, filter_)
    if expected.maybe:
        example = sorted(expected.maybe)[0]
        raise Inapplicable(f"the rows do not show whether {example} matches {filter_!r}")
    return expected.ids
