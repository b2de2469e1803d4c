from enum import StrEnum


class PayloadTooLargeMessage(StrEnum):
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"

    def __str__(self) -> str:
        return str(self.value)
