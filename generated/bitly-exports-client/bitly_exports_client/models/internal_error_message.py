from typing import Literal

InternalErrorMessage = Literal["INTERNAL_ERROR"]

INTERNAL_ERROR_MESSAGE_VALUES: set[InternalErrorMessage] = {
    "INTERNAL_ERROR",
}


def check_internal_error_message(value: str) -> InternalErrorMessage:
    if value in INTERNAL_ERROR_MESSAGE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {INTERNAL_ERROR_MESSAGE_VALUES!r}")
