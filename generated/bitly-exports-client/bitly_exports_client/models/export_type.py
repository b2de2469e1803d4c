from enum import StrEnum


class ExportType(StrEnum):
    LINKS_LIST = "links_list"
    LINK_ENGAGEMENTS_BATCH = "link_engagements_batch"
    QR_CODES_LIST = "qr_codes_list"

    def __str__(self) -> str:
        return str(self.value)
