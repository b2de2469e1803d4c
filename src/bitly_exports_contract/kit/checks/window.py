"""Checks of the metrics window a 200 response echoes."""

from __future__ import annotations

from bitly_exports_contract.kit.checks._base import Broken, contract_check, export_of
from bitly_exports_contract.kit.exchange import Received, SentRequest
from bitly_exports_contract.kit.request_view import is_whole_number
from bitly_exports_contract.spec import figures

DAY = 86400


def clamp_window(*, bounds: tuple[int, int] | None, start: int, now: int) -> tuple[int, int]:
    """The contract's effective window for given bounds, tier start and clock."""
    if bounds is None:
        return start, now
    lo, hi = bounds
    return min(max(lo, start), now), max(min(hi, now), start)


@contract_check(
    "§3: The response carries the effective `unix_from` and `unix_to` when metrics are included, and omits "
    "both otherwise.",
    source="documented",
)
def window_echo_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.ask is None:
        return
    present = [name for name in ("unix_from", "unix_to") if name in export.body]
    if export.ask.metrics and len(present) != 2:
        raise Broken(
            f"metrics are included but the response has only {present or 'neither'} of unix_from/unix_to"
        )
    if not export.ask.metrics and present:
        raise Broken(f"no metrics are included but the response carries {', '.join(present)}")


@contract_check(
    "§3: When metrics are included and neither bound is given, the window is the whole tier window. Given "
    "bounds are clamped into the tier window: `eff_from = min(max(unix_from, start), now)`, "
    "`eff_to = max(min(unix_to, now), start)`."
)
def window_clamp_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.ask is None or not export.ask.metrics or export.now is None:
        return
    got_from, got_to = export.body.get("unix_from"), export.body.get("unix_to")
    if not is_whole_number(got_from) or not is_whole_number(got_to):
        return  # window_echo_conformance reports it
    now, bounds = export.now, export.ask.window
    got = (int(got_from), int(got_to))
    days = figures().tier_window_days.get(sent.tier or "")
    if days is not None:
        expected = clamp_window(bounds=bounds, start=now - days * DAY, now=now)
        if got != expected:
            raise Broken(f"{sent.tier} tier, now {now}, bounds {bounds}: window {got}, expected {expected}")
        return
    # The tier is not known: what holds for every tier.
    windows = sorted(d for d in figures().tier_window_days.values() if d is not None)
    if bounds is None:
        if got[1] != now or (now - got[0]) not in {d * DAY for d in windows}:
            raise Broken(f"no bounds, now {now}: window {got} is no tier window")
    elif now - windows[0] * DAY <= bounds[0] <= bounds[1] <= now and got != bounds:
        raise Broken(f"bounds {bounds} lie inside every tier window (now {now}) but the window is {got}")
    elif not got[0] <= got[1] <= now:
        raise Broken(f"bounds {bounds}, now {now}: window {got}")
