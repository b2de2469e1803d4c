from enum import StrEnum


class LinkEngagementsBatchByFilterRequestExportType(StrEnum):
    LINK_ENGAGEMENTS_BATCH = "link_engagements_batch"

    def __str__(self) -> str:
        return str(self.value)
