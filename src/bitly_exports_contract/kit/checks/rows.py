"""Checks of which rows an export holds and in which order: caps, truncation, ordering."""

from __future__ import annotations

from bitly_exports_contract.kit.checks._base import Broken, contract_check, export_of, readable_export
from bitly_exports_contract.kit.csvview import parse_timestamp, unguard
from bitly_exports_contract.kit.exchange import Received, SentRequest
from bitly_exports_contract.kit.request_view import dedupe


@contract_check(
    "§2: The cap is 200 rows when metrics are included (`link_engagements_batch`, or `include_metrics: true` "
    "on a list export), else 1000.",
    source="documented",
)
def row_cap_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.ask is None:
        return
    rows = export.body.get("row_count")
    if isinstance(rows, int) and rows > export.ask.cap:
        raise Broken(f"row_count {rows} exceeds the cap {export.ask.cap}")
    if export.csv is not None and len(export.csv.rows) > export.ask.cap:
        raise Broken(f"the CSV has {len(export.csv.rows)} data rows, over the cap {export.ask.cap}")


@contract_check(
    "§2: `truncated` is true exactly when the match set is larger than the cap; then `row_count` equals the "
    "cap. Otherwise `row_count` equals the size of the match set.",
    source="documented",
)
def truncation_conformance(sent: SentRequest, received: Received) -> None:
    export = export_of(sent, received)
    if export is None or export.ask is None:
        return
    rows, truncated, cap = export.body.get("row_count"), export.body.get("truncated"), export.ask.cap
    if truncated is True and rows != cap:
        raise Broken(f"truncated is true but row_count is {rows!r}, not the cap {cap}")
    # Without `bitlinks` the match set is unknown here; the relations check it against its size.
    bitlinks = export.ask.bitlinks
    if bitlinks is not None:
        matched = len(dedupe(bitlinks))
        if truncated is not (matched > cap) or rows != min(matched, cap):
            raise Broken(
                f"{matched} distinct bitlinks, cap {cap}: got row_count {rows!r}, truncated {truncated!r}"
            )


@contract_check("§2: `bitlinks` exports in request order, duplicates removed (first occurrence kept)")
def bitlinks_order_conformance(sent: SentRequest, received: Received) -> None:
    readable = readable_export(sent, received)
    if readable is None or readable[0].bitlinks is None:
        return
    ask, csv = readable
    expected = dedupe(ask.bitlinks or [])[: ask.cap]
    got = [unguard(cell) for cell in csv.column(ask.id_column)]
    if got != expected:
        raise Broken(f"asked for {expected[:8]!r}..., the rows are {got[:8]!r}...")


@contract_check("§2: list exports ... newest first (`created` descending, ties by id ascending)")
def newest_first_conformance(sent: SentRequest, received: Received) -> None:
    readable = readable_export(sent, received)
    if readable is None or not readable[0].is_list:
        return
    ask, csv = readable
    created_column = ask.created_column
    assert created_column is not None
    keys: list[tuple[int, str]] = []
    for created, ident in zip(csv.column(created_column), csv.column(ask.id_column), strict=True):
        moment = parse_timestamp(created)
        if moment is None:
            return  # timestamp_cells_conformance reports the cell
        keys.append((-moment, unguard(ident)))
    for number, (before, after) in enumerate(zip(keys, keys[1:], strict=False), start=1):
        if before > after:
            raise Broken(
                f"row {number} ({before[1]}, created {-before[0]}) comes before "
                f"row {number + 1} ({after[1]}, created {-after[0]})"
            )
