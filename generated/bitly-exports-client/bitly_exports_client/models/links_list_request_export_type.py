from typing import Literal

LinksListRequestExportType = Literal["links_list"]

LINKS_LIST_REQUEST_EXPORT_TYPE_VALUES: set[LinksListRequestExportType] = {
    "links_list",
}


def check_links_list_request_export_type(value: str) -> LinksListRequestExportType:
    if value in LINKS_LIST_REQUEST_EXPORT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LINKS_LIST_REQUEST_EXPORT_TYPE_VALUES!r}")
