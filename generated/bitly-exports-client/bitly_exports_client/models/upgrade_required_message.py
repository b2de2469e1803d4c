from enum import StrEnum


class UpgradeRequiredMessage(StrEnum):
    UPGRADE_REQUIRED = "UPGRADE_REQUIRED"

    def __str__(self) -> str:
        return str(self.value)
