from typing import Literal

ErrorResource = Literal["groups"]

ERROR_RESOURCE_VALUES: set[ErrorResource] = {
    "groups",
}


def check_error_resource(value: str) -> ErrorResource:
    if value in ERROR_RESOURCE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ERROR_RESOURCE_VALUES!r}")
