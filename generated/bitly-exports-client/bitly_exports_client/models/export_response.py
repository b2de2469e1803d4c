from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_response_media_type import ExportResponseMediaType, check_export_response_media_type
from ..models.export_type import ExportType, check_export_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportResponse")


@_attrs_define
class ExportResponse:
    """The export, inline. Every field is always present except `unix_from`/`unix_to`, which
    appear exactly when metrics are included. The CSV is RFC 4180: UTF-8 without BOM,
    CRLF after every record (the header too), a header row always, a field quoted exactly
    when it contains `,`, `"`, CR or LF (inner `"` doubled). Columns by shape:
    `link_engagements_batch`: `bitlink,title,long_url,clicks,scans,button_clicks,total_engagements`;
    `links_list`: `bitlink,title,long_url,created_at,archived,tags`;
    `qr_codes_list`: `qrcode_id,title,qr_code_type,destination,created,archived,tags`;
    list exports with `include_metrics` append `clicks,scans,button_clicks`. Timestamps are
    written `2024-01-15T10:00:00+0000`, `archived` as `true`/`false`, tags joined with `;`.
    A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
    `'`. The same request against the same data returns the same CSV bytes. A server may
    add fields beyond these (servers add fields over time); a client ignores them.

        Attributes:
            export_type (ExportType): Which export shape to produce.
            filename (str): `{group_guid}_{export_type}_{now as YYYYMMDDTHHMMSSZ}.csv`
            media_type (ExportResponseMediaType):
            data_uri (str): `data:text/csv;base64,` followed by the standard base64 of the CSV bytes.
            size_bytes (int): Length of the decoded CSV bytes.
            columns (list[str]): The CSV header, in order.
            column_count (int): The number of columns.
            row_count (int): Data rows in the CSV, header excluded.
            truncated (bool): True exactly when the match set was larger than the row cap; then `row_count` equals the cap.
            unix_from (int | Unset): Effective (clamped) metrics window start; present exactly when metrics are included.
            unix_to (int | Unset): Effective (clamped) metrics window end; present exactly when metrics are included.
    """

    export_type: ExportType
    filename: str
    media_type: ExportResponseMediaType
    data_uri: str
    size_bytes: int
    columns: list[str]
    column_count: int
    row_count: int
    truncated: bool
    unix_from: int | Unset = UNSET
    unix_to: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        export_type: str = self.export_type

        filename = self.filename

        media_type: str = self.media_type

        data_uri = self.data_uri

        size_bytes = self.size_bytes

        columns = self.columns

        column_count = self.column_count

        row_count = self.row_count

        truncated = self.truncated

        unix_from = self.unix_from

        unix_to = self.unix_to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "export_type": export_type,
                "filename": filename,
                "media_type": media_type,
                "data_uri": data_uri,
                "size_bytes": size_bytes,
                "columns": columns,
                "column_count": column_count,
                "row_count": row_count,
                "truncated": truncated,
            }
        )
        if unix_from is not UNSET:
            field_dict["unix_from"] = unix_from
        if unix_to is not UNSET:
            field_dict["unix_to"] = unix_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        export_type = check_export_type(d.pop("export_type"))

        filename = d.pop("filename")

        media_type = check_export_response_media_type(d.pop("media_type"))

        data_uri = d.pop("data_uri")

        size_bytes = d.pop("size_bytes")

        columns = cast(list[str], d.pop("columns"))

        column_count = d.pop("column_count")

        row_count = d.pop("row_count")

        truncated = d.pop("truncated")

        unix_from = d.pop("unix_from", UNSET)

        unix_to = d.pop("unix_to", UNSET)

        export_response = cls(
            export_type=export_type,
            filename=filename,
            media_type=media_type,
            data_uri=data_uri,
            size_bytes=size_bytes,
            columns=columns,
            column_count=column_count,
            row_count=row_count,
            truncated=truncated,
            unix_from=unix_from,
            unix_to=unix_to,
        )

        export_response.additional_properties = d
        return export_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
