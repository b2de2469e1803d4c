from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.link_engagements_batch_by_bitlinks_request_export_type import (
    LinkEngagementsBatchByBitlinksRequestExportType,
    check_link_engagements_batch_by_bitlinks_request_export_type,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="LinkEngagementsBatchByBitlinksRequest")


@_attrs_define
class LinkEngagementsBatchByBitlinksRequest:
    """Engagement metrics for explicit bitlinks (200-row cap). `filter` is not allowed beside `bitlinks`.

    Attributes:
        export_type (LinkEngagementsBatchByBitlinksRequestExportType):
        bitlinks (list[str]): The exact links to export, in this order, duplicates removed (first occurrence kept).
            Archived links are included: `archived` applies to filters only. Every item must be a
            link of this group, else 422 listing every unknown index.
        include_metrics (bool | Unset): On `links_list` and `qr_codes_list`, append `clicks,scans,button_clicks` columns
            and
            apply the 200-row cap. Type-checked but ignored on `link_engagements_batch`, which
            always has metrics.
        unix_from (int | Unset): Unix seconds, UTC. A JSON integer: no fraction or exponent (`10.0`, `1e3` and `true`
            are rejected), no upper bound (a huge value clamps to `now`). `null` is a wrong type,
            never "absent".
        unix_to (int | Unset): Unix seconds, UTC. A JSON integer: no fraction or exponent (`10.0`, `1e3` and `true`
            are rejected), no upper bound (a huge value clamps to `now`). `null` is a wrong type,
            never "absent".
    """

    export_type: LinkEngagementsBatchByBitlinksRequestExportType
    bitlinks: list[str]
    include_metrics: bool | Unset = UNSET
    unix_from: int | Unset = UNSET
    unix_to: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        export_type: str = self.export_type

        bitlinks = self.bitlinks

        include_metrics = self.include_metrics

        unix_from = self.unix_from

        unix_to = self.unix_to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "export_type": export_type,
                "bitlinks": bitlinks,
            }
        )
        if include_metrics is not UNSET:
            field_dict["include_metrics"] = include_metrics
        if unix_from is not UNSET:
            field_dict["unix_from"] = unix_from
        if unix_to is not UNSET:
            field_dict["unix_to"] = unix_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        export_type = check_link_engagements_batch_by_bitlinks_request_export_type(d.pop("export_type"))

        bitlinks = cast(list[str], d.pop("bitlinks"))

        include_metrics = d.pop("include_metrics", UNSET)

        unix_from = d.pop("unix_from", UNSET)

        unix_to = d.pop("unix_to", UNSET)

        link_engagements_batch_by_bitlinks_request = cls(
            export_type=export_type,
            bitlinks=bitlinks,
            include_metrics=include_metrics,
            unix_from=unix_from,
            unix_to=unix_to,
        )

        return link_engagements_batch_by_bitlinks_request
