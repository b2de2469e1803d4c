from enum import StrEnum


class LinksListRequestExportType(StrEnum):
    LINKS_LIST = "links_list"

    def __str__(self) -> str:
        return str(self.value)
