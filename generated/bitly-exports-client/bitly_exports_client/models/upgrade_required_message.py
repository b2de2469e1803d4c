from typing import Literal

UpgradeRequiredMessage = Literal["UPGRADE_REQUIRED"]

UPGRADE_REQUIRED_MESSAGE_VALUES: set[UpgradeRequiredMessage] = {
    "UPGRADE_REQUIRED",
}


def check_upgrade_required_message(value: str) -> UpgradeRequiredMessage:
    if value in UPGRADE_REQUIRED_MESSAGE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {UPGRADE_REQUIRED_MESSAGE_VALUES!r}")
