"""The shape every check shares: a name, the contract's words, a function of one exchange."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bitly_exports_contract.kit.csvview import CsvExport, read_export
from bitly_exports_contract.kit.exchange import Received, SentRequest
from bitly_exports_contract.kit.failure import violation
from bitly_exports_contract.kit.request_view import ExportAsk, read_ask

CheckFunction = Callable[[SentRequest, Received], None]

_FILENAME = re.compile(r"^(?P<group>.+)_(?P<type>[a-z_]+)_(?P<now>\d{8}T\d{6}Z)\.csv$")


class Broken(Exception):
    """Raised inside a check: what was received that the rule forbids."""


@dataclass(frozen=True)
class ContractCheck:
    """One rule of the contract, checked on one exchange."""

    name: str
    rule: str
    function: CheckFunction
    # `documented`: Bitly's published description of the endpoint says it; `contract`: CONTRACT.md adds it.
    source: str = "contract"

    def __call__(self, sent: SentRequest, received: Received) -> None:
        try:
            self.function(sent, received)
        except Broken as exc:
            raise violation(self.name, self.rule, f"HTTP {received.status}; {exc}", sent) from None


REGISTRY: dict[str, ContractCheck] = {}


def contract_check(rule: str, *, source: str = "contract") -> Callable[[CheckFunction], ContractCheck]:
    """Register a check under its function's name, with the words of CONTRACT.md it holds and where
    the rule comes from (`documented` by Bitly, or a `contract` reading)."""

    def register(function: CheckFunction) -> ContractCheck:
        check = ContractCheck(
            name=function.__name__, rule=" ".join(rule.split()), function=function, source=source
        )
        REGISTRY[check.name] = check
        return check

    return register


@dataclass(frozen=True)
class Export:
    """A 200 response with a JSON object body, and what the request asked for."""

    ask: ExportAsk | None
    body: dict[str, Any]
    csv: CsvExport | None

    @property
    def now(self) -> int | None:
        """The server's `now`, read from the filename."""
        match = _FILENAME.match(str(self.body.get("filename", "")))
        if match is None:
            return None
        try:
            moment = datetime.strptime(match["now"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        return int(moment.timestamp())


def export_of(sent: SentRequest, received: Received) -> Export | None:
    """The export of a 200 response, or None for any other response."""
    body = received.json
    if received.status != 200 or not isinstance(body, dict):
        return None
    if "csv" not in received.memo:
        received.memo["csv"] = read_export(body)
    return Export(ask=read_ask(sent.json_body), body=body, csv=received.memo["csv"])


def readable_export(sent: SentRequest, received: Received) -> tuple[ExportAsk, CsvExport] | None:
    """A 200 export whose request is known and whose CSV could be read, else None."""
    export = export_of(sent, received)
    if export is None or export.ask is None or export.csv is None:
        return None
    return export.ask, export.csv


def error_of(received: Received) -> dict[str, Any] | None:
    """The JSON body of an error response (status 400 or above), if it is an object."""
    body = received.json
    if received.status >= 400 and isinstance(body, dict):
        return body
    return None
