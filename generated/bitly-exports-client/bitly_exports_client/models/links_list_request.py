from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.links_list_request_export_type import LinksListRequestExportType, check_links_list_request_export_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.export_filter import ExportFilter


T = TypeVar("T", bound="LinksListRequest")


@_attrs_define
class LinksListRequest:
    """Link metadata roster, newest first: 1000-row cap, or 200 with `include_metrics`.
    `filter` is required; `bitlinks` is not allowed.

        Attributes:
            export_type (LinksListRequestExportType):
            filter_ (ExportFilter): Search constraints that select the links (or QR codes) to export; all given
                constraints must hold. A filter that matches nothing is not an error: the export has a
                header row and `row_count: 0`. Unknown keys are rejected.
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

    export_type: LinksListRequestExportType
    filter_: ExportFilter
    include_metrics: bool | Unset = UNSET
    unix_from: int | Unset = UNSET
    unix_to: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        export_type: str = self.export_type

        filter_ = self.filter_.to_dict()

        include_metrics = self.include_metrics

        unix_from = self.unix_from

        unix_to = self.unix_to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "export_type": export_type,
                "filter": filter_,
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
        from ..models.export_filter import ExportFilter  # noqa: PLC0415

        d = dict(src_dict)
        export_type = check_links_list_request_export_type(d.pop("export_type"))

        filter_ = ExportFilter.from_dict(d.pop("filter"))

        include_metrics = d.pop("include_metrics", UNSET)

        unix_from = d.pop("unix_from", UNSET)

        unix_to = d.pop("unix_to", UNSET)

        links_list_request = cls(
            export_type=export_type,
            filter_=filter_,
            include_metrics=include_metrics,
            unix_from=unix_from,
            unix_to=unix_to,
        )

        return links_list_request
