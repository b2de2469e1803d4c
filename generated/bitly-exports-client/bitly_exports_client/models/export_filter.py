from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.export_filter_archived import ExportFilterArchived, check_export_filter_archived
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportFilter")


@_attrs_define
class ExportFilter:
    """Search constraints that select the links (or QR codes) to export; all given
    constraints must hold. A filter that matches nothing is not an error: the export has a
    header row and `row_count: 0`. Unknown keys are rejected.

        Attributes:
            query (str | Unset): Case-insensitive substring (both sides lower-cased as Unicode text), matched against
                each field separately: title, long URL, bitlink id and each tag; for a QR code its
                title, long URL, its bitlink id when it has one, its own id and its tags. The empty
                string matches everything. Taken literally: no wildcard or query syntax.
            archived (ExportFilterArchived | Unset): `on` archived only, `off` (default) unarchived only, `both` all.
                Default: 'off'.
            tags (list[str] | Unset): Matches items carrying ANY of these tags (exact, case-sensitive). An empty list is no
                tag filter.
            domain (str | Unset): The bitlink's domain (the part of the id before the first `/`), compared
                case-insensitively, no sub-domain matching. A QR code matches through its bitlink;
                QR codes without a bitlink never match a domain filter.
            created_after (int | Unset): Unix seconds, UTC. A JSON integer: no fraction or exponent (`10.0`, `1e3` and
                `true`
                are rejected), no upper bound (a huge value clamps to `now`). `null` is a wrong type,
                never "absent".
            created_before (int | Unset): Unix seconds, UTC. A JSON integer: no fraction or exponent (`10.0`, `1e3` and
                `true`
                are rejected), no upper bound (a huge value clamps to `now`). `null` is a wrong type,
                never "absent".
            campaign_guid (str | Unset): Links in this campaign; a campaign the group does not have selects nothing.
                Type-checked but ignored for `qr_codes_list`.
    """

    query: str | Unset = UNSET
    archived: ExportFilterArchived | Unset = "off"
    tags: list[str] | Unset = UNSET
    domain: str | Unset = UNSET
    created_after: int | Unset = UNSET
    created_before: int | Unset = UNSET
    campaign_guid: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        query = self.query

        archived: str | Unset = UNSET
        if not isinstance(self.archived, Unset):
            archived = self.archived

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        domain = self.domain

        created_after = self.created_after

        created_before = self.created_before

        campaign_guid = self.campaign_guid

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if query is not UNSET:
            field_dict["query"] = query
        if archived is not UNSET:
            field_dict["archived"] = archived
        if tags is not UNSET:
            field_dict["tags"] = tags
        if domain is not UNSET:
            field_dict["domain"] = domain
        if created_after is not UNSET:
            field_dict["created_after"] = created_after
        if created_before is not UNSET:
            field_dict["created_before"] = created_before
        if campaign_guid is not UNSET:
            field_dict["campaign_guid"] = campaign_guid

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        query = d.pop("query", UNSET)

        _archived = d.pop("archived", UNSET)
        archived: ExportFilterArchived | Unset
        if isinstance(_archived, Unset):
            archived = UNSET
        else:
            archived = check_export_filter_archived(_archived)

        tags = cast(list[str], d.pop("tags", UNSET))

        domain = d.pop("domain", UNSET)

        created_after = d.pop("created_after", UNSET)

        created_before = d.pop("created_before", UNSET)

        campaign_guid = d.pop("campaign_guid", UNSET)

        export_filter = cls(
            query=query,
            archived=archived,
            tags=tags,
            domain=domain,
            created_after=created_after,
            created_before=created_before,
            campaign_guid=campaign_guid,
        )

        return export_filter
