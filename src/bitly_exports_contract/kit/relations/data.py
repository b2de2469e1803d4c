"""Relations that hold exports to the data the server loaded (§6: the same fixture, the same answer).

They need the fixture (`--fixture`; the embedded server's own always): what a row's cells must read,
which target an engagement counts for, which links a campaign holds. Without it they do not apply.
"""

from __future__ import annotations

from typing import Any

from bitly_exports_contract.kit.csvview import unguard
from bitly_exports_contract.kit.fixture import GroupData
from bitly_exports_contract.kit.relations._base import (
    Inapplicable,
    RelationBroken,
    View,
    World,
    links_body,
    relation,
)
from bitly_exports_contract.kit.relations.matching import selects
from bitly_exports_contract.kit.relations.oracle import Expected
from bitly_exports_contract.kit.relations.window import echoed_window
from bitly_exports_contract.kit.request_view import BATCH, LINKS, QR_CODES
from bitly_exports_contract.spec import figures

DAY = 86400
_OWN = {LINKS: 6, QR_CODES: 7}


def _metrics_hold(view: View, data: GroupData, what: str) -> None:
    """Every row's metrics are the sums of its own engagement rows inside the answer's window."""
    window = echoed_window(view)
    for ident, got in view.metrics().items():
        want = data.metrics(ident, window)
        if got != want:
            raise RelationBroken(
                f"{what}: {ident} counts (clicks, scans, button_clicks) {got} in window {window}; its own "
                f"engagement rows there sum to {want}",
                view.exchange,
            )


def _bounds(world: World) -> dict[str, int]:
    now = world.discovery.now
    return {"unix_from": now - 25 * DAY, "unix_to": now - DAY}


@relation(
    "§6: A link's metrics are the sums of the engagement rows whose `target` is its id; §3: Metrics count "
    "the engagements whose timestamp `t` has `eff_from <= t <= eff_to`"
)
def link_metrics_count_their_own_engagements(world: World) -> None:
    data = world.data
    body: dict[str, Any] = {**links_body(), "include_metrics": True}
    _metrics_hold(world.ok(body), data, "links_list, the tier window")
    _metrics_hold(world.ok({**body, **_bounds(world)}), data, "links_list, given bounds")
    ids = world.discovery.links.ids()[: figures().row_cap(metrics=True)]
    if ids:
        batch = world.ok({"export_type": BATCH, "bitlinks": ids, **_bounds(world)})
        _metrics_hold(batch, data, "link_engagements_batch")


@relation(
    "§6: a QR code's metrics are the sums of the engagement rows whose `target` is its id; §1: "
    "`include_metrics` on list exports appends `clicks,scans,button_clicks`; §3: the metrics window"
)
def qr_metrics_count_their_own_engagements(world: World) -> None:
    data = world.data
    if not data.qr_codes:
        raise Inapplicable("the group has no QR codes")
    body: dict[str, Any] = {"export_type": QR_CODES, "filter": {"archived": "both"}, "include_metrics": True}
    _metrics_hold(world.ok(body), data, "qr_codes_list, the tier window")
    _metrics_hold(world.ok({**body, **_bounds(world)}), data, "qr_codes_list, given bounds")


def _rows(world: World, export_type: str) -> tuple[View, list[list[str]]]:
    view = world.ok({"export_type": export_type, "filter": {"archived": "both"}})
    assert view.export.csv is not None
    return view, view.export.csv.rows


@relation(
    "§4: `destination` is the QR code's bitlink id when it has one, else its long URL; §6: A QR code's "
    "`bitlink` is null for `qr_code_type` other than `bitlink`; `destination` is then its `long_url`"
)
def qr_destination_is_its_bitlink_else_its_long_url(world: World) -> None:
    data = world.data
    if not data.qr_codes:
        raise Inapplicable("the group has no QR codes")
    view, rows = _rows(world, QR_CODES)
    for row in rows:
        ident = unguard(row[0])
        if ident in data.qr_codes:
            want = data.qr_cells(ident)[3]
            if row[3] != want:
                raise RelationBroken(
                    f"QR code {ident}: destination {row[3]!r}, expected {want!r}", view.exchange
                )


def _each_cell(world: World) -> list[tuple[View, str, int, str, str]]:
    """(view, id, column, got, expected) for every own cell of every link and QR code row."""
    data = world.data
    found = []
    for export_type, cells_of, known in (
        (LINKS, data.link_cells, data.links),
        (QR_CODES, data.qr_cells, data.qr_codes),
    ):
        if not known:
            continue
        view, rows = _rows(world, export_type)
        for row in rows:
            ident = unguard(row[0])
            if ident not in known:
                raise RelationBroken(
                    f"{export_type}: a row for {ident!r}, which the group does not have", view.exchange
                )
            for column, (got, want) in enumerate(
                zip(row[: _OWN[export_type]], cells_of(ident), strict=False)
            ):
                found.append((view, ident, column, got, want))
    return found


@relation(
    "§4: Any cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single "
    "quote `'`; §7: the formula guard is applied before quoting and to every cell, `tags` included"
)
def formula_guard_adds_one_quote_and_nothing_else(world: World) -> None:
    triggers = figures().formula_trigger_prefixes
    guarded = 0
    for view, ident, column, got, want in _each_cell(world):
        raw = want[1:] if want.startswith("'") and want[1:2] in triggers else want
        if want != raw:
            guarded += 1
        if (want != raw or got.startswith("'")) and got != want:
            header = view.export.csv.header if view.export.csv is not None else []
            raise RelationBroken(
                f"{ident}: `{header[column] if column < len(header) else column}` is {got[:60]!r}; the value "
                f"{raw[:60]!r} is written {want[:60]!r}",
                view.exchange,
            )
    if not guarded:
        raise Inapplicable("no cell of the group begins with a formula trigger")


@relation(
    "§4: Timestamps in cells are ISO 8601 UTC as Bitly writes them; `archived` is `true` or `false`; "
    "tags are joined with `;`; §6: `created_at` / `created` cells render `created`; `tags` keep the "
    "fixture's order; "
    "a `null` title renders as an empty cell"
)
def cells_render_the_data(world: World) -> None:
    for view, ident, column, got, want in _each_cell(world):
        if got != want:
            header = view.export.csv.header if view.export.csv is not None else []
            raise RelationBroken(
                f"{ident}: `{header[column] if column < len(header) else column}` is {got[:80]!r}, the data "
                f"says {want[:80]!r}",
                view.exchange,
            )


@relation("§1: `filter.campaign_guid` | links in that campaign")
def campaign_selects_its_links(world: World) -> None:
    data = world.data
    used = [campaign for campaign in data.campaigns if data.in_campaign(campaign)]
    if not used:
        raise Inapplicable("no campaign of the group holds a link")
    for campaign in used[:2]:
        members = data.in_campaign(campaign)
        keys = {ident: (-int(data.links[ident]["created"]), ident) for ident in members}
        expected = Expected(ids=sorted(members, key=keys.__getitem__), keys=keys)
        selects(world.ok(links_body(campaign_guid=campaign)), expected, f"campaign_guid {campaign!r}")
        batch = world.ok({"export_type": BATCH, "filter": {"archived": "both", "campaign_guid": campaign}})
        selects(batch, expected, f"link_engagements_batch, campaign_guid {campaign!r}")
