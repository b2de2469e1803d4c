"""Every single-response rule, each its own test, over a catalogue of requests of every shape and status."""

from __future__ import annotations

import pytest

from bitly_exports_contract.kit.catalogue import SAMPLES
from bitly_exports_contract.kit.checks import ALL_CHECKS, ContractCheck
from bitly_exports_contract.kit.client import BodyRefused
from bitly_exports_contract.kit.exchange import Exchange
from bitly_exports_contract.kit.relations import Inapplicable, World


@pytest.fixture(scope="session")
def catalogue(world: World) -> dict[str, Exchange]:
    """The catalogue's exchanges, sent once for all the rules."""
    sent: dict[str, Exchange] = {}
    for sample in SAMPLES:
        try:
            exchange = sample.send(world)
        except (Inapplicable, BodyRefused):
            continue
        if exchange is not None:
            sent[sample.name] = exchange
    return sent


@pytest.mark.parametrize("check", [pytest.param(c, id=c.name) for c in ALL_CHECKS])
def test_rule_holds_on_every_sample(check: ContractCheck, catalogue: dict[str, Exchange]) -> None:
    for exchange in catalogue.values():
        check(exchange.sent, exchange.received)
