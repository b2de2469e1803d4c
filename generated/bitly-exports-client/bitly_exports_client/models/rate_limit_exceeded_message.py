from enum import StrEnum


class RateLimitExceededMessage(StrEnum):
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"

    def __str__(self) -> str:
        return str(self.value)
