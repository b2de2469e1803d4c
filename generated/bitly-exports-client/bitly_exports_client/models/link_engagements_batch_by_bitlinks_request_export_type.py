from enum import StrEnum


class LinkEngagementsBatchByBitlinksRequestExportType(StrEnum):
    LINK_ENGAGEMENTS_BATCH = "link_engagements_batch"

    def __str__(self) -> str:
        return str(self.value)
