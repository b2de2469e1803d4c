from enum import StrEnum


class ExportFilterArchived(StrEnum):
    BOTH = "both"
    OFF = "off"
    ON = "on"

    def __str__(self) -> str:
        return str(self.value)
