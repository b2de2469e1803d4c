"""The generated client's types are the spec's shapes: a typed request union, one model per error status."""

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

import attrs
import bitly_exports_client
import httpx
import pytest
import yaml
from bitly_exports_client import models
from bitly_exports_client.api.groups import post_create_group_export
from bitly_exports_client.client import AuthenticatedClient
from bitly_exports_client.models import FieldError

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "openapi" / "exports.yaml").read_text("utf-8"))
OPERATION = SPEC["paths"]["/groups/{group_guid}/exports"]["post"]
ERROR_STATUSES = ["400", "402", "403", "413", "422", "429", "500", "503"]


def ref_name(schema: dict[str, Any]) -> str:
    return str(schema["$ref"]).rsplit("/", 1)[-1]


def body_members() -> tuple[Any, ...]:
    hint = typing.get_type_hints(post_create_group_export.sync_detailed)["body"]
    assert typing.get_origin(hint) in (typing.Union, types.UnionType), (
        f"body is {hint!r}, not a union of models"
    )
    return typing.get_args(hint)


def test_the_client_under_test_is_the_one_in_generated_not_an_older_installed_copy() -> None:
    package = Path(bitly_exports_client.__file__).resolve().parent

    assert package == ROOT / "generated" / "bitly-exports-client" / "bitly_exports_client"


def test_the_request_body_is_a_union_of_one_attrs_model_per_export_shape() -> None:
    members = body_members()
    shapes = [ref_name(branch) for branch in SPEC["components"]["schemas"]["ExportRequest"]["oneOf"]]

    assert typing.Any not in members
    assert all(
        isinstance(m, type) and attrs.has(m) and callable(getattr(m, "to_dict", None)) for m in members
    )
    assert sorted(m.__name__ for m in members) == sorted(shapes)


def test_each_request_model_pins_its_export_type_to_one_value() -> None:
    pinned = []
    for member in body_members():
        # TYPE_CHECKING-only imports of the model module resolve through the models package.
        namespace = {**vars(sys.modules[member.__module__]), **vars(models)}
        field_types = typing.get_type_hints(member, globalns=namespace)
        export_type = field_types["export_type"]
        # literal_enums: each request model's export_type is a Literal of its one value.
        assert typing.get_origin(export_type) is typing.Literal, (
            f"{member.__name__}.export_type is {export_type!r}"
        )
        pinned.append(list(typing.get_args(export_type)))

    assert sorted(pinned) == [
        ["link_engagements_batch"],
        ["link_engagements_batch"],
        ["links_list"],
        ["qr_codes_list"],
    ]


def test_the_spec_documents_exactly_the_statuses_these_tests_parse() -> None:
    assert sorted(OPERATION["responses"]) == sorted(["200", *ERROR_STATUSES])


def error_example(status: str) -> tuple[str, dict[str, Any]]:
    content = OPERATION["responses"][status]["content"]["application/json"]
    with_fields = [e["value"] for e in content["examples"].values() if e["value"]["errors"]]
    value = with_fields[0] if with_fields else next(iter(content["examples"].values()))["value"]
    return ref_name(content["schema"]), value


def client_answering(status: int, body: dict[str, Any], headers: dict[str, str]) -> AuthenticatedClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    client = AuthenticatedClient(base_url="https://api.example.test/v4", token="tok")
    return client.set_httpx_client(
        httpx.Client(base_url="https://api.example.test/v4", transport=httpx.MockTransport(answer))
    )


@pytest.mark.parametrize("status", [pytest.param(s, id=s) for s in ERROR_STATUSES])
def test_each_error_status_parses_into_its_own_model_with_field_errors(status: str) -> None:
    model_name, body = error_example(status)
    headers = {"Retry-After": "1"} if status in ("429", "503") else {}
    request = models.LinksListRequest(export_type="links_list", filter_=models.ExportFilter())

    response = post_create_group_export.sync_detailed(
        "Ba1bc23dE4F", client=client_answering(int(status), body, headers), body=request
    )

    parsed = response.parsed
    assert type(parsed).__name__ == model_name
    assert isinstance(parsed, getattr(models, model_name))
    assert parsed.message == body["message"]
    assert parsed.resource == "groups"
    assert parsed.description == body["description"]
    assert all(isinstance(item, FieldError) for item in parsed.errors)
    assert [(e.field, e.error_code, e.message) for e in parsed.errors] == [
        (e["field"], e["error_code"], e["message"]) for e in body["errors"]
    ]
    assert parsed.to_dict() == body
    assert response.headers.get("Retry-After") == headers.get("Retry-After")


def test_the_error_models_field_errors_are_field_error_models_that_round_trip() -> None:
    body = {
        "message": "INVALID_ARG_BITLINKS",
        "resource": "groups",
        "description": "The value provided is invalid.",
        "errors": [
            {"field": "bitlinks[0]", "error_code": "invalid", "message": "has a scheme"},
            {"field": "bitlinks[3]", "error_code": "invalid", "message": "has whitespace"},
        ],
    }

    error = models.Error.from_dict(json.loads(json.dumps(body)))

    assert [type(item) for item in error.errors] == [FieldError, FieldError]
    assert [item.field for item in error.errors] == ["bitlinks[0]", "bitlinks[3]"]
    assert error.to_dict() == body


def test_an_error_body_with_an_unknown_resource_is_refused_by_the_model() -> None:
    with pytest.raises(TypeError, match="Unexpected value 'bitlinks'"):
        models.Error.from_dict(
            {"message": "FORBIDDEN", "resource": "bitlinks", "description": "", "errors": []}
        )
