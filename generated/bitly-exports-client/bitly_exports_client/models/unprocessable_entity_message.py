from enum import StrEnum


class UnprocessableEntityMessage(StrEnum):
    UNPROCESSABLE_ENTITY = "UNPROCESSABLE_ENTITY"

    def __str__(self) -> str:
        return str(self.value)
