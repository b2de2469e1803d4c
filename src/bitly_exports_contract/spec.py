"""The hand-authored OpenAPI document, loaded once, and the contract figures it carries.

Everything that reads a cap, a tier window or a column list reads it from here, so each
figure is written once: in `x-export-contract` of `openapi/exports.yaml`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

OPERATION_PATH = "/groups/{group_guid}/exports"


def spec_path() -> Path:
    """Where the spec lives: the installed copy, else the source tree's `openapi/`."""
    installed = resources.files("bitly_exports_contract") / "exports.yaml"
    if installed.is_file():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "openapi" / "exports.yaml"


class SpecError(ValueError):
    """The spec lacks, or states otherwise, something the project reads from it."""


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed OpenAPI document."""
    with spec_path().open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict):
        raise SpecError(f"{spec_path()}: not a YAML mapping")
    return doc


@dataclass(frozen=True)
class ContractFigures:
    """The figures of `x-export-contract`."""

    row_cap_with_metrics: int
    row_cap_without_metrics: int
    tier_window_days: dict[str, int | None]
    max_body_bytes: int
    metric_columns: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    formula_trigger_prefixes: tuple[str, ...]
    fault_latency_cap_ms: int

    def row_cap(self, *, metrics: bool) -> int:
        """The row cap of an export with or without metrics."""
        return self.row_cap_with_metrics if metrics else self.row_cap_without_metrics


@functools.cache
def figures() -> ContractFigures:
    """The contract figures, read from the spec."""
    raw = load_spec()["x-export-contract"]
    return ContractFigures(
        row_cap_with_metrics=int(raw["row_caps"]["with_metrics"]),
        row_cap_without_metrics=int(raw["row_caps"]["without_metrics"]),
        tier_window_days=dict(raw["tier_window_days"]),
        max_body_bytes=int(raw["max_body_bytes"]),
        metric_columns=tuple(raw["metric_columns"]),
        columns={k: tuple(v) for k, v in raw["columns"].items()},
        formula_trigger_prefixes=tuple(raw["formula_trigger_prefixes"]),
        fault_latency_cap_ms=int(raw["fault_latency_cap_ms"]),
    )


def component_schema(name: str) -> dict[str, Any]:
    """One schema of `components.schemas`, as written (refs unresolved)."""
    schema = load_spec()["components"]["schemas"][name]
    if not isinstance(schema, dict):
        raise SpecError(f"components.schemas.{name}: not a schema object")
    return schema


@functools.cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A spec `pattern` compiled with ECMA-262's `$`: the very end, never before a final newline."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def bitlink_id_regex() -> re.Pattern[str]:
    """The well-formed bitlink id of the spec's `BitlinkId` schema."""
    return ecma_regex(component_schema("BitlinkId")["pattern"])
