from typing import Literal

LinkEngagementsBatchByBitlinksRequestExportType = Literal["link_engagements_batch"]

LINK_ENGAGEMENTS_BATCH_BY_BITLINKS_REQUEST_EXPORT_TYPE_VALUES: set[LinkEngagementsBatchByBitlinksRequestExportType] = {
    "link_engagements_batch",
}


def check_link_engagements_batch_by_bitlinks_request_export_type(
    value: str,
) -> LinkEngagementsBatchByBitlinksRequestExportType:
    if value in LINK_ENGAGEMENTS_BATCH_BY_BITLINKS_REQUEST_EXPORT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LINK_ENGAGEMENTS_BATCH_BY_BITLINKS_REQUEST_EXPORT_TYPE_VALUES!r}"
    )
