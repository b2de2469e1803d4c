"""What the store answers with, and the filter it is asked with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

ARCHIVED_MODES = ("on", "off", "both")


@dataclass(frozen=True)
class ItemFilter:
    """A list export's filter (CONTRACT section 1), already type-checked by the caller."""

    query: str | None = None
    archived: str = "off"
    tags: tuple[str, ...] = ()
    domain: str | None = None
    created_after: int | None = None
    created_before: int | None = None
    campaign_guid: str | None = None


class LinkRow(NamedTuple):
    """A link as a list export shows it (a named tuple: thousands are made per export, cheaply)."""

    id: str
    title: str | None
    long_url: str
    created: int
    archived: bool
    tags: tuple[str, ...]


class QrRow(NamedTuple):
    """A QR code as a list export shows it."""

    id: str
    title: str | None
    qr_code_type: str
    bitlink: str | None
    long_url: str
    created: int
    archived: bool
    tags: tuple[str, ...]
