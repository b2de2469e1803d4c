from typing import Literal

PayloadTooLargeMessage = Literal["PAYLOAD_TOO_LARGE"]

PAYLOAD_TOO_LARGE_MESSAGE_VALUES: set[PayloadTooLargeMessage] = {
    "PAYLOAD_TOO_LARGE",
}


def check_payload_too_large_message(value: str) -> PayloadTooLargeMessage:
    if value in PAYLOAD_TOO_LARGE_MESSAGE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PAYLOAD_TOO_LARGE_MESSAGE_VALUES!r}")
