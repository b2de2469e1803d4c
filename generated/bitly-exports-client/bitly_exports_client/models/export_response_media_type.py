from enum import StrEnum


class ExportResponseMediaType(StrEnum):
    TEXTCSV = "text/csv"

    def __str__(self) -> str:
        return str(self.value)
