"""Every named example in the spec is valid against its schema, and every 200 example's CSV decodes."""

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bitly_exports_contract.decode import decode_export

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "exports.yaml").read_text("utf-8"))
SPEC_URI = "urn:bitly-exports:openapi"
OPERATION = SPEC["paths"]["/groups/{group_guid}/exports"]["post"]
REGISTRY: Registry[Any] = Registry().with_resource(
    SPEC_URI, Resource.from_contents(SPEC, default_specification=DRAFT202012)
)


def validator_for(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A Draft 2020-12 validator of a media type's schema, with its refs resolved in the spec."""
    return jsonschema.Draft202012Validator(
        {"$ref": SPEC_URI + str(schema["$ref"])},
        registry=REGISTRY,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def named_examples() -> list[Any]:
    found = []
    media = OPERATION["requestBody"]["content"]["application/json"]
    for name, example in media["examples"].items():
        found.append(pytest.param(media["schema"], example["value"], id=f"request-{name}"))
    for status, response in OPERATION["responses"].items():
        media = response["content"]["application/json"]
        for name, example in media["examples"].items():
            found.append(pytest.param(media["schema"], example["value"], id=f"{status}-{name}"))
    return found


def ok_examples() -> list[Any]:
    media = OPERATION["responses"]["200"]["content"]["application/json"]
    return [pytest.param(e["value"], id=name) for name, e in media["examples"].items()]


def test_the_spec_names_examples_for_the_request_and_every_response() -> None:
    ids = {p.id.split("-", 1)[0] for p in named_examples()}

    assert ids == {"request", *OPERATION["responses"]}


@pytest.mark.parametrize(("schema", "value"), named_examples())
def test_a_named_example_is_valid_against_its_schema(schema: dict[str, Any], value: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator_for(schema).iter_errors(value)]

    assert errors == []


@pytest.mark.parametrize("value", ok_examples())
def test_a_200_examples_csv_decodes_and_has_its_shapes_columns(value: dict[str, Any]) -> None:
    decoded = decode_export(value)

    base = SPEC["x-export-contract"]["columns"][value["export_type"]]
    metrics = SPEC["x-export-contract"]["metric_columns"]
    assert list(decoded.columns) in (base, base + metrics)
    assert len(decoded.rows) == value["row_count"]


REQUEST_SCHEMA = OPERATION["requestBody"]["content"]["application/json"]["schema"]
OK_SCHEMA = OPERATION["responses"]["200"]["content"]["application/json"]["schema"]
BAD_REQUEST_SCHEMA = OPERATION["responses"]["400"]["content"]["application/json"]["schema"]
LINKS = {"export_type": "links_list", "filter": {}}
BATCH = {"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/abc"]}
OK = OPERATION["responses"]["200"]["content"]["application/json"]["examples"]["linksList"]["value"]


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        pytest.param(REQUEST_SCHEMA, {**LINKS, "filters": {}}, id="unknown-top-level-field"),
        pytest.param(REQUEST_SCHEMA, {**LINKS, "filter": {"colour": "red"}}, id="unknown-filter-field"),
        pytest.param(REQUEST_SCHEMA, {**BATCH, "filter": {}}, id="bitlinks-with-filter"),
        pytest.param(REQUEST_SCHEMA, {"export_type": "link_engagements_batch"}, id="batch-without-either"),
        pytest.param(REQUEST_SCHEMA, {**LINKS, "bitlinks": ["bit.ly/abc"]}, id="bitlinks-on-a-list"),
        pytest.param(REQUEST_SCHEMA, {"export_type": "links_list"}, id="list-without-filter"),
        pytest.param(REQUEST_SCHEMA, {**LINKS, "unix_from": 1}, id="one-window-bound"),
        pytest.param(REQUEST_SCHEMA, {**BATCH, "bitlinks": ["https://bit.ly/abc"]}, id="bitlink-with-scheme"),
        pytest.param(REQUEST_SCHEMA, {**LINKS, "filter": {"archived": "all"}}, id="unknown-archived"),
        pytest.param(OK_SCHEMA, {k: v for k, v in OK.items() if k != "data_uri"}, id="200-without-data_uri"),
        pytest.param(OK_SCHEMA, {**OK, "data_uri": "data:text/csv;base64,@@@@"}, id="200-bad-base64"),
        pytest.param(
            BAD_REQUEST_SCHEMA,
            {"message": "NOPE", "resource": "groups", "description": "", "errors": []},
            id="400-unknown-message",
        ),
    ],
)
def test_the_schemas_the_examples_pass_are_strict_enough_to_refuse_a_broken_body(
    schema: dict[str, Any], value: Any
) -> None:
    assert list(validator_for(schema).iter_errors(value)) != []
