"""Shared setup for the tests of the generated client: the client under test is the one in generated/."""

import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
GENERATED_CLIENT = ROOT / "generated" / "bitly-exports-client"

# Test the tree's generated/ copy, not an installed copy that may predate the last `scripts/generate`.
if "bitly_exports_client" not in sys.modules:
    sys.path.insert(0, str(GENERATED_CLIENT))


@pytest.fixture(scope="session")
def export_request_validator() -> jsonschema.Draft202012Validator:
    """The spec's ExportRequest schema as a Draft 2020-12 validator, its refs resolved in the spec."""
    spec = yaml.safe_load((ROOT / "openapi" / "exports.yaml").read_text("utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return jsonschema.Draft202012Validator(
        {"$ref": "urn:spec#/components/schemas/ExportRequest"}, registry=registry
    )
