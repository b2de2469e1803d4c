from typing import Literal

TemporarilyUnavailableMessage = Literal["TEMPORARILY_UNAVAILABLE"]

TEMPORARILY_UNAVAILABLE_MESSAGE_VALUES: set[TemporarilyUnavailableMessage] = {
    "TEMPORARILY_UNAVAILABLE",
}


def check_temporarily_unavailable_message(value: str) -> TemporarilyUnavailableMessage:
    if value in TEMPORARILY_UNAVAILABLE_MESSAGE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TEMPORARILY_UNAVAILABLE_MESSAGE_VALUES!r}")
