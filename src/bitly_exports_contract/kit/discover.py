"""What the suite learns from the live endpoint before it builds requests: links, QR codes, clock, tier.

Nothing here assumes anything about the server's data: every fact comes from exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bitly_exports_contract.kit.checks._base import Export, export_of
from bitly_exports_contract.kit.client import ExportsClient
from bitly_exports_contract.kit.csvview import parse_timestamp, unguard
from bitly_exports_contract.kit.exchange import Exchange, SentRequest
from bitly_exports_contract.kit.failure import ContractViolation
from bitly_exports_contract.kit.request_view import LINKS, QR_CODES, is_whole_number
from bitly_exports_contract.kit.target import Target
from bitly_exports_contract.spec import figures

DAY = 86400
# A filter that matches nothing (`created_after >= created_before`): the cheapest export there is.
NOTHING: dict[str, Any] = {"created_after": 0, "created_before": 0}
# The columns discovery reads an item from, besides title, archived and tags.
_IDENTITY = {
    LINKS: ("bitlink", "long_url", "created_at"),
    QR_CODES: ("qrcode_id", "destination", "created", "qr_code_type"),
}
# How many capped pages the inventory reads before it settles for a partial view.
MAX_PAGES = 12


RULE_DISCOVERY = (
    "§4: a valid request is answered 200 with every field present and `data_uri` holding the CSV of "
    "the documented columns (the suite reads the group's links, QR codes and clock this way first)"
)


class DiscoveryError(ContractViolation):
    """The endpoint did not answer a plain export readably, so there is nothing to build requests from."""

    def __init__(self, received: str, sent: SentRequest | None = None) -> None:
        super().__init__(
            rule_name="discovery_exports_are_readable", rule=RULE_DISCOVERY, received=received, sent=sent
        )


@dataclass(frozen=True)
class Item:
    """A link or a QR code as a metadata export shows it."""

    id: str
    created: int
    archived: bool
    tags: tuple[str, ...]
    title: str
    destination: str  # a link's long URL; a QR code's destination
    qr_code_type: str | None = None
    # The tags cell as written (unguarded): `tags` splits it at `;`, which a tag may itself contain.
    tag_cell: str = ""

    @property
    def order_key(self) -> tuple[int, str]:
        """The contract's order: newest first, ties by id in code-point order."""
        return -self.created, self.id


@dataclass(frozen=True)
class Inventory:
    """Every item of one kind, in the contract's order (or the newest part when `complete` is False)."""

    items: tuple[Item, ...]
    complete: bool

    def ids(self) -> list[str]:
        return [item.id for item in self.items]


@dataclass
class Discovery:
    """What the endpoint told the suite about the target."""

    now: int
    tier: str | None
    links: Inventory
    qr_codes: Inventory
    other_group_links: list[str] = field(default_factory=list)

    def tags(self) -> list[str]:
        """Pieces of the tags cells (tags, unless a tag holds `;`), most used first."""
        counts: dict[str, int] = {}
        for item in (*self.links.items, *self.qr_codes.items):
            for tag in item.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts, key=lambda tag: (-counts[tag], tag))


class TargetMisdescribed(Exception):
    """The user's own options do not reach the group: a wrong token, group GUID or base URL.

    Not a broken rule of the server: the run cannot start, and says which option to look at.
    """


def _misdescribed(exchange: Exchange, target: Target) -> TargetMisdescribed | None:
    """The user's mistake a first plain export reveals, if any."""
    if exchange.status == 403:
        return TargetMisdescribed(
            f"the token gets 403 FORBIDDEN on group {target.group_guid}: the token cannot see that group, "
            "or the group GUID is wrong (a missing group is answered 403 too), or the token is not valid "
            "there. Check --token, --group-guid and --base-url (EXPORTS_TOKEN, EXPORTS_GROUP_GUID, "
            "EXPORTS_BASE_URL)"
        )
    if exchange.status in (404, 405):
        return TargetMisdescribed(
            f"{exchange.sent.method} {exchange.sent.url} answers {exchange.status}: the base URL is probably "
            "wrong (it ends with the API's base path, such as https://api-ssl.bitly.com/v4); check "
            "--base-url (EXPORTS_BASE_URL)"
        )
    return None


def _export(exchange: Exchange, what: str) -> Export:
    export = export_of(exchange.sent, exchange.received)
    if export is None or export.csv is None:
        raise DiscoveryError(
            f"{what}: expected a 200 export, got HTTP {exchange.status}: {exchange.received.excerpt(300)}",
            exchange.sent,
        )
    return export


def _items(exchange: Exchange, export: Export, export_type: str) -> list[Item]:
    try:
        return items_of(export, export_type)
    except DiscoveryError as exc:
        raise DiscoveryError(exc.received, exchange.sent) from None


def items_of(export: Export, export_type: str) -> list[Item]:
    """The items of a metadata export's rows."""
    assert export.csv is not None
    items = []
    for row in export.csv.dicts():
        missing = [name for name in (*_IDENTITY[export_type], "title", "archived", "tags") if name not in row]
        if missing:
            raise DiscoveryError(f"{export_type}: the CSV has no column {', '.join(missing)}")
        if export_type == LINKS:
            ident, destination, created, kind = row["bitlink"], row["long_url"], row["created_at"], None
        else:
            ident, destination, created = row["qrcode_id"], row["destination"], row["created"]
            kind = row["qr_code_type"]
        moment = parse_timestamp(created)
        if moment is None:
            raise DiscoveryError(f"{export_type}: unreadable created cell {created!r}")
        tags = unguard(row.get("tags", ""))
        items.append(
            Item(
                id=unguard(ident),
                created=moment,
                archived=row.get("archived") == "true",
                tags=tuple(tags.split(";")) if tags else (),
                title=unguard(row.get("title", "")),
                destination=unguard(destination),
                qr_code_type=kind,
                tag_cell=tags,
            )
        )
    return items


def read_inventory(
    send: Callable[[dict[str, Any]], Exchange], export_type: str, *, max_pages: int = MAX_PAGES
) -> Inventory:
    """Every item of a kind, read page by page: newest first, then older than the oldest seen."""
    found: dict[str, Item] = {}
    base_filter: dict[str, Any] = {"archived": "both"}
    before: int | None = None
    for _ in range(max_pages):
        page_filter = base_filter if before is None else {**base_filter, "created_before": before}
        page = send({"export_type": export_type, "filter": page_filter})
        export = _export(page, f"{export_type} page")
        items = _items(page, export, export_type)
        if export.body.get("truncated") is not True:
            found.update((item.id, item) for item in items)
            return Inventory(tuple(sorted(found.values(), key=lambda i: i.order_key)), complete=True)
        if not items:
            raise DiscoveryError(f"{export_type}: truncated is true and the CSV has no rows", page.sent)
        oldest = min(item.created for item in items)
        found.update((item.id, item) for item in items if item.created > oldest)
        tie_filter = {**base_filter, "created_after": oldest, "created_before": oldest + 1}
        tie_page = send({"export_type": export_type, "filter": tie_filter})
        tie = _export(tie_page, f"{export_type} tie")
        found.update((item.id, item) for item in _items(tie_page, tie, export_type))
        before = oldest
        if tie.body.get("truncated") is True:
            break
    return Inventory(tuple(sorted(found.values(), key=lambda i: i.order_key)), complete=False)


def discover_tier(client: ExportsClient, token: str) -> str | None:
    """A token's tier, from the window a metrics export gets without bounds (None when unknown)."""
    body = {"export_type": LINKS, "filter": NOTHING, "include_metrics": True}
    exchange = client.export(body, token=token, check=False)
    if exchange.status == 402:
        return next((tier for tier, days in figures().tier_window_days.items() if days is None), None)
    export = export_of(exchange.sent, exchange.received)
    if export is None or export.now is None:
        return None
    lo, hi = export.body.get("unix_from"), export.body.get("unix_to")
    if not is_whole_number(lo) or not is_whole_number(hi):
        return None
    lo, hi = int(lo), int(hi)
    for tier, days in figures().tier_window_days.items():
        if days is not None and hi - lo == days * DAY:
            return tier
    return None


def discover(client: ExportsClient) -> Discovery:
    """Learn the target's links, QR codes, clock and tier through the endpoint."""
    target: Target = client.target

    def send(body: dict[str, Any]) -> Exchange:
        return client.export(body, check=False)

    now = _clock(client)
    links = read_inventory(send, LINKS)
    qr_codes = read_inventory(send, QR_CODES)
    tier = target.tier or discover_tier(client, target.token)
    return Discovery(
        now=now,
        tier=tier,
        links=links,
        qr_codes=qr_codes,
        other_group_links=_other_group_links(client),
    )


def _clock(client: ExportsClient) -> int:
    """The server's `now`: from an export's filename, else from the end of a metrics window."""
    plain = client.export({"export_type": LINKS, "filter": NOTHING}, check=False)
    mistake = _misdescribed(plain, client.target)
    if mistake is not None:
        raise mistake
    first = _export(plain, "clock")
    if first.now is not None:
        return first.now
    body = {"export_type": LINKS, "filter": NOTHING, "include_metrics": True}
    exchange = client.export(body, check=False)
    echoed = exchange.json.get("unix_to") if isinstance(exchange.json, dict) else None
    if is_whole_number(echoed):
        return int(echoed)
    raise DiscoveryError(
        f"cannot read the server's clock from filename {first.body.get('filename')!r}", plain.sent
    )


def _other_group_links(client: ExportsClient) -> list[str]:
    target = client.target
    if target.other_group_guid is None:
        return []
    for token in (target.token, target.token_for("other")):
        if token is None:
            continue
        body = {"export_type": LINKS, "filter": {"archived": "both"}}
        exchange = client.export(body, token=token, group_guid=target.other_group_guid, check=False)
        export = export_of(exchange.sent, exchange.received)
        if export is not None and export.csv is not None:
            return [item.id for item in _items(exchange, export, LINKS)]
    return []
