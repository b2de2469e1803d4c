from enum import StrEnum


class TemporarilyUnavailableMessage(StrEnum):
    TEMPORARILY_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE"

    def __str__(self) -> str:
        return str(self.value)
