from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import UndefinedContentType

from bitly_exports_contract.kit.cli import _rules_of


def test_schemathesis_findings_are_named_from_their_objects() -> None:
    failure = UndefinedContentType(
        operation="POST /x", message="m", content_type="a/b", defined_content_types=["application/json"]
    )
    group = FailureGroup([failure])
    assert _rules_of(group) == [f"schemathesis: {failure.code} {failure.title}"]
    assert _rules_of(ValueError("x")) == ["error"]
