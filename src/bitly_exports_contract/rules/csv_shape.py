"""The CSV an export carries: columns per shape, cell rendering, the formula guard, RFC 4180 bytes."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable, Sequence

from ..spec import figures

_TRIGGERS = tuple(figures().formula_trigger_prefixes)


def columns_for(*, export_type: str, metrics: bool) -> tuple[str, ...]:
    """The header of an export: the shape's columns, plus the metric columns on a list export with metrics."""
    fig = figures()
    base = fig.columns[export_type]
    if metrics and not set(fig.metric_columns) <= set(base):
        return base + fig.metric_columns
    return base


def guard_formula(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_TRIGGERS) else cell


def timestamp_cell(unix: int) -> str:
    """Unix seconds as Bitly writes them: `2024-01-15T10:00:00+0000`."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(unix))


def bool_cell(value: bool) -> str:
    return "true" if value else "false"


def tags_cell(tags: Sequence[str]) -> str:
    return ";".join(tags)


def render_csv(*, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """RFC 4180 bytes: UTF-8, CRLF after every record, minimal quoting, every cell guarded."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([guard_formula(c) for c in columns])
    writer.writerows([guard_formula(c) for c in row] for row in rows)
    return buf.getvalue().encode("utf-8")
