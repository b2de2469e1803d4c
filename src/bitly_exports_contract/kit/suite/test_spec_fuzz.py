"""The spec, fuzzed: positive and negative cases from every phase, built-in and contract checks."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis

from bitly_exports_contract.kit.fuzz import CaseFixer

# The spec is the project's: it carries CONTRACT.md's readings beyond Bitly's published schema.
pytestmark = pytest.mark.source("contract")

schema = schemathesis.pytest.from_fixture("st_schema")


@schema.parametrize()
def test_every_generated_request_obeys_the_contract(
    case: Any, st_session: requests.Session, case_fixer: CaseFixer
) -> None:
    case_fixer.fix_example(case)
    case.call_and_validate(session=st_session)
