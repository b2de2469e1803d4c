"""Contains all the data models used in inputs/outputs"""

from .bad_request import BadRequest
from .error import Error
from .error_resource import ErrorResource
from .export_filter import ExportFilter
from .export_filter_archived import ExportFilterArchived
from .export_response import ExportResponse
from .export_response_media_type import ExportResponseMediaType
from .export_type import ExportType
from .field_error import FieldError
from .forbidden import Forbidden
from .forbidden_message import ForbiddenMessage
from .internal_error import InternalError
from .internal_error_message import InternalErrorMessage
from .link_engagements_batch_by_bitlinks_request import LinkEngagementsBatchByBitlinksRequest
from .link_engagements_batch_by_bitlinks_request_export_type import LinkEngagementsBatchByBitlinksRequestExportType
from .link_engagements_batch_by_filter_request import LinkEngagementsBatchByFilterRequest
from .link_engagements_batch_by_filter_request_export_type import LinkEngagementsBatchByFilterRequestExportType
from .links_list_request import LinksListRequest
from .links_list_request_export_type import LinksListRequestExportType
from .payload_too_large import PayloadTooLarge
from .payload_too_large_message import PayloadTooLargeMessage
from .qr_codes_list_request import QrCodesListRequest
from .qr_codes_list_request_export_type import QrCodesListRequestExportType
from .rate_limit_exceeded import RateLimitExceeded
from .rate_limit_exceeded_message import RateLimitExceededMessage
from .temporarily_unavailable import TemporarilyUnavailable
from .temporarily_unavailable_message import TemporarilyUnavailableMessage
from .unprocessable_entity import UnprocessableEntity
from .unprocessable_entity_message import UnprocessableEntityMessage
from .upgrade_required import UpgradeRequired
from .upgrade_required_message import UpgradeRequiredMessage

__all__ = (
    "BadRequest",
    "Error",
    "ErrorResource",
    "ExportFilter",
    "ExportFilterArchived",
    "ExportResponse",
    "ExportResponseMediaType",
    "ExportType",
    "FieldError",
    "Forbidden",
    "ForbiddenMessage",
    "InternalError",
    "InternalErrorMessage",
    "LinkEngagementsBatchByBitlinksRequest",
    "LinkEngagementsBatchByBitlinksRequestExportType",
    "LinkEngagementsBatchByFilterRequest",
    "LinkEngagementsBatchByFilterRequestExportType",
    "LinksListRequest",
    "LinksListRequestExportType",
    "PayloadTooLarge",
    "PayloadTooLargeMessage",
    "QrCodesListRequest",
    "QrCodesListRequestExportType",
    "RateLimitExceeded",
    "RateLimitExceededMessage",
    "TemporarilyUnavailable",
    "TemporarilyUnavailableMessage",
    "UnprocessableEntity",
    "UnprocessableEntityMessage",
    "UpgradeRequired",
    "UpgradeRequiredMessage",
)
