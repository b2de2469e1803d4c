"""What an export request asks for, read from the body the kit sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from bitly_exports_contract.spec import figures

BATCH = "link_engagements_batch"
LINKS = "links_list"
QR_CODES = "qr_codes_list"


def is_int(value: object) -> TypeGuard[int]:
    """A JSON integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_whole_number(value: object) -> TypeGuard[int | float]:
    """A JSON number with an integral value, as a response may write it (`132` or `132.0`): §6
    compares JSON values, not their formatting. Requests are stricter (§7: `10.0` is 400)."""
    return is_int(value) or isinstance(value, float) and value.is_integer()


def dedupe(items: list[str]) -> list[str]:
    """Items in order, duplicates removed, first occurrence kept."""
    return list(dict.fromkeys(items))


@dataclass(frozen=True)
class ExportAsk:
    """A well-formed export request body."""

    body: dict[str, Any]

    @property
    def export_type(self) -> str:
        return str(self.body["export_type"])

    @property
    def metrics(self) -> bool:
        """Whether the export includes metrics."""
        return self.export_type == BATCH or self.body.get("include_metrics") is True

    @property
    def cap(self) -> int:
        return figures().row_cap(metrics=self.metrics)

    @property
    def bitlinks(self) -> list[str] | None:
        value = self.body.get("bitlinks")
        return [str(item) for item in value] if isinstance(value, list) else None

    @property
    def filter(self) -> dict[str, Any]:
        value = self.body.get("filter")
        return value if isinstance(value, dict) else {}

    @property
    def is_list(self) -> bool:
        return self.export_type in (LINKS, QR_CODES)

    @property
    def window(self) -> tuple[int, int] | None:
        """The window bounds as given, or None."""
        lo, hi = self.body.get("unix_from"), self.body.get("unix_to")
        if is_int(lo) and is_int(hi):
            return lo, hi
        return None

    @property
    def columns(self) -> tuple[str, ...]:
        """The contract's columns for this shape."""
        base = figures().columns[self.export_type]
        if self.is_list and self.metrics:
            return base + figures().metric_columns
        return base

    @property
    def id_column(self) -> str:
        return figures().columns[self.export_type][0]

    @property
    def created_column(self) -> str | None:
        return next((c for c in figures().columns[self.export_type] if c.startswith("created")), None)


def read_ask(body: Any) -> ExportAsk | None:
    """The export a body asks for, when it names a known export type; else None."""
    if isinstance(body, dict) and body.get("export_type") in figures().columns:
        return ExportAsk(body)
    return None
