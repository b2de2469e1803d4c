"""What every relation shares: the world it runs in, its failure, its registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bitly_exports_contract.kit.checks._base import Export, export_of
from bitly_exports_contract.kit.client import MAIN_TOKEN, ExportsClient
from bitly_exports_contract.kit.csvview import unguard
from bitly_exports_contract.kit.discover import Discovery, Item
from bitly_exports_contract.kit.exchange import Exchange
from bitly_exports_contract.kit.failure import ContractViolation, violation
from bitly_exports_contract.kit.fixture import GroupData, group_data
from bitly_exports_contract.kit.request_view import LINKS, QR_CODES
from bitly_exports_contract.kit.target import Target

_SAME_CLOCK_ATTEMPTS = 4


class Inapplicable(Exception):
    """The target lacks what a relation needs (a token, a second group, enough data)."""


class RelationBroken(Exception):
    """Raised inside a relation: what the responses showed, and the exchange that shows it best."""

    def __init__(self, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange


def _metadata_key(body: Any) -> str | None:
    """A key for a list export without metrics (its answer does not move with the clock), else None."""
    if not isinstance(body, dict) or body.get("include_metrics") is not None:
        return None
    if body.get("export_type") not in (LINKS, QR_CODES) or set(body) - {"export_type", "filter"}:
        return None
    return json.dumps(body, sort_keys=True)


@dataclass(frozen=True)
class World:
    """The target, a checked client, and what discovery learned."""

    client: ExportsClient
    target: Target
    discovery: Discovery
    # Request bodies already answered 200 with the main token (the 400 rules' twins repeat).
    accepted: set[bytes] = field(default_factory=set)
    # Metadata-only exports already answered, by request body.
    answered: dict[str, View] = field(default_factory=dict)

    def send(self, body: Any, **options: Any) -> Exchange:
        """POST an export request (JSON unless bytes), every response checked."""
        return self.client.export(body, **options)

    def ok(self, body: Any, *, fresh: bool = False, **options: Any) -> View:
        """The export of a request the contract accepts; anything but a 200 breaks the relation.

        A metadata-only export the run already got with the main token is not asked again (its CSV
        does not depend on the clock, and §4 gives the same request the same bytes), unless `fresh`.
        """
        key = None if fresh or options else _metadata_key(body)
        if key is not None and key in self.answered:
            return self.answered[key]
        exchange = self.send(body, **options)
        if exchange.status == 402 and exchange.sent.tier == "free":
            # §3: metrics on the free tier are 402; the relation needs a paid tier's token.
            raise Inapplicable("the token is on the free tier, and the relation asks for metrics")
        export = export_of(exchange.sent, exchange.received)
        if export is None or export.csv is None:
            raise RelationBroken(
                f"a valid request got HTTP {exchange.status}: {exchange.received.excerpt(400)}", exchange
            )
        view = View(exchange=exchange, export=export)
        if key is not None:
            self.answered[key] = view
        return view

    def ok_together(self, *requests: tuple[Any, dict[str, Any]]) -> tuple[list[View], bool]:
        """Exports sent one after the other, and whether they were all built at the same `now`.

        A live server's clock ticks (and its tier windows move) between two requests. The batch is
        sent again, a few times at most, until every answer's filename shows the same `now`; when
        the clock kept moving, the last attempt comes back with False and the relation compares
        what does not depend on the tick (each answer against its own `now`) instead of skipping.
        """
        views: list[View] = []
        for _ in range(_SAME_CLOCK_ATTEMPTS):
            views = [self.ok(body, **options) for body, options in requests]
            if len({view.export.now for view in views}) == 1:
                return views, True
        return views, False

    def as_role(self, role: str, body: Any, **options: Any) -> Exchange:
        """A request with the token of `role`; a 403 means the token cannot see the target group.

        On Bitly a tier belongs to an account, so a token of another tier usually sees other groups:
        a relation that needs the token to see this one does not apply.
        """
        exchange = self.send(body, token=self.token(role), **options)
        if exchange.status == 403:
            raise Inapplicable(
                f"the {role!r} token gets 403 on group {self.target.group_guid}: it cannot see the group"
            )
        return exchange

    @cached_property
    def data(self) -> GroupData:
        """The target group's data from the fixture the server loaded (§6), or the relation does not apply."""
        if self.target.fixture is None:
            raise Inapplicable("the run does not know the server's data (pass --fixture FILE)")
        found = group_data(self.target.fixture, self.target.group_guid)
        if found is None:
            raise Inapplicable(f"the fixture has no group {self.target.group_guid}")
        return found

    def token(self, role: str) -> str:
        """The token of a role, or the relation does not apply to this target."""
        token = self.target.token_for(role)
        if token is None:
            raise Inapplicable(f"no {role!r} token (pass --token-{role} or EXPORTS_TOKEN_{role.upper()})")
        return token

    def links(self, *, complete: bool = True) -> tuple[Item, ...]:
        inventory = self.discovery.links
        if complete and not inventory.complete:
            raise Inapplicable("the group has more links than discovery reads")
        return inventory.items

    def qr_codes(self, *, complete: bool = True) -> tuple[Item, ...]:
        inventory = self.discovery.qr_codes
        if complete and not inventory.complete:
            raise Inapplicable("the group has more QR codes than discovery reads")
        return inventory.items


@dataclass(frozen=True)
class View:
    """A 200 export, read."""

    exchange: Exchange
    export: Export

    @property
    def body(self) -> dict[str, Any]:
        return self.export.body

    @property
    def csv_bytes(self) -> bytes:
        assert self.export.csv is not None
        return self.export.csv.raw

    @property
    def rows(self) -> list[dict[str, str]]:
        assert self.export.csv is not None
        return self.export.csv.dicts()

    @property
    def ids(self) -> list[str]:
        """The first column (bitlink or QR code id) of every row, unguarded."""
        assert self.export.csv is not None
        if not self.export.csv.header:
            return []
        return [unguard(cell) for cell in self.export.csv.column(self.export.csv.header[0])]

    @property
    def truncated(self) -> bool:
        return self.body.get("truncated") is True

    def metrics(self) -> dict[str, tuple[int, ...]]:
        """Metrics by row id: (clicks, scans, button_clicks)."""
        result = {}
        for ident, row in zip(self.ids, self.rows, strict=True):
            result[ident] = tuple(int(row[name]) for name in ("clicks", "scans", "button_clicks"))
        return result


RelationFunction = Callable[[World], None]


@dataclass(frozen=True)
class Relation:
    """A property of several requests and their responses."""

    name: str
    rule: str
    function: RelationFunction
    # `documented`: Bitly's published description of the endpoint says it; `contract`: CONTRACT.md adds it.
    source: str = "contract"

    def __call__(self, world: World) -> None:
        try:
            self.function(world)
        except RelationBroken as exc:
            sent = exc.exchange.sent if exc.exchange is not None else None
            raise violation(self.name, self.rule, str(exc), sent) from None


RELATIONS: dict[str, Relation] = {}


def relation(rule: str, *, source: str = "contract") -> Callable[[RelationFunction], Relation]:
    """Register a relation under its function's name, with the words of CONTRACT.md it holds and
    where the rule comes from (`documented` by Bitly, or a `contract` reading)."""

    def register(function: RelationFunction) -> Relation:
        found = Relation(
            name=function.__name__, rule=" ".join(rule.split()), function=function, source=source
        )
        RELATIONS[found.name] = found
        return found

    return register


def links_body(**filter_: Any) -> dict[str, Any]:
    """A metadata-only links export over all links (archived both) narrowed by `filter_`."""
    return {"export_type": LINKS, "filter": {"archived": "both", **filter_}}


__all__ = [
    "MAIN_TOKEN",
    "ContractViolation",
    "Inapplicable",
    "Relation",
    "RelationBroken",
    "View",
    "World",
    "links_body",
    "relation",
]
