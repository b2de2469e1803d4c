from typing import Literal

RateLimitExceededMessage = Literal["RATE_LIMIT_EXCEEDED"]

RATE_LIMIT_EXCEEDED_MESSAGE_VALUES: set[RateLimitExceededMessage] = {
    "RATE_LIMIT_EXCEEDED",
}


def check_rate_limit_exceeded_message(value: str) -> RateLimitExceededMessage:
    if value in RATE_LIMIT_EXCEEDED_MESSAGE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {RATE_LIMIT_EXCEEDED_MESSAGE_VALUES!r}")
