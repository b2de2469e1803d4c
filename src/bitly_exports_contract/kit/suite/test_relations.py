"""Multi-request properties of the contract, each its own test."""

from __future__ import annotations

import pytest

from bitly_exports_contract.kit.relations import (
    BAD_REQUESTS,
    MALFORMED,
    RELATIONS,
    BadRequest,
    Inapplicable,
    Malformed,
    Relation,
    World,
    check_accepted,
    check_malformed,
    check_rejected,
)


def _run(step: object) -> None:
    try:
        step()  # type: ignore[operator]
    except Inapplicable as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("relation", [pytest.param(r, id=r.name) for r in RELATIONS.values()])
def test_relation_holds(relation: Relation, world: World) -> None:
    _run(lambda: relation(world))


@pytest.mark.parametrize("bad", [pytest.param(b, id=b.name) for b in BAD_REQUESTS])
def test_invalid_request_is_rejected(bad: BadRequest, world: World) -> None:
    _run(lambda: check_rejected(world, bad))


@pytest.mark.parametrize("bad", [pytest.param(b, id=b.name) for b in BAD_REQUESTS])
def test_its_valid_twin_is_accepted(bad: BadRequest, world: World) -> None:
    _run(lambda: check_accepted(world, bad))


@pytest.mark.parametrize("case", [pytest.param(m, id=m.name) for m in MALFORMED])
def test_malformed_json_is_invalid_json(case: Malformed, world: World) -> None:
    _run(lambda: check_malformed(world, case))
