from typing import Literal

ExportResponseMediaType = Literal["text/csv"]

EXPORT_RESPONSE_MEDIA_TYPE_VALUES: set[ExportResponseMediaType] = {
    "text/csv",
}


def check_export_response_media_type(value: str) -> ExportResponseMediaType:
    if value in EXPORT_RESPONSE_MEDIA_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EXPORT_RESPONSE_MEDIA_TYPE_VALUES!r}")
