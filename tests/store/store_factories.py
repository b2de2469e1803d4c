"""Small hand-built datasets and a brute-force reading of the contract's matching rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bitly_exports_contract.store import Dataset, Engagement, Group, ItemFilter, Link, QrCode, Store, Token

GUID = "Bgroup00001"
OTHER = "Bgroup00002"
NOW = 1_764_115_200


def link(
    ident: str,
    *,
    title: str | None = None,
    long_url: str = "https://example.com/",
    created: int = 1000,
    archived: bool = False,
    tags: Sequence[str] = (),
    campaigns: Sequence[str] = (),
) -> Link:
    return Link(ident, title, long_url, created, archived, tuple(tags), tuple(campaigns))


def qr(
    ident: str,
    *,
    title: str | None = None,
    bitlink: str | None = None,
    long_url: str = "https://example.com/qr",
    created: int = 1000,
    archived: bool = False,
    tags: Sequence[str] = (),
) -> QrCode:
    kind = "bitlink" if bitlink else "long_url"
    return QrCode(ident, title, kind, bitlink, long_url, created, archived, tuple(tags))


def dataset(
    *,
    links: Iterable[Link] = (),
    qr_codes: Iterable[QrCode] = (),
    campaigns: Sequence[str] = (),
    engagements: Iterable[Engagement] = (),
    other_links: Iterable[Link] = (),
    other_campaigns: Sequence[str] = (),
    other_engagements: Iterable[Engagement] = (),
    now: int | None = NOW,
) -> Dataset:
    groups = (
        Group(GUID, tuple(campaigns), tuple(links), tuple(qr_codes), tuple(engagements)),
        Group(OTHER, tuple(other_campaigns), tuple(other_links), (), tuple(other_engagements)),
    )
    tokens = (Token("tok-premium", "premium", (GUID, OTHER), None),)
    return Dataset(now=now, tokens=tokens, groups=groups)


def store_of(**kwargs: object) -> Store:
    return Store.build(dataset(**kwargs))  # type: ignore[arg-type]


def find_ids(store: Store, flt: ItemFilter, *, limit: int = 1001, group: str = GUID) -> list[str]:
    return [row.id for row in store.find_links(group=group, flt=flt, limit=limit)]


def find_qr_ids(store: Store, flt: ItemFilter, *, limit: int = 1001, group: str = GUID) -> list[str]:
    return [row.id for row in store.find_qr_codes(group=group, flt=flt, limit=limit)]


def _common(
    flt: ItemFilter, *, archived: bool, created: int, tags: Sequence[str], texts: Sequence[str | None]
) -> bool:
    if flt.archived == "on" and not archived or flt.archived == "off" and archived:
        return False
    if flt.created_after is not None and created < flt.created_after:
        return False
    if flt.created_before is not None and created >= flt.created_before:
        return False
    if flt.tags and not set(flt.tags) & set(tags):
        return False
    if flt.query is not None:
        q = flt.query.lower()
        return any(q in text.lower() for text in [*texts, *tags] if text is not None)
    return True


def reference_links(group: Group, flt: ItemFilter, limit: int) -> list[str]:
    """CONTRACT sections 1, 2 and 7 read literally, for links."""
    hits = [
        item
        for item in group.links
        if _common(
            flt,
            archived=item.archived,
            created=item.created,
            tags=item.tags,
            texts=(item.title, item.long_url, item.id),
        )
        and (flt.domain is None or item.id.split("/", 1)[0].lower() == flt.domain.lower())
        and (flt.campaign_guid is None or flt.campaign_guid in item.campaign_guids)
    ]
    hits.sort(key=lambda item: (-item.created, item.id))
    return [item.id for item in hits[:limit]]


def reference_qr_codes(group: Group, flt: ItemFilter, limit: int) -> list[str]:
    """CONTRACT sections 1, 2 and 7 read literally, for QR codes."""
    hits = [
        item
        for item in group.qr_codes
        if _common(
            flt,
            archived=item.archived,
            created=item.created,
            tags=item.tags,
            texts=(item.title, item.long_url, item.bitlink, item.id),
        )
        and (
            flt.domain is None
            or item.bitlink is not None
            and item.bitlink.split("/", 1)[0].lower() == flt.domain.lower()
        )
    ]
    hits.sort(key=lambda item: (-item.created, item.id))
    return [item.id for item in hits[:limit]]
