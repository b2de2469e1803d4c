"""The data layer: datasets from fixtures or seeds, and the SQLite store the server reads."""

from .dataset import BITLINK_ID_RE, TIERS, Dataset, Engagement, Group, Link, QrCode, Token
from .db import ItemFilter, LinkRow, QrRow, Store, StoreError
from .fixture import FixtureError, dump_fixture, load_fixture, parse_fixture
from .seed import seed_dataset

__all__ = [
    "BITLINK_ID_RE",
    "TIERS",
    "Dataset",
    "Engagement",
    "FixtureError",
    "Group",
    "ItemFilter",
    "Link",
    "LinkRow",
    "QrCode",
    "QrRow",
    "Store",
    "StoreError",
    "Token",
    "dump_fixture",
    "load_fixture",
    "parse_fixture",
    "seed_dataset",
]
