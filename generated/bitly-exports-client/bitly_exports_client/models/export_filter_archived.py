from typing import Literal

ExportFilterArchived = Literal["both", "off", "on"]

EXPORT_FILTER_ARCHIVED_VALUES: set[ExportFilterArchived] = {
    "both",
    "off",
    "on",
}


def check_export_filter_archived(value: str) -> ExportFilterArchived:
    if value in EXPORT_FILTER_ARCHIVED_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EXPORT_FILTER_ARCHIVED_VALUES!r}")
