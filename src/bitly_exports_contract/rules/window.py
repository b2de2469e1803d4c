"""Tier data windows and the clamping of a requested metrics window into them."""

from __future__ import annotations

from ..spec import figures

DAY = 86400


def tier_window(*, tier: str, now: int) -> tuple[int, int] | None:
    """`[now - days*86400, now]` for the tier, or None when the tier has no metrics exports."""
    days = figures().tier_window_days[tier]
    if days is None:
        return None
    return now - days * DAY, now


def clamp_window(*, requested: tuple[int, int] | None, tier_start: int, now: int) -> tuple[int, int]:
    """The effective window: the whole tier window, or the given bounds clamped into it."""
    if requested is None:
        return tier_start, now
    unix_from, unix_to = requested
    eff_from = min(max(unix_from, tier_start), now)
    eff_to = max(min(unix_to, now), tier_start)
    return eff_from, eff_to
