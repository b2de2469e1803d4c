"""The contract's matching rules applied to the items discovery read: the rows a filter must select.

Every fact used here came from the endpoint; the rules are CONTRACT.md §1, §2 and §7.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bitly_exports_contract.kit.checks.cells import is_bitlink_id
from bitly_exports_contract.kit.discover import Item
from bitly_exports_contract.kit.relations._base import Inapplicable


def has_bitlink(item: Item) -> bool:
    """Whether a QR code has a bitlink: it is of type `bitlink` and its destination is a bitlink id."""
    return item.qr_code_type == "bitlink" and is_bitlink_id(item.destination)


def _domain(item: Item) -> str | None:
    if item.qr_code_type is None:
        return item.id.split("/", 1)[0]
    return item.destination.split("/", 1)[0] if has_bitlink(item) else None


def _query(item: Item, query: str) -> bool | None:
    needle = query.lower()
    if item.qr_code_type is None:
        fields = [item.title, item.destination, item.id, *item.tags]
    else:
        fields = [item.title, item.id, item.destination, *item.tags]
    if any(needle in field.lower() for field in fields):
        return True
    # A QR code with a bitlink is searched on its long URL too, which its row does not show.
    return None if has_bitlink(item) else False


def matches(item: Item, filter_: dict[str, Any]) -> bool | None:
    """Whether the item matches the filter; None when its row does not show enough to tell."""
    archived = filter_.get("archived", "off")
    if archived == "on" and not item.archived or archived == "off" and item.archived:
        return False
    tags = filter_.get("tags") or []
    if tags and not set(tags) & set(item.tags):
        return False
    domain = filter_.get("domain")
    if domain is not None:
        found = _domain(item)
        if found is None or found.lower() != str(domain).lower():
            return False
    after, before = filter_.get("created_after"), filter_.get("created_before")
    if after is not None and item.created < after or before is not None and item.created >= before:
        return False
    if "campaign_guid" in filter_ and item.qr_code_type is None:
        return None
    query = filter_.get("query")
    if query:
        return _query(item, str(query))
    return True


def expected_ids(items: Iterable[Item], filter_: dict[str, Any]) -> list[str]:
    """The ids a filter selects, in the contract's order, before the cap."""
    selected: list[Item] = []
    for item in items:
        verdict = matches(item, filter_)
        if verdict is None:
            raise Inapplicable(f"the rows do not show whether {item.id} matches {filter_!r}")
        if verdict:
            selected.append(item)
    return [item.id for item in sorted(selected, key=lambda i: i.order_key)]
