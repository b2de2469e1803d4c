"""One small check per contract rule, each named after it, each run on one exchange.

A check returns quietly when its rule holds or does not apply, and raises a
`ContractViolation` (an AssertionError) quoting CONTRACT.md, what was received and a curl
command otherwise. Checks never depend on each other: a broken rule fails its own check
whatever else is broken.
"""

from __future__ import annotations

from bitly_exports_contract.kit.checks import cells, csv_shape, envelope, errors, filters, rows, window
from bitly_exports_contract.kit.checks._base import REGISTRY, Broken, ContractCheck, contract_check
from bitly_exports_contract.kit.exchange import Exchange
from bitly_exports_contract.kit.failure import ContractViolation

_MODULES = (envelope, csv_shape, rows, cells, filters, window, errors)

ALL_CHECKS: tuple[ContractCheck, ...] = tuple(REGISTRY.values())


def violations(exchange: Exchange, *, source: str = "all") -> list[ContractViolation]:
    """Every rule the exchange breaks (of one source: `documented` or `contract`, or of `all`)."""
    found: list[ContractViolation] = []
    for check in ALL_CHECKS:
        if source != "all" and check.source != source:
            continue
        try:
            check(exchange.sent, exchange.received)
        except ContractViolation as exc:
            found.append(exc)
    return found


def check_exchange(exchange: Exchange, *, source: str = "all") -> None:
    """Raise the first rule the exchange breaks (all of them named in the message)."""
    found = violations(exchange, source=source)
    if not found:
        return
    first = found[0]
    if len(found) > 1:
        others = ", ".join(v.rule_name for v in found[1:])
        raise ContractViolation(
            rule_name=first.rule_name,
            rule=first.rule,
            received=f"{first.received}\n(also broken by this response: {others})",
            sent=exchange.sent,
        )
    raise first


__all__ = ["ALL_CHECKS", "Broken", "ContractCheck", "check_exchange", "contract_check", "violations"]
