from typing import Literal

LinkEngagementsBatchByFilterRequestExportType = Literal["link_engagements_batch"]

LINK_ENGAGEMENTS_BATCH_BY_FILTER_REQUEST_EXPORT_TYPE_VALUES: set[LinkEngagementsBatchByFilterRequestExportType] = {
    "link_engagements_batch",
}


def check_link_engagements_batch_by_filter_request_export_type(
    value: str,
) -> LinkEngagementsBatchByFilterRequestExportType:
    if value in LINK_ENGAGEMENTS_BATCH_BY_FILTER_REQUEST_EXPORT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LINK_ENGAGEMENTS_BATCH_BY_FILTER_REQUEST_EXPORT_TYPE_VALUES!r}"
    )
