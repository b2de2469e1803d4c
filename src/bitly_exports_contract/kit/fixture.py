"""The data a server under test loaded, read from its fixture file (CONTRACT.md §6's format).

§6: any two servers that load the same fixture give every request the same answer. When the run is
told which fixture the server loaded (`--fixture`; the embedded server's own always), the suite knows
every cell and every metric an export must hold, and checks them exactly. Without one, the relations
that need it do not apply.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bitly_exports_contract.spec import figures


class FixtureUnreadable(ValueError):
    """The fixture file given to the run cannot be read as CONTRACT §6's format."""


def read_fixture(path: str | Path) -> dict[str, Any]:
    """A fixture file's data (JSON, or YAML by its extension)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) if str(path).endswith((".yaml", ".yml")) else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise FixtureUnreadable(f"{path}: not a fixture file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise FixtureUnreadable(f"{path}: not a fixture file (no `groups` list)")
    return data


def timestamp_cell(moment: int) -> str:
    """§4: `2024-01-15T10:00:00+0000`."""
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def guard(cell: str) -> str:
    """§4: a cell that begins with a formula trigger gets one `'` in front, and is otherwise unchanged."""
    return "'" + cell if cell[:1] in figures().formula_trigger_prefixes else cell


@dataclass
class Series:
    """One target's engagement rows, by time, with running sums for window queries."""

    moments: list[int] = field(default_factory=list)
    sums: list[tuple[int, int, int]] = field(default_factory=list)

    def between(self, lo: int, hi: int) -> tuple[int, int, int]:
        """(clicks, scans, button_clicks) of the rows with `lo <= at <= hi`."""
        start, end = bisect_left(self.moments, lo), bisect_right(self.moments, hi)
        if end <= start:
            return (0, 0, 0)
        before = self.sums[start - 1] if start else (0, 0, 0)
        after = self.sums[end - 1]
        return (after[0] - before[0], after[1] - before[1], after[2] - before[2])


@dataclass
class GroupData:
    """One group of a fixture: its links and QR codes by id, their engagement series, its campaigns."""

    guid: str
    links: dict[str, Mapping[str, Any]]
    qr_codes: dict[str, Mapping[str, Any]]
    campaigns: list[str]
    series: dict[str, Series]

    def metrics(self, target: str, window: tuple[int, int]) -> tuple[int, int, int]:
        """§6: a target's metrics are the sums of the engagement rows whose `target` is its id."""
        found = self.series.get(target)
        return found.between(*window) if found is not None else (0, 0, 0)

    def link_cells(self, ident: str) -> list[str]:
        """A `links_list` row's own cells, as §4 writes them."""
        link = self.links[ident]
        return [
            guard(ident),
            guard(link.get("title") or ""),
            guard(str(link["long_url"])),
            timestamp_cell(int(link["created"])),
            "true" if link.get("archived") else "false",
            guard(";".join(link.get("tags") or [])),
        ]

    def qr_cells(self, ident: str) -> list[str]:
        """A `qr_codes_list` row's own cells, as §4 writes them (`destination`: bitlink, else long URL)."""
        qr = self.qr_codes[ident]
        return [
            guard(ident),
            guard(qr.get("title") or ""),
            guard(str(qr["qr_code_type"])),
            guard(str(qr.get("bitlink") or qr["long_url"])),
            timestamp_cell(int(qr["created"])),
            "true" if qr.get("archived") else "false",
            guard(";".join(qr.get("tags") or [])),
        ]

    def in_campaign(self, campaign: str) -> set[str]:
        """The ids of the links in a campaign."""
        return {ident for ident, link in self.links.items() if campaign in (link.get("campaign_guids") or [])}


def group_data(fixture: Mapping[str, Any], guid: str) -> GroupData | None:
    """The group's data, or None when the fixture has no such group."""
    group = next((g for g in fixture.get("groups", []) if g.get("guid") == guid), None)
    if group is None:
        return None
    rows: dict[str, list[tuple[int, int, int, int]]] = {}
    for row in group.get("engagements", []):
        rows.setdefault(str(row["target"]), []).append(
            (int(row["at"]), int(row["clicks"]), int(row["scans"]), int(row["button_clicks"]))
        )
    series: dict[str, Series] = {}
    for target, found in rows.items():
        found.sort()
        built, running = Series(), (0, 0, 0)
        for at, clicks, scans, buttons in found:
            running = (running[0] + clicks, running[1] + scans, running[2] + buttons)
            built.moments.append(at)
            built.sums.append(running)
        series[target] = built
    return GroupData(
        guid=guid,
        links={str(link["id"]): link for link in group.get("links", [])},
        qr_codes={str(qr["id"]): qr for qr in group.get("qr_codes", [])},
        campaigns=[str(c) for c in group.get("campaigns", [])],
        series=series,
    )
