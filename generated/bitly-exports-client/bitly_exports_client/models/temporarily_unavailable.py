from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.error_resource import ErrorResource, check_error_resource
from ..models.temporarily_unavailable_message import (
    TemporarilyUnavailableMessage,
    check_temporarily_unavailable_message,
)

if TYPE_CHECKING:
    from ..models.field_error import FieldError


T = TypeVar("T", bound="TemporarilyUnavailable")


@_attrs_define
class TemporarilyUnavailable:
    """TEMPORARILY_UNAVAILABLE

    Attributes:
        message (TemporarilyUnavailableMessage):
        resource (ErrorResource):
        description (str):
        errors (list[FieldError]):
    """

    message: TemporarilyUnavailableMessage
    resource: ErrorResource
    description: str
    errors: list[FieldError]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message: str = self.message

        resource: str = self.resource

        description = self.description

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "resource": resource,
                "description": description,
                "errors": errors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_error import FieldError  # noqa: PLC0415

        d = dict(src_dict)
        message = check_temporarily_unavailable_message(d.pop("message"))

        resource = check_error_resource(d.pop("resource"))

        description = d.pop("description")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = FieldError.from_dict(errors_item_data)

            errors.append(errors_item)

        temporarily_unavailable = cls(
            message=message,
            resource=resource,
            description=description,
            errors=errors,
        )

        temporarily_unavailable.additional_properties = d
        return temporarily_unavailable

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
