"""Relations of the metrics window and the tiers."""

from __future__ import annotations

from typing import Any

from bitly_exports_contract.kit.relations._base import (
    Inapplicable,
    RelationBroken,
    View,
    World,
    links_body,
    relation,
)
from bitly_exports_contract.kit.request_view import BATCH, LINKS, QR_CODES
from bitly_exports_contract.spec import figures

DAY = 86400
METRICS_CAP = figures().row_cap(metrics=True)


def _sample(world: World, size: int = METRICS_CAP) -> list[str]:
    ids = world.discovery.links.ids()
    if not ids:
        raise Inapplicable("the group has no links")
    return ids[:size]


def _batch(world: World, bitlinks: list[str], bounds: tuple[int, int] | None = None, **options: Any) -> View:
    body: dict[str, Any] = {"export_type": BATCH, "bitlinks": bitlinks}
    if bounds is not None:
        body["unix_from"], body["unix_to"] = bounds
    return world.ok(body, **options)


def echoed_window(view: View) -> tuple[int, int]:
    """The effective window a metrics export echoes."""
    return int(view.body["unix_from"]), int(view.body["unix_to"])


def _totals(view: View) -> tuple[int, int, int]:
    sums = [0, 0, 0]
    for values in view.metrics().values():
        for k, value in enumerate(values):
            sums[k] += value
    return sums[0], sums[1], sums[2]


@relation(
    "§2/§3: a batch export of the bitlinks that a `links_list` returned reports the same metrics as that "
    "list with `include_metrics` (same window)"
)
def batch_metrics_equal_list_metrics(world: World) -> None:
    now = world.discovery.now
    # The bounds lie inside every paid tier's window, well away from its ends: their answers do not
    # depend on the clock. The whole tier window does: it is compared when both answers share a `now`.
    for bounds in ((now - 20 * DAY, now - 3 * DAY), None):
        body: dict[str, Any] = {**links_body(), "include_metrics": True}
        if bounds is not None:
            body["unix_from"], body["unix_to"] = bounds
        ids = world.ok(body).ids
        if not ids:
            raise Inapplicable("the group has no links")
        batch_body: dict[str, Any] = {"export_type": BATCH, "bitlinks": ids}
        if bounds is not None:
            batch_body["unix_from"], batch_body["unix_to"] = bounds
        (listed, batch), same_clock = world.ok_together((body, {}), (batch_body, {}))
        if bounds is None and not same_clock:
            continue  # each answer's window is checked against its own `now` by window_clamp_conformance
        if listed.metrics() != batch.metrics():
            listed_metrics, batch_metrics = listed.metrics(), batch.metrics()
            differ = [i for i in listed.ids if listed_metrics[i] != batch_metrics.get(i)][:3]
            raise RelationBroken(
                f"window {bounds}: metrics differ for {differ}: list {[listed_metrics[i] for i in differ]}, "
                f"batch {[batch_metrics.get(i) for i in differ]}",
                batch.exchange,
            )
        if echoed_window(listed) != echoed_window(batch):
            raise RelationBroken(
                f"the same bounds {bounds} gave windows {echoed_window(listed)} and {echoed_window(batch)}",
                batch.exchange,
            )


@relation(
    "§3: Metrics count the engagements whose timestamp `t` has `eff_from <= t <= eff_to` (a wider window "
    "never lowers a metric)"
)
def wider_window_never_lowers_a_metric(world: World) -> None:
    now, bitlinks = world.discovery.now, _sample(world)
    narrow = _batch(world, bitlinks, (now - 20 * DAY, now - 10 * DAY))
    for wide_bounds in ((now - 30 * DAY, now - 5 * DAY), (now - 20 * DAY, now), (0, now)):
        wide = _batch(world, bitlinks, wide_bounds)
        for ident, values in narrow.metrics().items():
            if any(w < n for w, n in zip(wide.metrics().get(ident, (0, 0, 0)), values, strict=True)):
                raise RelationBroken(
                    f"{ident}: window {echoed_window(narrow)} gives {values}, the wider "
                    f"{echoed_window(wide)} gives {wide.metrics().get(ident)}",
                    wide.exchange,
                )


@relation(
    "§3: Metrics count the engagements whose timestamp `t` has `eff_from <= t <= eff_to` (both bounds "
    "inclusive)"
)
def window_bounds_are_inclusive(world: World) -> None:
    if world.target.fixture is not None:
        _engagement_seconds_are_counted(world)
        return
    whole = _batch(world, _sample(world))
    busy = [ident for ident, values in whole.metrics().items() if sum(values) > 0][:20]
    if not busy:
        raise Inapplicable("no engagements in the tier window")
    # A window well inside the tier's and in the past, so that neither a live clock nor live
    # traffic changes its counts while the search runs.
    lo, hi = echoed_window(whole)[0] + 3600, echoed_window(whole)[1] - 3600
    total = _totals(_batch(world, busy, (lo, hi)))
    if sum(total) == 0:
        raise Inapplicable("the busy links' engagements all lie within an hour of the tier window's ends")
    # Halve the window, keeping a half with engagements, until it is one second wide (one request a
    # step): a left half never counts more than the whole; when it counts nothing, the right half must
    # count all of it. So the window kept always holds engagements, down to its last second.
    while lo < hi:
        mid = (lo + hi) // 2
        left = _batch(world, busy, (lo, mid))
        counted = _totals(left)
        if any(part > bound for part, bound in zip(counted, total, strict=True)):
            raise RelationBroken(
                f"[{lo}, {mid}] counts {counted}, more than the wider [{lo}, {hi}] ({total})", left.exchange
            )
        if sum(counted) > 0:
            hi, total = mid, counted
            continue
        right = _batch(world, busy, (mid + 1, hi))
        if _totals(right) != total:
            raise RelationBroken(
                f"[{lo}, {mid}] counts nothing and [{mid + 1}, {hi}] counts {_totals(right)}, yet "
                f"[{lo}, {hi}] counts {total}",
                right.exchange,
            )
        lo = mid + 1


def _engagement_seconds_are_counted(world: World) -> None:
    """With the data known: a one-second window on an engagement row's timestamp counts exactly the
    target's rows at that second (both ends inclusive), and the seconds either side count theirs."""
    data, now = world.data, world.discovery.now
    ids = set(world.discovery.links.ids())
    lo, hi = now - 20 * DAY, now - DAY  # inside every paid tier's window, and in the past
    for target, series in data.series.items():
        if target not in ids:
            continue
        moments = [moment for moment in series.moments if lo <= moment <= hi]
        if not moments:
            continue
        moment = moments[len(moments) // 2]
        for window in (
            (moment, moment),
            (moment - 1, moment),
            (moment, moment + 1),
            (moment + 1, moment + 1),
        ):
            view = _batch(world, [target], window)
            want = data.metrics(target, window)
            if view.metrics().get(target) != want:
                raise RelationBroken(
                    f"{target} in [{window[0]}, {window[1]}] counts {view.metrics().get(target)}; its "
                    f"engagement rows there sum to {want}",
                    view.exchange,
                )
        return
    raise Inapplicable("no link has an engagement in the last 20 days")


def _own_now(view: View) -> int:
    """The `now` an answer was built at, from its filename."""
    if view.export.now is None:
        raise RelationBroken(f"no clock in filename {view.body.get('filename')!r}", view.exchange)
    return view.export.now


@relation(
    "§3: Given bounds are clamped into the tier window ... Clamping is not an error; §7: there is no upper "
    "bound (a huge `unix_to` clamps to `now`)"
)
def window_clamps_into_the_tier_window(world: World) -> None:
    bitlinks = _sample(world, 50)
    plain: dict[str, Any] = {"export_type": BATCH, "bitlinks": bitlinks}
    (whole, huge), same_clock = world.ok_together(
        (plain, {}), ({**plain, "unix_from": 0, "unix_to": 10**30}, {})
    )
    # Every answer is held to its own `now` (a live clock moves between requests); the tier's width
    # comes from the answer without bounds.
    width = echoed_window(whole)[1] - echoed_window(whole)[0]
    if echoed_window(whole) != (_own_now(whole) - width, _own_now(whole)):
        raise RelationBroken(
            f"no bounds, now {_own_now(whole)}: window {echoed_window(whole)} does not end at now",
            whole.exchange,
        )
    if echoed_window(huge) != (_own_now(huge) - width, _own_now(huge)) or (
        same_clock and huge.csv_bytes != whole.csv_bytes
    ):
        raise RelationBroken(
            f"bounds [0, 10**30] at now {_own_now(huge)} give window {echoed_window(huge)}, no bounds "
            f"{echoed_window(whole)}",
            huge.exchange,
        )
    future = _batch(world, bitlinks, (10**12, 10**12 + 5000))
    if echoed_window(future) != (_own_now(future), _own_now(future)):
        raise RelationBroken(
            f"bounds after now ({_own_now(future)}) give window {echoed_window(future)}", future.exchange
        )
    past = _batch(world, bitlinks, (0, 1))
    start = _own_now(past) - width
    if echoed_window(past) != (start, start):
        raise RelationBroken(
            f"bounds before the tier start ({start}) give window {echoed_window(past)}", past.exchange
        )
    inside = (echoed_window(whole)[0] + DAY, echoed_window(whole)[1] - DAY)
    kept = _batch(world, bitlinks, inside)
    if echoed_window(kept) != inside:
        raise RelationBroken(
            f"bounds {inside} inside the tier window give window {echoed_window(kept)}", kept.exchange
        )


@relation(
    "§3: Tiers and their data windows ...: `core` 30 days, `growth` 120 days, `premium` 365 days, "
    "`enterprise` 730 days; the tier window is `[now - days*86400, now]`"
)
def tier_windows_follow_the_tiers(world: World) -> None:
    bitlinks = _sample(world, 50)
    paid = [(tier, days) for tier, days in figures().tier_window_days.items() if days is not None]
    views: list[tuple[str, int, View]] = []
    for tier, days in sorted(paid, key=lambda pair: pair[1]):
        token = world.target.token_for(tier) or (world.target.token if world.target.tier == tier else None)
        if token is None:
            continue
        try:
            view = _batch(world, bitlinks, token=token)
        except RelationBroken as exc:
            if exc.exchange is not None and exc.exchange.status == 403:
                continue  # a token of another account's tier, which cannot see this group
            raise
        lo, hi = echoed_window(view)
        if hi - lo != days * DAY:
            raise RelationBroken(
                f"the {tier} tier's window is {hi - lo} s wide, not {days} days", view.exchange
            )
        views.append((tier, days, view))
    if len(views) < 2:
        raise Inapplicable("tokens of fewer than two paid tiers that can see the group")
    for (narrow_tier, _, narrow), (wide_tier, _, wide) in zip(views, views[1:], strict=False):
        for ident, values in narrow.metrics().items():
            if any(w < n for w, n in zip(wide.metrics()[ident], values, strict=True)):
                raise RelationBroken(
                    f"{ident}: {narrow_tier} counts {values}, the wider {wide_tier} {wide.metrics()[ident]}",
                    wide.exchange,
                )


@relation(
    "§3: A `free` tier asking for metrics gets 402 `UPGRADE_REQUIRED`; its metadata-only list exports work"
)
def free_tier_pays_for_metrics_only(world: World) -> None:
    token = world.token("free")
    ids = _sample(world, 3)
    world.as_role("free", links_body())  # a free token of another account cannot see the group
    for body in (
        {**links_body(), "include_metrics": True},
        {"export_type": QR_CODES, "filter": {}, "include_metrics": True},
        {"export_type": BATCH, "bitlinks": ids},
        {"export_type": BATCH, "filter": {}},
    ):
        exchange = world.send(body, token=token)
        if exchange.status != 402 or (exchange.json or {}).get("message") != "UPGRADE_REQUIRED":
            raise RelationBroken(
                f"free tier, metrics: HTTP {exchange.status} {exchange.received.excerpt(200)}", exchange
            )
    for body in (
        links_body(),
        {"export_type": QR_CODES, "filter": {}},
        {**links_body(), "include_metrics": False},
    ):
        world.ok(body, token=token)


@relation(
    "§7: The window rules ... are checked on every request, also when metrics are not included; the bounds "
    "are then ignored and not echoed"
)
def window_ignored_without_metrics(world: World) -> None:
    now = world.discovery.now
    for export_type in (LINKS, QR_CODES):
        plain = world.ok({"export_type": export_type, "filter": {}})
        bounded = world.ok({"export_type": export_type, "filter": {}, "unix_from": now - DAY, "unix_to": now})
        if plain.csv_bytes != bounded.csv_bytes:
            raise RelationBroken(f"{export_type}: bounds change a metadata-only export", bounded.exchange)


@relation("§1: `include_metrics` | ignored for `link_engagements_batch` (always has metrics)")
def include_metrics_ignored_on_batch(world: World) -> None:
    now = world.discovery.now
    body = {
        "export_type": BATCH,
        "bitlinks": _sample(world, 5),
        "unix_from": now - 10 * DAY,
        "unix_to": now - DAY,
    }
    # The bounds lie inside every paid tier's window: the answers do not depend on the clock.
    plain = world.ok(body)
    for other in (world.ok({**body, "include_metrics": True}), world.ok({**body, "include_metrics": False})):
        if other.csv_bytes != plain.csv_bytes:
            raise RelationBroken(
                f"include_metrics {other.exchange.sent.json_body['include_metrics']} changes a batch export",
                other.exchange,
            )
