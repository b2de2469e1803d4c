from typing import Literal

UnprocessableEntityMessage = Literal["UNPROCESSABLE_ENTITY"]

UNPROCESSABLE_ENTITY_MESSAGE_VALUES: set[UnprocessableEntityMessage] = {
    "UNPROCESSABLE_ENTITY",
}


def check_unprocessable_entity_message(value: str) -> UnprocessableEntityMessage:
    if value in UNPROCESSABLE_ENTITY_MESSAGE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {UNPROCESSABLE_ENTITY_MESSAGE_VALUES!r}")
