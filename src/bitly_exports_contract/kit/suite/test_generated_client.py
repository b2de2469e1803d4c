"""The generated client against the server: each export type built from its models, every response
status parsed into its model, the CSV decoded with `decode_export`."""

from __future__ import annotations

from typing import Any, TypeAlias

import httpx
import pytest
from bitly_exports_client import AuthenticatedClient
from bitly_exports_client.api.groups.post_create_group_export import sync_detailed
from bitly_exports_client.models import (
    BadRequest,
    ExportFilter,
    ExportResponse,
    Forbidden,
    InternalError,
    LinkEngagementsBatchByBitlinksRequest,
    LinkEngagementsBatchByFilterRequest,
    LinksListRequest,
    PayloadTooLarge,
    QrCodesListRequest,
    RateLimitExceeded,
    TemporarilyUnavailable,
    UnprocessableEntity,
    UpgradeRequired,
)

from bitly_exports_contract.decode import decode_export
from bitly_exports_contract.kit.checks import check_exchange
from bitly_exports_contract.kit.client import UNKNOWN_TOKEN, encode_json, export_path
from bitly_exports_contract.kit.exchange import Exchange, Received, SentRequest
from bitly_exports_contract.kit.failure import violation
from bitly_exports_contract.kit.paced_http import PacedTransport, RefusedUnread, no_answer
from bitly_exports_contract.kit.relations import World
from bitly_exports_contract.spec import figures

pytestmark = pytest.mark.source("contract")

Body: TypeAlias = (
    LinkEngagementsBatchByBitlinksRequest
    | LinkEngagementsBatchByFilterRequest
    | LinksListRequest
    | QrCodesListRequest
)


def _client(
    world: World,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    *,
    answers: list[httpx.Response],
) -> AuthenticatedClient:
    def keep(response: httpx.Response) -> None:
        response.read()
        answers.append(response)

    return AuthenticatedClient(
        base_url=world.target.base_url,
        token=token or world.target.token,
        headers=headers or {},
        timeout=httpx.Timeout(world.client.pacer.limits.timeout),
        # The run's pacer bounds every request (budget, rate, timeout, deadline) like the kit's own.
        httpx_args={
            "transport": PacedTransport(world.client.pacer, retries=world.client.max_retries),
            "event_hooks": {"response": [keep]},
        },
    )


def _call(world: World, body: Body, **client: Any) -> Any:
    """Send with the generated client, check the raw response against every rule, return it."""
    token = client.get("token") or world.target.token
    sent = SentRequest.build(
        method="POST",
        url=world.target.base_url + export_path(world.target.group_guid),
        headers=[
            ("Authorization", f"Bearer {token}"),
            ("Content-Type", "application/json"),
            *client.get("headers", {}).items(),
        ],
        body=encode_json(body.to_dict()),
        tier=world.target.tier_of(token),
    )
    answers: list[httpx.Response] = []
    generated = _client(world, **client, answers=answers)
    try:
        response = sync_detailed(world.target.group_guid, client=generated, body=body)
    except RefusedUnread:
        pytest.skip("the server closed the connection instead of reading a body over the limit")
    except httpx.RequestError as exc:
        raise no_answer(sent, exc, world.client.pacer) from None
    except (ValueError, KeyError, TypeError) as exc:
        # The generated models could not read the answer: show the rule it breaks, else this.
        if not answers:
            raise
        last = answers[-1]
        received = Received.build(status=last.status_code, headers=last.headers, content=last.content)
        check_exchange(Exchange(sent=sent, received=received))
        raise violation(
            "answer_parses_into_its_model",
            "§4, §5: a 200 is the export response object; every error body is Bitly's `Error` object",
            f"the generated client could not read the answer: {type(exc).__name__}: {exc}",
            sent,
        ) from None
    received = Received.build(
        status=int(response.status_code), headers=response.headers, content=response.content
    )
    check_exchange(Exchange(sent=sent, received=received))
    return response


def _exports(world: World) -> list[tuple[str, Body]]:
    ids = world.discovery.links.ids()[:3]
    tags = world.discovery.tags()[:1]
    return [
        (
            "link_engagements_batch by bitlinks",
            LinkEngagementsBatchByBitlinksRequest(
                export_type="link_engagements_batch",
                bitlinks=ids,
            ),
        ),
        (
            "link_engagements_batch by filter",
            LinkEngagementsBatchByFilterRequest(
                export_type="link_engagements_batch",
                filter_=ExportFilter(tags=tags),
                unix_from=world.discovery.now - 86400 * 30,
                unix_to=world.discovery.now,
            ),
        ),
        (
            "links_list",
            LinksListRequest(
                export_type="links_list",
                filter_=ExportFilter(archived="both", query="e"),
                include_metrics=True,
            ),
        ),
        (
            "qr_codes_list",
            QrCodesListRequest(export_type="qr_codes_list", filter_=ExportFilter()),
        ),
    ]


@pytest.mark.parametrize(
    "which", [0, 1, 2, 3], ids=["batch-bitlinks", "batch-filter", "links_list", "qr_codes_list"]
)
def test_each_export_type_through_the_generated_client(world: World, which: int) -> None:
    name, body = _exports(world)[which]
    if which == 0 and not world.discovery.links.ids():
        pytest.skip("the group has no links to name")
    response = _call(world, body)
    if response.status_code == 402 and world.target.tier == "free":
        pytest.skip(f"{name}: the token is on the free tier, and the export has metrics")
    assert response.status_code == 200, f"{name}: HTTP {response.status_code} {response.content[:300]!r}"
    export = response.parsed
    assert isinstance(export, ExportResponse), f"{name}: parsed as {type(export).__name__}"
    decoded = decode_export(export)
    assert list(decoded.columns) == export.columns
    assert len(decoded.rows) == export.row_count
    assert export.columns[: len(figures().columns[body.to_dict()["export_type"]])] == list(
        figures().columns[body.to_dict()["export_type"]]
    )


def _error_calls(world: World) -> list[tuple[str, type[Any], Body, dict[str, Any]]]:
    calls: list[tuple[str, type[Any], Body, dict[str, Any]]] = [
        (
            "400",
            BadRequest,
            LinksListRequest(export_type="links_list", filter_=ExportFilter(), unix_from=5),
            {},
        ),
        (
            "403",
            Forbidden,
            LinksListRequest(export_type="links_list", filter_=ExportFilter()),
            {"token": UNKNOWN_TOKEN},
        ),
        (
            "413",
            PayloadTooLarge,
            LinksListRequest(
                export_type="links_list", filter_=ExportFilter(query="x" * (figures().max_body_bytes + 1))
            ),
            {},
        ),
        (
            "422",
            UnprocessableEntity,
            LinkEngagementsBatchByBitlinksRequest(
                export_type="link_engagements_batch",
                bitlinks=["bit.ly/Zq0nexist9"],
            ),
            {},
        ),
    ]
    free = world.target.token_for("free")
    if free is not None:
        body = LinksListRequest(export_type="links_list", filter_=ExportFilter(), include_metrics=True)
        calls.append(("402", UpgradeRequired, body, {"token": free}))
    if world.target.embedded:
        # Faults only the reference server injects, on request (`Prefer`, outside the public contract).
        body = LinksListRequest(export_type="links_list", filter_=ExportFilter())
        for code, model in (
            ("429", RateLimitExceeded),
            ("500", InternalError),
            ("503", TemporarilyUnavailable),
        ):
            calls.append((code, model, body, {"headers": {"Prefer": f"code={code}"}}))
    return calls


@pytest.mark.parametrize("status", ["400", "402", "403", "413", "422", "429", "500", "503"])
def test_every_status_parses_into_its_model(world: World, status: str) -> None:
    found = [call for call in _error_calls(world) if call[0] == status]
    if not found:
        pytest.skip(f"this target cannot be made to answer {status}")
    _, model, body, options = found[0]
    response = _call(world, body, **options)
    if status == "402" and response.status_code == 403:
        pytest.skip("the free token cannot see the group (a tier of another account)")
    assert int(response.status_code) == int(status), f"HTTP {response.status_code} {response.content[:300]!r}"
    assert isinstance(response.parsed, model), f"parsed as {type(response.parsed).__name__}"
