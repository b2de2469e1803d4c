"""Multi-request properties the suite checks by sending requests itself.

Each relation is registered under its name with the words of CONTRACT.md it holds; it raises
`Inapplicable` when the target lacks what it needs and a `ContractViolation` when the rule breaks.
"""

from __future__ import annotations

from bitly_exports_contract.kit.relations import access, data, faults, matching, ordering, transport, window
from bitly_exports_contract.kit.relations._base import RELATIONS, Inapplicable, Relation, World
from bitly_exports_contract.kit.relations.transport import MALFORMED, Malformed, check_malformed
from bitly_exports_contract.kit.relations.validation import (
    BAD_REQUESTS,
    BadRequest,
    check_accepted,
    check_rejected,
)

_MODULES = (matching, ordering, window, access, transport, data, faults)

__all__ = [
    "BAD_REQUESTS",
    "MALFORMED",
    "RELATIONS",
    "BadRequest",
    "Inapplicable",
    "Malformed",
    "Relation",
    "World",
    "check_accepted",
    "check_malformed",
    "check_rejected",
]
