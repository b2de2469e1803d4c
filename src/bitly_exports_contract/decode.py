"""Decoding an export, as the generated client ships it (`bitly_exports_client.decode`)."""

from bitly_exports_client.decode import (
    DATA_URI_PREFIX,
    DecodedExport,
    ExportDecodeError,
    decode_export,
)

__all__ = ["DATA_URI_PREFIX", "DecodedExport", "ExportDecodeError", "decode_export"]
