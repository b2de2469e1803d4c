from enum import StrEnum


class QrCodesListRequestExportType(StrEnum):
    QR_CODES_LIST = "qr_codes_list"

    def __str__(self) -> str:
        return str(self.value)
