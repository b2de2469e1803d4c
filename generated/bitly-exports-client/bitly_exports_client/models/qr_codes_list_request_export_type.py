from typing import Literal

QrCodesListRequestExportType = Literal["qr_codes_list"]

QR_CODES_LIST_REQUEST_EXPORT_TYPE_VALUES: set[QrCodesListRequestExportType] = {
    "qr_codes_list",
}


def check_qr_codes_list_request_export_type(value: str) -> QrCodesListRequestExportType:
    if value in QR_CODES_LIST_REQUEST_EXPORT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {QR_CODES_LIST_REQUEST_EXPORT_TYPE_VALUES!r}")
