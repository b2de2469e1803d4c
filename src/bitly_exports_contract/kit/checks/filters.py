"""Checks that every row of a list export satisfies the filter it was asked with."""

from __future__ import annotations

from collections.abc import Callable

from bitly_exports_contract.kit.checks._base import Broken, contract_check, readable_export
from bitly_exports_contract.kit.checks.cells import is_bitlink_id
from bitly_exports_contract.kit.csvview import parse_timestamp, unguard
from bitly_exports_contract.kit.exchange import Received, SentRequest
from bitly_exports_contract.kit.request_view import LINKS, QR_CODES, ExportAsk, is_int

Row = dict[str, str]


def _rows_of_list(sent: SentRequest, received: Received) -> tuple[ExportAsk, list[Row]] | None:
    readable = readable_export(sent, received)
    if readable is None or not readable[0].is_list:
        return None
    return readable[0], readable[1].dicts()


def _tags(row: Row) -> list[str]:
    cell = unguard(row.get("tags", ""))
    return cell.split(";") if cell else []


def _first_failing(rows: list[Row], holds: Callable[[Row], bool]) -> tuple[int, Row] | None:
    return next(((n, row) for n, row in enumerate(rows, start=1) if not holds(row)), None)


@contract_check(
    "§1: `filter.archived` | `on` archived only, `off` (default) unarchived only, `both` all",
    source="documented",
)
def archived_filter_conformance(sent: SentRequest, received: Received) -> None:
    found = _rows_of_list(sent, received)
    if found is None:
        return
    ask, rows = found
    wanted = {"on": "true", "off": "false", None: "false"}.get(ask.filter.get("archived"))
    if wanted is None:
        return
    bad = _first_failing(rows, lambda row: row.get("archived") == wanted)
    if bad is not None:
        raise Broken(
            f"archived={ask.filter.get('archived')!r}, row {bad[0]} has archived {bad[1].get('archived')!r}"
        )


@contract_check(
    "§1: `filter.created_after` | created at or after (inclusive); "
    "`filter.created_before` | created strictly before (exclusive)",
    source="documented",
)
def created_filter_conformance(sent: SentRequest, received: Received) -> None:
    found = _rows_of_list(sent, received)
    if found is None:
        return
    ask, rows = found
    after, before = ask.filter.get("created_after"), ask.filter.get("created_before")
    column = ask.created_column or ""

    def holds(row: Row) -> bool:
        moment = parse_timestamp(row.get(column, ""))
        if moment is None:
            return True  # timestamp_cells_conformance reports the cell
        return (not is_int(after) or moment >= after) and (not is_int(before) or moment < before)

    bad = _first_failing(rows, holds)
    if bad is not None:
        raise Broken(
            f"created_after={after!r}, created_before={before!r}: row {bad[0]} created {bad[1].get(column)}"
        )


@contract_check("§1: `filter.tags` | matches items carrying ANY of the tags (exact, case-sensitive)")
def tags_filter_conformance(sent: SentRequest, received: Received) -> None:
    found = _rows_of_list(sent, received)
    if found is None:
        return
    ask, rows = found
    wanted = ask.filter.get("tags")
    if not isinstance(wanted, list) or not wanted:
        return
    tags = {str(tag) for tag in wanted}

    def holds(row: Row) -> bool:
        carried = set(_tags(row))
        # A tag with `;` in it cannot be told apart inside the joined cell: accept it there.
        return bool(carried & tags) or any(";" in tag and tag in unguard(row.get("tags", "")) for tag in tags)

    bad = _first_failing(rows, holds)
    if bad is not None:
        raise Broken(f"tags={sorted(tags)!r} but row {bad[0]} carries tags {bad[1].get('tags')!r}")


@contract_check(
    "§1: `filter.domain` | the bitlink's domain, case-insensitive; a QR code matches through its bitlink; "
    "QR codes without a bitlink never match a domain filter; §7: no sub-domain matching"
)
def domain_filter_conformance(sent: SentRequest, received: Received) -> None:
    found = _rows_of_list(sent, received)
    if found is None:
        return
    ask, rows = found
    domain = ask.filter.get("domain")
    if not isinstance(domain, str):
        return
    column = "bitlink" if ask.export_type == LINKS else "destination"

    def holds(row: Row) -> bool:
        value = unguard(row.get(column, ""))
        # §4: a QR code's destination is its bitlink id when it has one, else its long URL.
        if ask.export_type == QR_CODES and not is_bitlink_id(value):
            return False
        return value.split("/", 1)[0].lower() == domain.lower()

    bad = _first_failing(rows, holds)
    if bad is not None:
        raise Broken(
            f"domain={domain!r} but row {bad[0]} is {bad[1].get(ask.id_column)!r} -> {bad[1].get(column)!r}"
        )


@contract_check(
    "§1: `filter.query` | case-insensitive substring match on title, destination URL, bitlink id (or QR code "
    "id) and tags; §7: lower-cases both sides, matches each field and each tag separately"
)
def query_filter_conformance(sent: SentRequest, received: Received) -> None:
    found = _rows_of_list(sent, received)
    if found is None:
        return
    ask, rows = found
    query = ask.filter.get("query")
    if not isinstance(query, str) or not query:
        return
    needle = query.lower()
    visible = (
        ("bitlink", "title", "long_url")
        if ask.export_type == LINKS
        else ("qrcode_id", "title", "destination")
    )

    def holds(row: Row) -> bool:
        if ask.export_type == QR_CODES and is_bitlink_id(unguard(row.get("destination", ""))):
            return True  # it has a bitlink: its long URL is searched but not in the CSV
        cells = [row.get(name, "") for name in (*visible, "tags")]
        fields = cells + [unguard(cell) for cell in cells] + _tags(row)
        return any(needle in value.lower() for value in fields)

    bad = _first_failing(rows, holds)
    if bad is not None:
        raise Broken(f"query={query!r} matches nothing visible in row {bad[0]}: {bad[1]!r}")
