from enum import StrEnum


class ErrorResource(StrEnum):
    GROUPS = "groups"

    def __str__(self) -> str:
        return str(self.value)
