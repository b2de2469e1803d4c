"""The in-memory shape of a fixture: tokens, groups, links, QR codes and engagement rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..spec import bitlink_id_regex, figures

# days of metrics history per tier (None: no metrics exports), as the spec's x-export-contract states
TIERS: dict[str, int | None] = figures().tier_window_days

BITLINK_ID_RE = bitlink_id_regex()

# (target, at, clicks, scans, button_clicks)
EngagementRow = tuple[str, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Token:
    """A bearer token, its tier, the groups it may see and its optional rate limit."""

    token: str
    tier: str
    groups: tuple[str, ...]
    rate_limit_per_minute: int | None


@dataclass(frozen=True, slots=True)
class Link:
    """A bitlink of a group."""

    id: str
    title: str | None
    long_url: str
    created: int
    archived: bool
    tags: tuple[str, ...]
    campaign_guids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR code of a group; `bitlink` is set only for the `bitlink` type."""

    id: str
    title: str | None
    qr_code_type: str
    bitlink: str | None
    long_url: str
    created: int
    archived: bool
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Engagement:
    """Engagement counts of one link or QR code at one (hourly) timestamp."""

    target: str
    at: int
    clicks: int
    scans: int
    button_clicks: int


@dataclass(frozen=True)
class Group:
    """A group with its campaigns, links, QR codes and engagement rows (possibly lazy)."""

    guid: str
    campaigns: tuple[str, ...]
    links: Sequence[Link]
    qr_codes: Sequence[QrCode]
    engagements: Iterable[Engagement]


@dataclass(frozen=True)
class Dataset:
    """Everything the reference server serves: its clock, tokens and groups."""

    now: int | None
    tokens: tuple[Token, ...]
    groups: tuple[Group, ...]


def engagement_rows(engagements: Iterable[Engagement]) -> Iterator[EngagementRow]:
    """Yield engagements as plain tuples, through the iterable's own `rows()` fast path when it has one."""
    rows = getattr(engagements, "rows", None)
    if callable(rows):
        fast: Iterator[EngagementRow] = rows()
        return fast
    return ((e.target, e.at, e.clicks, e.scans, e.button_clicks) for e in engagements)
