from typing import Literal

ExportType = Literal["link_engagements_batch", "links_list", "qr_codes_list"]

EXPORT_TYPE_VALUES: set[ExportType] = {
    "link_engagements_batch",
    "links_list",
    "qr_codes_list",
}


def check_export_type(value: str) -> ExportType:
    if value in EXPORT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EXPORT_TYPE_VALUES!r}")
