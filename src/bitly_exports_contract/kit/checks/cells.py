"""Checks of the cells of an export: formats, metrics, the formula guard."""

from __future__ import annotations

import re

from bitly_exports_contract.kit.checks._base import Broken, contract_check, readable_export
from bitly_exports_contract.kit.csvview import parse_timestamp
from bitly_exports_contract.kit.exchange import Received, SentRequest
from bitly_exports_contract.spec import figures

_BITLINK = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/[A-Za-z0-9_-]+$"
)
_NON_NEGATIVE = re.compile(r"^(0|[1-9][0-9]*)$")


def is_bitlink_id(value: str) -> bool:
    """A well-formed bitlink id (`bit.ly/abc`)."""
    return _BITLINK.match(value) is not None and not value.endswith("\n")


@contract_check("§4: metrics are non-negative integers")
def metric_cells_conformance(sent: SentRequest, received: Received) -> None:
    readable = readable_export(sent, received)
    if readable is None:
        return
    _, csv = readable
    for name in figures().metric_columns:
        for number, cell in enumerate(csv.column(name), start=1):
            if not _NON_NEGATIVE.match(cell):
                raise Broken(f"row {number}: `{name}` is {cell!r}")


@contract_check("§4: `total_engagements = clicks + scans + button_clicks`")
def total_engagements_conformance(sent: SentRequest, received: Received) -> None:
    readable = readable_export(sent, received)
    if readable is None or "total_engagements" not in readable[1].header:
        return
    for number, row in enumerate(readable[1].dicts(), start=1):
        try:
            parts = [int(row[name]) for name in figures().metric_columns]
            total = int(row["total_engagements"])
        except (KeyError, ValueError):
            continue  # metric_cells_conformance reports the cell
        if total != sum(parts):
            raise Broken(f"row {number} ({row.get('bitlink')}): total_engagements {total} != sum {parts}")


@contract_check("§4: Timestamps in cells are ISO 8601 UTC as Bitly writes them (`2024-01-15T10:00:00+0000`)")
def timestamp_cells_conformance(sent: SentRequest, received: Received) -> None:
    readable = readable_export(sent, received)
    if readable is None or readable[0].created_column is None:
        return
    name = readable[0].created_column
    for number, cell in enumerate(readable[1].column(name), start=1):
        if parse_timestamp(cell) is None:
            raise Broken(f"row {number}: `{name}` is {cell!r}")


@contract_check("§4: `archived` is `true` or `false`")
def archived_cells_conformance(sent: SentRequest, received: Received) -> None:
    readable = readable_export(sent, received)
    if readable is None:
        return
    for number, cell in enumerate(readable[1].column("archived"), start=1):
        if cell not in ("true", "false"):
            raise Broken(f"row {number}: `archived` is {cell!r}")


@contract_check(
    "§4: Any cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single "
    "quote `'`; §7: the formula guard is applied before quoting and to every cell, `tags` included"
)
def formula_guard_conformance(sent: SentRequest, received: Received) -> None:
    readable = readable_export(sent, received)
    if readable is None:
        return
    triggers = figures().formula_trigger_prefixes
    for number, row in enumerate(readable[1].rows, start=1):
        for name, cell in zip(readable[1].header, row, strict=False):
            if cell[:1] in triggers:
                raise Broken(f"row {number}: `{name}` begins with {cell[:1]!r} unguarded: {cell[:60]!r}")
