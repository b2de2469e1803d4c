"""The CSV an export carries: columns per shape, cell rendering, the formula guard, RFC 4180 bytes."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterable, Sequence

from ..spec import SpecError, figures
from ..store.cache import BoundedCache

_TRIGGERS = tuple(figures().formula_trigger_prefixes)
_DAY = 86400
if not all(len(t) == 1 for t in _TRIGGERS):
    raise SpecError(f"formula_trigger_prefixes {_TRIGGERS}: render_records needs single characters")
_TRIGGER_SET = frozenset(_TRIGGERS)
_TRIGGER_AFTER_COMMA = re.compile(",[" + "".join(re.escape(t) for t in _TRIGGERS) + "]").search
_CLOCK = [f"T{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]  # minute of the day
_SECONDS = [f"{s:02d}+0000" for s in range(60)]
_DATES: BoundedCache[int, str] = BoundedCache(100_000)  # day number -> "YYYY-MM-DD", as days are met
_BOOLS = ("false", "true")


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
    day, second = divmod(unix, _DAY)
    date = _DATES.get(day)
    if date is None:
        date = time.strftime("%Y-%m-%d", time.gmtime(day * _DAY))
        _DATES.remember({day: date})
    minute, second = divmod(second, 60)
    return date + _CLOCK[minute] + _SECONDS[second]


def bool_cell(value: bool) -> str:
    return _BOOLS[bool(value)]


def tags_cell(tags: Sequence[str]) -> str:
    return ";".join(tags)


def render_records(records: Sequence[Sequence[str]]) -> list[str]:
    """Each record's CSV text without its CRLF: Python's csv writer (QUOTE_MINIMAL) over the guarded cells.

    Most records need neither quoting nor a guard: they are the cells joined with `,`, and only the
    others go through the csv writer.
    """
    lines = [",".join(cells) for cells in records]
    # A line is final when no cell holds `"`, CR or LF, no cell holds `,` (the count says so) and no
    # cell starts with a formula trigger (at the line's start or after a `,`).
    careful = [
        i
        for i, line in enumerate(lines)
        if '"' in line
        or "\r" in line
        or "\n" in line
        or line[:1] in _TRIGGER_SET
        or _TRIGGER_AFTER_COMMA(line) is not None
        or line.count(",") != len(records[i]) - 1
        or not line
    ]
    if careful:
        for i, text in zip(careful, _written([records[i] for i in careful]), strict=True):
            lines[i] = text
    return lines


def join_records(lines: Sequence[str]) -> bytes:
    """UTF-8 bytes of rendered records, CRLF after every one."""
    return "\r\n".join([*lines, ""]).encode("utf-8")


def render_csv(*, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """RFC 4180 bytes: UTF-8, CRLF after every record, minimal quoting, every cell guarded.

    The bytes are those of Python's csv writer (QUOTE_MINIMAL, CRLF) over the guarded cells.
    """
    return join_records(render_records([columns, *rows]))


def _written(records: Sequence[Sequence[str]]) -> list[str]:
    """Each record through the csv writer over its guarded cells, without the CRLF."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    out = []
    for cells in records:
        buf.seek(0)
        buf.truncate()
        writer.writerow([guard_formula(c) for c in cells])
        out.append(buf.getvalue()[:-2])
    return out
