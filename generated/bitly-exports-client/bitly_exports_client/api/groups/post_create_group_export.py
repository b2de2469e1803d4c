from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.bad_request import BadRequest
from ...models.export_response import ExportResponse
from ...models.forbidden import Forbidden
from ...models.internal_error import InternalError
from ...models.link_engagements_batch_by_bitlinks_request import LinkEngagementsBatchByBitlinksRequest
from ...models.link_engagements_batch_by_filter_request import LinkEngagementsBatchByFilterRequest
from ...models.links_list_request import LinksListRequest
from ...models.payload_too_large import PayloadTooLarge
from ...models.qr_codes_list_request import QrCodesListRequest
from ...models.rate_limit_exceeded import RateLimitExceeded
from ...models.temporarily_unavailable import TemporarilyUnavailable
from ...models.unprocessable_entity import UnprocessableEntity
from ...models.upgrade_required import UpgradeRequired
from ...types import Response


def _get_kwargs(
    group_guid: str,
    *,
    body: LinkEngagementsBatchByBitlinksRequest
    | LinkEngagementsBatchByFilterRequest
    | LinksListRequest
    | QrCodesListRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/groups/{group_guid}/exports".format(
            group_guid=quote(str(group_guid), safe=""),
        ),
    }

    if isinstance(body, LinkEngagementsBatchByBitlinksRequest):
        _kwargs["json"] = body.to_dict()
    elif isinstance(body, LinkEngagementsBatchByFilterRequest):
        _kwargs["json"] = body.to_dict()
    elif isinstance(body, LinksListRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    BadRequest
    | ExportResponse
    | Forbidden
    | InternalError
    | PayloadTooLarge
    | RateLimitExceeded
    | TemporarilyUnavailable
    | UnprocessableEntity
    | UpgradeRequired
    | None
):
    if response.status_code == 200:
        response_200 = ExportResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = BadRequest.from_dict(response.json())

        return response_400

    if response.status_code == 402:
        response_402 = UpgradeRequired.from_dict(response.json())

        return response_402

    if response.status_code == 403:
        response_403 = Forbidden.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = PayloadTooLarge.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = UnprocessableEntity.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = RateLimitExceeded.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = InternalError.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = TemporarilyUnavailable.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    BadRequest
    | ExportResponse
    | Forbidden
    | InternalError
    | PayloadTooLarge
    | RateLimitExceeded
    | TemporarilyUnavailable
    | UnprocessableEntity
    | UpgradeRequired
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    group_guid: str,
    *,
    client: AuthenticatedClient | Client,
    body: LinkEngagementsBatchByBitlinksRequest
    | LinkEngagementsBatchByFilterRequest
    | LinksListRequest
    | QrCodesListRequest,
) -> Response[
    BadRequest
    | ExportResponse
    | Forbidden
    | InternalError
    | PayloadTooLarge
    | RateLimitExceeded
    | TemporarilyUnavailable
    | UnprocessableEntity
    | UpgradeRequired
]:
    """Create an inline CSV export for a group

     Build a CSV export synchronously and return it inline as a base64 data URI plus
    metadata. `export_type` selects the CSV shape: `link_engagements_batch` (engagement
    metrics for explicit bitlinks or a filter), `links_list` (link metadata roster) or
    `qr_codes_list` (QR code metadata roster).

    **Row caps.** 200 rows when metrics are included (`link_engagements_batch`, or
    `include_metrics: true` on a list export), 1000 rows otherwise. The match set is
    ordered, then cut at the cap: list exports and filter-based batch exports newest
    first (`created` descending, ties by id in code-point order); `bitlinks` exports in
    request order with duplicates removed (first occurrence kept). `truncated` is true
    exactly when the match set is larger than the cap, and then `row_count` equals the cap.

    **Metrics window.** Each token belongs to a user on a tier with a data window of
    `[now - days*86400, now]` (`free` none, `core` 30 days, `growth` 120, `premium` 365,
    `enterprise` 730). Without bounds the window is the whole tier window; given bounds
    are clamped into it (`eff_from = min(max(unix_from, start), now)`,
    `eff_to = max(min(unix_to, now), start)`), which is not an error. Metrics count the
    engagements whose timestamp `t` has `eff_from <= t <= eff_to`. A `free` tier asking
    for metrics gets 402.

    **Order of decisions.** Authentication and group (403: a missing group and a group
    the token may not see are answered alike, byte for byte; a 403 for a missing or unknown
    token has the same `message`, `resource` and `errors`, and its `description` may differ),
    then body size (413), `Content-Type`,
    JSON parsing and field rules (400), then tier (402), then bitlink resolution (422).

    **Errors.** Every error body is Bitly's `Error` object with `resource: groups`. A 400's
    `message` is `INVALID_JSON`, `INVALID_CONTENT_TYPE`, or `INVALID_ARG_<FIELD>` where
    FIELD is the first offending field's JSON path with `[n]` indexes dropped, ASCII letters
    upper-cased and every other character that is not `A`-`Z` or `0`-`9` turned into one
    `_`, nothing collapsed or trimmed (`filter.archived` -> `INVALID_ARG_FILTER_ARCHIVED`,
    `bitlinks[3]` -> `INVALID_ARG_BITLINKS`, an unknown `filter` key `"é-x"` ->
    `INVALID_ARG_FILTER___X`, an unknown top-level key `""` -> `INVALID_ARG_`). `errors[]`
    names every offending field by its JSON path, one item per path, in any order. An error
    body may carry more fields than these; the free texts (`description`, `error_code`,
    `errors[].message`) are the server's own. "First" follows this rule order: `export_type`;
    `bitlinks` (relation, size, items); `filter` (type, `query`, `archived`, `tags`,
    `domain`, `campaign_guid`, `created_after`, `created_before`, unknown keys in body
    order); `include_metrics`; `unix_from`/`unix_to` (types, then the pair rules); unknown
    top-level keys in body order. When `export_type` is missing or unknown, the rules that
    depend on it are skipped.

    **Rate limit.** Where a per-token limit is configured, the requests that passed the 403
    checks in the last 60 seconds are counted (a request answered 429 is not); over the limit
    the answer is 429 with `Retry-After`, the whole seconds until the oldest counted request
    leaves the window (at least 1).

    **Transport.** The body is strict RFC 8259 JSON in UTF-8 (no BOM, no `NaN`/`Infinity`;
    duplicate keys: the last wins) and must be an object. A lone surrogate escape inside a
    string (`"\\ud800"`) is open: a server may read it as text or answer `400 INVALID_JSON`;
    the reference server's choice is `INVALID_JSON`. The
    `Content-Type` must be `application/json` (case-insensitive, parameters such as
    `charset` ignored). The scheme `Bearer` is case-insensitive. No input gets a 5xx:
    500 and 503 are reserved for real outages.

    Args:
        group_guid (str):
        body (LinkEngagementsBatchByBitlinksRequest | LinkEngagementsBatchByFilterRequest |
            LinksListRequest | QrCodesListRequest): One of the export shapes. `link_engagements_batch`
            takes exactly one of `bitlinks` and
            `filter`; `links_list` and `qr_codes_list` require `filter` and refuse `bitlinks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequest | ExportResponse | Forbidden | InternalError | PayloadTooLarge | RateLimitExceeded | TemporarilyUnavailable | UnprocessableEntity | UpgradeRequired]
    """

    kwargs = _get_kwargs(
        group_guid=group_guid,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    group_guid: str,
    *,
    client: AuthenticatedClient | Client,
    body: LinkEngagementsBatchByBitlinksRequest
    | LinkEngagementsBatchByFilterRequest
    | LinksListRequest
    | QrCodesListRequest,
) -> (
    BadRequest
    | ExportResponse
    | Forbidden
    | InternalError
    | PayloadTooLarge
    | RateLimitExceeded
    | TemporarilyUnavailable
    | UnprocessableEntity
    | UpgradeRequired
    | None
):
    """Create an inline CSV export for a group

     Build a CSV export synchronously and return it inline as a base64 data URI plus
    metadata. `export_type` selects the CSV shape: `link_engagements_batch` (engagement
    metrics for explicit bitlinks or a filter), `links_list` (link metadata roster) or
    `qr_codes_list` (QR code metadata roster).

    **Row caps.** 200 rows when metrics are included (`link_engagements_batch`, or
    `include_metrics: true` on a list export), 1000 rows otherwise. The match set is
    ordered, then cut at the cap: list exports and filter-based batch exports newest
    first (`created` descending, ties by id in code-point order); `bitlinks` exports in
    request order with duplicates removed (first occurrence kept). `truncated` is true
    exactly when the match set is larger than the cap, and then `row_count` equals the cap.

    **Metrics window.** Each token belongs to a user on a tier with a data window of
    `[now - days*86400, now]` (`free` none, `core` 30 days, `growth` 120, `premium` 365,
    `enterprise` 730). Without bounds the window is the whole tier window; given bounds
    are clamped into it (`eff_from = min(max(unix_from, start), now)`,
    `eff_to = max(min(unix_to, now), start)`), which is not an error. Metrics count the
    engagements whose timestamp `t` has `eff_from <= t <= eff_to`. A `free` tier asking
    for metrics gets 402.

    **Order of decisions.** Authentication and group (403: a missing group and a group
    the token may not see are answered alike, byte for byte; a 403 for a missing or unknown
    token has the same `message`, `resource` and `errors`, and its `description` may differ),
    then body size (413), `Content-Type`,
    JSON parsing and field rules (400), then tier (402), then bitlink resolution (422).

    **Errors.** Every error body is Bitly's `Error` object with `resource: groups`. A 400's
    `message` is `INVALID_JSON`, `INVALID_CONTENT_TYPE`, or `INVALID_ARG_<FIELD>` where
    FIELD is the first offending field's JSON path with `[n]` indexes dropped, ASCII letters
    upper-cased and every other character that is not `A`-`Z` or `0`-`9` turned into one
    `_`, nothing collapsed or trimmed (`filter.archived` -> `INVALID_ARG_FILTER_ARCHIVED`,
    `bitlinks[3]` -> `INVALID_ARG_BITLINKS`, an unknown `filter` key `"é-x"` ->
    `INVALID_ARG_FILTER___X`, an unknown top-level key `""` -> `INVALID_ARG_`). `errors[]`
    names every offending field by its JSON path, one item per path, in any order. An error
    body may carry more fields than these; the free texts (`description`, `error_code`,
    `errors[].message`) are the server's own. "First" follows this rule order: `export_type`;
    `bitlinks` (relation, size, items); `filter` (type, `query`, `archived`, `tags`,
    `domain`, `campaign_guid`, `created_after`, `created_before`, unknown keys in body
    order); `include_metrics`; `unix_from`/`unix_to` (types, then the pair rules); unknown
    top-level keys in body order. When `export_type` is missing or unknown, the rules that
    depend on it are skipped.

    **Rate limit.** Where a per-token limit is configured, the requests that passed the 403
    checks in the last 60 seconds are counted (a request answered 429 is not); over the limit
    the answer is 429 with `Retry-After`, the whole seconds until the oldest counted request
    leaves the window (at least 1).

    **Transport.** The body is strict RFC 8259 JSON in UTF-8 (no BOM, no `NaN`/`Infinity`;
    duplicate keys: the last wins) and must be an object. A lone surrogate escape inside a
    string (`"\\ud800"`) is open: a server may read it as text or answer `400 INVALID_JSON`;
    the reference server's choice is `INVALID_JSON`. The
    `Content-Type` must be `application/json` (case-insensitive, parameters such as
    `charset` ignored). The scheme `Bearer` is case-insensitive. No input gets a 5xx:
    500 and 503 are reserved for real outages.

    Args:
        group_guid (str):
        body (LinkEngagementsBatchByBitlinksRequest | LinkEngagementsBatchByFilterRequest |
            LinksListRequest | QrCodesListRequest): One of the export shapes. `link_engagements_batch`
            takes exactly one of `bitlinks` and
            `filter`; `links_list` and `qr_codes_list` require `filter` and refuse `bitlinks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequest | ExportResponse | Forbidden | InternalError | PayloadTooLarge | RateLimitExceeded | TemporarilyUnavailable | UnprocessableEntity | UpgradeRequired
    """

    return sync_detailed(
        group_guid=group_guid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    group_guid: str,
    *,
    client: AuthenticatedClient | Client,
    body: LinkEngagementsBatchByBitlinksRequest
    | LinkEngagementsBatchByFilterRequest
    | LinksListRequest
    | QrCodesListRequest,
) -> Response[
    BadRequest
    | ExportResponse
    | Forbidden
    | InternalError
    | PayloadTooLarge
    | RateLimitExceeded
    | TemporarilyUnavailable
    | UnprocessableEntity
    | UpgradeRequired
]:
    """Create an inline CSV export for a group

     Build a CSV export synchronously and return it inline as a base64 data URI plus
    metadata. `export_type` selects the CSV shape: `link_engagements_batch` (engagement
    metrics for explicit bitlinks or a filter), `links_list` (link metadata roster) or
    `qr_codes_list` (QR code metadata roster).

    **Row caps.** 200 rows when metrics are included (`link_engagements_batch`, or
    `include_metrics: true` on a list export), 1000 rows otherwise. The match set is
    ordered, then cut at the cap: list exports and filter-based batch exports newest
    first (`created` descending, ties by id in code-point order); `bitlinks` exports in
    request order with duplicates removed (first occurrence kept). `truncated` is true
    exactly when the match set is larger than the cap, and then `row_count` equals the cap.

    **Metrics window.** Each token belongs to a user on a tier with a data window of
    `[now - days*86400, now]` (`free` none, `core` 30 days, `growth` 120, `premium` 365,
    `enterprise` 730). Without bounds the window is the whole tier window; given bounds
    are clamped into it (`eff_from = min(max(unix_from, start), now)`,
    `eff_to = max(min(unix_to, now), start)`), which is not an error. Metrics count the
    engagements whose timestamp `t` has `eff_from <= t <= eff_to`. A `free` tier asking
    for metrics gets 402.

    **Order of decisions.** Authentication and group (403: a missing group and a group
    the token may not see are answered alike, byte for byte; a 403 for a missing or unknown
    token has the same `message`, `resource` and `errors`, and its `description` may differ),
    then body size (413), `Content-Type`,
    JSON parsing and field rules (400), then tier (402), then bitlink resolution (422).

    **Errors.** Every error body is Bitly's `Error` object with `resource: groups`. A 400's
    `message` is `INVALID_JSON`, `INVALID_CONTENT_TYPE`, or `INVALID_ARG_<FIELD>` where
    FIELD is the first offending field's JSON path with `[n]` indexes dropped, ASCII letters
    upper-cased and every other character that is not `A`-`Z` or `0`-`9` turned into one
    `_`, nothing collapsed or trimmed (`filter.archived` -> `INVALID_ARG_FILTER_ARCHIVED`,
    `bitlinks[3]` -> `INVALID_ARG_BITLINKS`, an unknown `filter` key `"é-x"` ->
    `INVALID_ARG_FILTER___X`, an unknown top-level key `""` -> `INVALID_ARG_`). `errors[]`
    names every offending field by its JSON path, one item per path, in any order. An error
    body may carry more fields than these; the free texts (`description`, `error_code`,
    `errors[].message`) are the server's own. "First" follows this rule order: `export_type`;
    `bitlinks` (relation, size, items); `filter` (type, `query`, `archived`, `tags`,
    `domain`, `campaign_guid`, `created_after`, `created_before`, unknown keys in body
    order); `include_metrics`; `unix_from`/`unix_to` (types, then the pair rules); unknown
    top-level keys in body order. When `export_type` is missing or unknown, the rules that
    depend on it are skipped.

    **Rate limit.** Where a per-token limit is configured, the requests that passed the 403
    checks in the last 60 seconds are counted (a request answered 429 is not); over the limit
    the answer is 429 with `Retry-After`, the whole seconds until the oldest counted request
    leaves the window (at least 1).

    **Transport.** The body is strict RFC 8259 JSON in UTF-8 (no BOM, no `NaN`/`Infinity`;
    duplicate keys: the last wins) and must be an object. A lone surrogate escape inside a
    string (`"\\ud800"`) is open: a server may read it as text or answer `400 INVALID_JSON`;
    the reference server's choice is `INVALID_JSON`. The
    `Content-Type` must be `application/json` (case-insensitive, parameters such as
    `charset` ignored). The scheme `Bearer` is case-insensitive. No input gets a 5xx:
    500 and 503 are reserved for real outages.

    Args:
        group_guid (str):
        body (LinkEngagementsBatchByBitlinksRequest | LinkEngagementsBatchByFilterRequest |
            LinksListRequest | QrCodesListRequest): One of the export shapes. `link_engagements_batch`
            takes exactly one of `bitlinks` and
            `filter`; `links_list` and `qr_codes_list` require `filter` and refuse `bitlinks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequest | ExportResponse | Forbidden | InternalError | PayloadTooLarge | RateLimitExceeded | TemporarilyUnavailable | UnprocessableEntity | UpgradeRequired]
    """

    kwargs = _get_kwargs(
        group_guid=group_guid,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    group_guid: str,
    *,
    client: AuthenticatedClient | Client,
    body: LinkEngagementsBatchByBitlinksRequest
    | LinkEngagementsBatchByFilterRequest
    | LinksListRequest
    | QrCodesListRequest,
) -> (
    BadRequest
    | ExportResponse
    | Forbidden
    | InternalError
    | PayloadTooLarge
    | RateLimitExceeded
    | TemporarilyUnavailable
    | UnprocessableEntity
    | UpgradeRequired
    | None
):
    """Create an inline CSV export for a group

     Build a CSV export synchronously and return it inline as a base64 data URI plus
    metadata. `export_type` selects the CSV shape: `link_engagements_batch` (engagement
    metrics for explicit bitlinks or a filter), `links_list` (link metadata roster) or
    `qr_codes_list` (QR code metadata roster).

    **Row caps.** 200 rows when metrics are included (`link_engagements_batch`, or
    `include_metrics: true` on a list export), 1000 rows otherwise. The match set is
    ordered, then cut at the cap: list exports and filter-based batch exports newest
    first (`created` descending, ties by id in code-point order); `bitlinks` exports in
    request order with duplicates removed (first occurrence kept). `truncated` is true
    exactly when the match set is larger than the cap, and then `row_count` equals the cap.

    **Metrics window.** Each token belongs to a user on a tier with a data window of
    `[now - days*86400, now]` (`free` none, `core` 30 days, `growth` 120, `premium` 365,
    `enterprise` 730). Without bounds the window is the whole tier window; given bounds
    are clamped into it (`eff_from = min(max(unix_from, start), now)`,
    `eff_to = max(min(unix_to, now), start)`), which is not an error. Metrics count the
    engagements whose timestamp `t` has `eff_from <= t <= eff_to`. A `free` tier asking
    for metrics gets 402.

    **Order of decisions.** Authentication and group (403: a missing group and a group
    the token may not see are answered alike, byte for byte; a 403 for a missing or unknown
    token has the same `message`, `resource` and `errors`, and its `description` may differ),
    then body size (413), `Content-Type`,
    JSON parsing and field rules (400), then tier (402), then bitlink resolution (422).

    **Errors.** Every error body is Bitly's `Error` object with `resource: groups`. A 400's
    `message` is `INVALID_JSON`, `INVALID_CONTENT_TYPE`, or `INVALID_ARG_<FIELD>` where
    FIELD is the first offending field's JSON path with `[n]` indexes dropped, ASCII letters
    upper-cased and every other character that is not `A`-`Z` or `0`-`9` turned into one
    `_`, nothing collapsed or trimmed (`filter.archived` -> `INVALID_ARG_FILTER_ARCHIVED`,
    `bitlinks[3]` -> `INVALID_ARG_BITLINKS`, an unknown `filter` key `"é-x"` ->
    `INVALID_ARG_FILTER___X`, an unknown top-level key `""` -> `INVALID_ARG_`). `errors[]`
    names every offending field by its JSON path, one item per path, in any order. An error
    body may carry more fields than these; the free texts (`description`, `error_code`,
    `errors[].message`) are the server's own. "First" follows this rule order: `export_type`;
    `bitlinks` (relation, size, items); `filter` (type, `query`, `archived`, `tags`,
    `domain`, `campaign_guid`, `created_after`, `created_before`, unknown keys in body
    order); `include_metrics`; `unix_from`/`unix_to` (types, then the pair rules); unknown
    top-level keys in body order. When `export_type` is missing or unknown, the rules that
    depend on it are skipped.

    **Rate limit.** Where a per-token limit is configured, the requests that passed the 403
    checks in the last 60 seconds are counted (a request answered 429 is not); over the limit
    the answer is 429 with `Retry-After`, the whole seconds until the oldest counted request
    leaves the window (at least 1).

    **Transport.** The body is strict RFC 8259 JSON in UTF-8 (no BOM, no `NaN`/`Infinity`;
    duplicate keys: the last wins) and must be an object. A lone surrogate escape inside a
    string (`"\\ud800"`) is open: a server may read it as text or answer `400 INVALID_JSON`;
    the reference server's choice is `INVALID_JSON`. The
    `Content-Type` must be `application/json` (case-insensitive, parameters such as
    `charset` ignored). The scheme `Bearer` is case-insensitive. No input gets a 5xx:
    500 and 503 are reserved for real outages.

    Args:
        group_guid (str):
        body (LinkEngagementsBatchByBitlinksRequest | LinkEngagementsBatchByFilterRequest |
            LinksListRequest | QrCodesListRequest): One of the export shapes. `link_engagements_batch`
            takes exactly one of `bitlinks` and
            `filter`; `links_list` and `qr_codes_list` require `filter` and refuse `bitlinks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequest | ExportResponse | Forbidden | InternalError | PayloadTooLarge | RateLimitExceeded | TemporarilyUnavailable | UnprocessableEntity | UpgradeRequired
    """

    return (
        await asyncio_detailed(
            group_guid=group_guid,
            client=client,
            body=body,
        )
    ).parsed
