"""Relations of order, de-duplication, caps and truncation."""

from __future__ import annotations

from typing import Any

from bitly_exports_contract.kit.discover import Item
from bitly_exports_contract.kit.relations._base import (
    Inapplicable,
    RelationBroken,
    World,
    links_body,
    relation,
)
from bitly_exports_contract.kit.relations.matching import selects
from bitly_exports_contract.kit.relations.oracle import expected_ids, expected_rows
from bitly_exports_contract.kit.request_view import BATCH, LINKS, QR_CODES
from bitly_exports_contract.spec import figures

DAY = 86400
METRICS_CAP = figures().row_cap(metrics=True)
NO_METRICS_CAP = figures().row_cap(metrics=False)


def exact_window(items: tuple[Item, ...], size: int) -> dict[str, int] | None:
    """A created window that selects exactly `size` of the items (in contract order), if one exists."""
    for start in range(0, len(items) - size + 1):
        end = start + size - 1
        newer_apart = start == 0 or items[start - 1].created > items[start].created
        older_apart = end + 1 == len(items) or items[end + 1].created < items[end].created
        if newer_apart and older_apart:
            window = {"created_after": items[end].created}
            if start > 0:
                window["created_before"] = items[start].created + 1
            return window
    return None


@relation(
    "§2: list exports ... newest first (`created` descending, ties by id ascending); §7: Ties in `created` "
    "are ordered by id in plain code-point order"
)
def lists_are_newest_first_ties_by_id(world: World) -> None:
    for export_type, items in ((LINKS, world.links()), (QR_CODES, world.qr_codes())):
        view = world.ok({"export_type": export_type, "filter": {"archived": "both"}})
        selects(view, expected_ids(items, {"archived": "both"}), f"{export_type}, all items")


@relation(
    "§2: list exports and filter-based batch exports newest first (`created` descending, ties by id "
    "ascending)"
)
def batch_filter_follows_list_order(world: World) -> None:
    items = world.links()
    for filter_ in ({"archived": "both"}, {}, {"tags": world.discovery.tags()[:1]}):
        batch = world.ok({"export_type": BATCH, "filter": filter_})
        selects(batch, expected_rows(items, filter_), f"link_engagements_batch filter {filter_}")


@relation("§2: `bitlinks` exports in request order, duplicates removed (first occurrence kept)")
def bitlinks_keep_request_order_without_duplicates(world: World) -> None:
    ids = world.discovery.links.ids()
    if len(ids) < 4:
        raise Inapplicable("fewer than four links")
    a, b, c, d = ids[-1], ids[0], ids[len(ids) // 2], ids[1]
    asked = [a, b, a, c, d, b, c, a]
    view = world.ok({"export_type": BATCH, "bitlinks": asked})
    if view.ids != [a, b, c, d]:
        raise RelationBroken(f"asked {asked}, got rows {view.ids}", view.exchange)
    reverse = world.ok({"export_type": BATCH, "bitlinks": [d, c, b, a]})
    if reverse.ids != [d, c, b, a]:
        raise RelationBroken(f"asked {[d, c, b, a]}, got rows {reverse.ids}", reverse.exchange)


@relation("§7: Explicit `bitlinks` include archived links: `archived` applies to filters only")
def bitlinks_include_archived_links(world: World) -> None:
    archived = [item.id for item in world.discovery.links.items if item.archived][:3]
    if not archived:
        raise Inapplicable("no archived link")
    view = world.ok({"export_type": BATCH, "bitlinks": archived})
    if view.ids != archived:
        raise RelationBroken(f"asked for archived links {archived}, got rows {view.ids}", view.exchange)


def _cap_pair(world: World, body_of: Any, items: tuple[Item, ...], cap: int, what: str) -> int:
    """Exports whose match sets hold exactly `cap` and `cap + 1` items; returns how many were tried."""
    tried = 0
    for size in (cap, cap + 1):
        window = exact_window(items, size)
        if window is None:
            continue
        tried += 1
        view = world.ok(body_of(window))
        expected = expected_ids(items, {"archived": "both", **window})
        if len(expected) != size:  # pragma: no cover - exact_window guarantees it
            raise Inapplicable("the window does not hold the size it should")
        if view.body.get("row_count") != cap or view.truncated is not (size > cap):
            raise RelationBroken(
                f"{what}: a match set of {size} with cap {cap} gave row_count {view.body.get('row_count')}, "
                f"truncated {view.body.get('truncated')}",
                view.exchange,
            )
        selects(view, expected, f"{what}, {size} matches")
    return tried


@relation(
    "§2: `truncated` is true exactly when the match set is larger than the cap; then `row_count` equals the "
    "cap; The match set is ordered, then cut at the cap",
    source="documented",
)
def caps_hold_at_the_boundary(world: World) -> None:
    links, qr_codes = world.links(), world.qr_codes()
    tried = 0
    tried += _cap_pair(world, lambda w: links_body(**w), links, NO_METRICS_CAP, "links_list")
    tried += _cap_pair(
        world,
        lambda w: {**links_body(**w), "include_metrics": True},
        links,
        METRICS_CAP,
        "links_list with metrics",
    )
    tried += _cap_pair(
        world,
        lambda w: {"export_type": BATCH, "filter": {"archived": "both", **w}},
        links,
        METRICS_CAP,
        "batch by filter",
    )
    tried += _cap_pair(
        world,
        lambda w: {"export_type": QR_CODES, "filter": {"archived": "both", **w}, "include_metrics": True},
        qr_codes,
        METRICS_CAP,
        "qr_codes_list with metrics",
    )
    tried += _cap_pair(
        world,
        lambda w: {"export_type": QR_CODES, "filter": {"archived": "both", **w}},
        qr_codes,
        NO_METRICS_CAP,
        "qr_codes_list",
    )
    if tried == 0:
        raise Inapplicable("no window selects exactly a cap's worth of items")


@relation(
    "§2: The cap is 200 rows when metrics are included; `bitlinks` exports ... duplicates removed; "
    "`truncated` is true exactly when the match set is larger than the cap"
)
def bitlinks_cap_counts_distinct_links(world: World) -> None:
    ids = world.discovery.links.ids()
    if len(ids) <= METRICS_CAP:
        raise Inapplicable(f"at most {METRICS_CAP} links")
    exact = ids[:METRICS_CAP]
    for asked, truncated in ((exact, False), (exact + exact[:5], False), (ids[: METRICS_CAP + 1], True)):
        view = world.ok({"export_type": BATCH, "bitlinks": asked})
        distinct = list(dict.fromkeys(asked))
        if view.truncated is not truncated or view.ids != distinct[:METRICS_CAP]:
            raise RelationBroken(
                f"{len(asked)} bitlinks ({len(distinct)} distinct): "
                f"got {len(view.ids)} rows, truncated {view.truncated}",
                view.exchange,
            )


@relation("§4: The same request against the same data returns the same CSV bytes")
def the_same_request_gives_the_same_bytes(world: World) -> None:
    now = world.discovery.now
    # Metrics in a window in the past: a live clock does not move them between the two requests.
    bounds = {"unix_from": now - 25 * DAY, "unix_to": now - DAY}
    bodies: list[dict[str, Any]] = [
        {"export_type": LINKS, "filter": {"archived": "both"}},
        {"export_type": LINKS, "filter": {"archived": "both"}, "include_metrics": True, **bounds},
        {"export_type": QR_CODES, "filter": {"archived": "both"}, "include_metrics": True, **bounds},
    ]
    ids = world.discovery.links.ids()[:METRICS_CAP]
    if ids:
        bodies.append({"export_type": BATCH, "bitlinks": list(reversed(ids)), **bounds})
    for body in bodies:
        first, second = world.ok(body, fresh=True), world.ok(body, fresh=True)
        if first.csv_bytes != second.csv_bytes:
            raise RelationBroken(
                f"{body['export_type']}: the same request twice gave {len(first.csv_bytes)} and "
                f"{len(second.csv_bytes)} different bytes",
                second.exchange,
            )
