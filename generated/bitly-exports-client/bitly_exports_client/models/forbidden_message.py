from typing import Literal

ForbiddenMessage = Literal["FORBIDDEN"]

FORBIDDEN_MESSAGE_VALUES: set[ForbiddenMessage] = {
    "FORBIDDEN",
}


def check_forbidden_message(value: str) -> ForbiddenMessage:
    if value in FORBIDDEN_MESSAGE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FORBIDDEN_MESSAGE_VALUES!r}")
