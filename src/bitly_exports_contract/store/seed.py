"""A deterministic, realistic dataset generated from a seed number."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate

from . import seed_vocab as vocab
from .dataset import Dataset, Engagement, EngagementRow, Group, Link, QrCode, Token

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_YEAR = 365 * 86400
_HISTORY = 3 * _YEAR
_SMALL_GROUPS = (50, 40)
_DOMAIN_NAMES = tuple(name for name, _ in vocab.DOMAINS)
_DOMAIN_CUM = tuple(accumulate(weight for _, weight in vocab.DOMAINS))


class SeededEngagements:
    """Engagement rows of one group, regenerated from a seed on every pass so huge sets stay out of memory."""

    __slots__ = ("_seed", "_targets", "_now")

    def __init__(self, *, seed: int, targets: tuple[tuple[str, bool], ...], now: int) -> None:
        self._seed = seed
        self._targets = targets  # (id, is_qr_code), links first
        self._now = now

    def rows(self) -> Iterator[EngagementRow]:
        """Yield (target, at, clicks, scans, button_clicks), grouped by target, `at` ascending."""
        rng = random.Random(self._seed)
        bits, real = rng.getrandbits, rng.random
        last_hour = self._now // 3600
        first_hour = -(-(self._now - _HISTORY) // 3600)
        span = last_hour - first_hour + 1
        # Rows exactly on each tier's window edge and at `now`, for the first few targets.
        edges = sorted({self._now - days * 86400 for days in (30, 120, 365, 730)} | {self._now})
        edges = [at for at in edges if at % 3600 == 0]
        for index, (target, is_qr) in enumerate(self._targets):
            count = 0 if real() < 0.15 else 1 + bits(5) + bits(4)
            hours = sorted((first_hour + bits(32) % span) * 3600 for _ in range(count))
            if index < 3:
                hours = sorted(hours + edges)
            for at in hours:
                v = bits(10)  # one draw a row: clicks, scans and button clicks come from its bits
                if is_qr:
                    yield target, at, v & (v >> 1) & 1, 1 + (v >> 2 & 7), 0
                else:
                    yield target, at, v & 15, (v >> 4 & 3) if v >> 6 & 1 else 0, int(v >> 7 == 7)

    def __iter__(self) -> Iterator[Engagement]:
        return (Engagement(t, at, c, s, b) for t, at, c, s, b in self.rows())

    def __eq__(self, other: object) -> bool:
        """Equal to a list or tuple of the same rows, so a dumped and reloaded dataset compares equal."""
        if isinstance(other, SeededEngagements):
            return (self._seed, self._targets, self._now) == (other._seed, other._targets, other._now)
        if isinstance(other, tuple | list):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"SeededEngagements(seed={self._seed}, targets={len(self._targets)}, now={self._now})"


class _Generator:
    def __init__(self, seed: int, now: int) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.used: set[str] = set()

    def unique(self, make: str) -> str:
        while True:
            ident = make + "".join(self.rng.choices(_ALNUM, k=10))
            if ident not in self.used:
                self.used.add(ident)
                return ident

    def title(self, serial: int) -> str | None:
        roll = self.rng.random()
        if roll < 0.08:
            return None
        if roll < 0.22:
            return self.rng.choice(vocab.SPECIAL_TITLES)
        return f"{self.rng.choice(vocab.ADJECTIVES)} {self.rng.choice(vocab.NOUNS)} #{serial}"

    def long_url(self, serial: int) -> str:
        rng = self.rng
        url = f"https://{rng.choice(vocab.SITES)}/{rng.choice(vocab.SECTIONS)}/{serial:x}{rng.getrandbits(20):05x}"
        if rng.random() < 0.4:
            source = rng.choice(("email", "twitter", "print"))
            url += f"?utm_source={source}&utm_campaign={rng.choice(vocab.NOUNS)}"
        return url

    def tags(self) -> tuple[str, ...]:
        count = self.rng.choices((0, 1, 2, 3), weights=(35, 35, 20, 10))[0]
        return tuple(self.rng.sample(vocab.TAGS, count))

    def link_id(self) -> str:
        rng = self.rng
        domain = _DOMAIN_NAMES[bisect(_DOMAIN_CUM, rng.randrange(_DOMAIN_CUM[-1]))]
        while True:
            if domain != "bit.ly" and rng.random() < 0.3:
                suffix = "" if rng.random() < 0.2 else str(rng.randrange(1000))
                back = rng.choice(vocab.CUSTOM_BACKHALVES) + suffix
            else:
                back = "".join(rng.choices(_ALNUM, k=7))
            ident = f"{domain}/{back}"
            if ident not in self.used:
                self.used.add(ident)
                return ident

    def case_variant(self, ident: str) -> str | None:
        domain, back = ident.split("/", 1)
        variant = f"{domain}/{back.swapcase()}"
        if variant == ident or variant in self.used:
            return None
        self.used.add(variant)
        return variant

    def created(self, previous: list[int]) -> int:
        if previous and self.rng.random() < 0.05:
            return self.rng.choice(previous)  # identical timestamps: ties ordered by id
        return self.now - self.rng.randrange(_HISTORY)

    def links(self, count: int, campaigns: tuple[str, ...]) -> list[Link]:
        rng = self.rng
        out: list[Link] = []
        created: list[int] = []
        variants = {count * k // 7 + 1 for k in range(1, 6)} if count >= 20 else set()
        for serial in range(count):
            ident = None
            if serial in variants and out:
                ident = self.case_variant(out[-1].id)
            ident = ident or self.link_id()
            stamp = self.created(created)
            created.append(stamp)
            how_many = min(len(campaigns), rng.choices((0, 1, 2), weights=(55, 35, 10))[0])
            out.append(
                Link(
                    id=ident,
                    title=self.title(serial),
                    long_url=self.long_url(serial),
                    created=stamp,
                    archived=rng.random() < 0.15,
                    tags=self.tags(),
                    campaign_guids=tuple(rng.sample(campaigns, how_many)),
                )
            )
        return out

    def qr_codes(self, links: list[Link]) -> list[QrCode]:
        rng = self.rng
        out: list[QrCode] = []
        for serial in range(round(len(links) * 0.1)):
            link = rng.choice(links) if rng.random() < 0.65 else None
            earliest = link.created if link else self.now - _HISTORY
            out.append(
                QrCode(
                    id=self.unique("Q"),
                    title=self.title(serial),
                    qr_code_type="bitlink" if link else "long_url",
                    bitlink=link.id if link else None,
                    long_url=link.long_url if link else self.long_url(serial),
                    created=earliest + rng.randrange(self.now - earliest + 1),
                    archived=rng.random() < 0.15,
                    tags=self.tags(),
                )
            )
        return out

    def group(self, link_count: int, campaign_count: int) -> Group:
        guid = self.unique("B")
        campaigns = tuple(self.unique("C") for _ in range(campaign_count))
        links = self.links(link_count, campaigns)
        qr_codes = self.qr_codes(links)
        targets = tuple((link.id, False) for link in links) + tuple((qr.id, True) for qr in qr_codes)
        engagements = SeededEngagements(seed=self.rng.getrandbits(64), targets=targets, now=self.now)
        return Group(guid, campaigns, tuple(links), tuple(qr_codes), engagements)


def seeded_token(role: str) -> str:
    """The seeded data set's token of a role: a tier (`premium`), `other` (sees the second group only)
    or `limited` (5 requests a minute). Programs that start a server read them from its ready line."""
    return f"tok-{role}"


def seed_dataset(seed: int, *, links: int = 2000, now: int = 1764115200) -> Dataset:
    """Generate the same dataset for the same arguments: one big group of `links` links and two small ones."""
    if links < 0:
        raise ValueError(f"links must be >= 0, got {links}")
    gen = _Generator(seed, now)
    groups = (gen.group(links, 8), gen.group(_SMALL_GROUPS[0], 3), gen.group(_SMALL_GROUPS[1], 2))
    every = tuple(group.guid for group in groups)
    tokens = tuple(
        Token(token=seeded_token(tier), tier=tier, groups=every, rate_limit_per_minute=None)
        for tier in ("free", "core", "growth", "premium", "enterprise")
    ) + (
        Token(
            token=seeded_token("other"), tier="premium", groups=(groups[1].guid,), rate_limit_per_minute=None
        ),
        Token(
            token=seeded_token("limited"), tier="premium", groups=(groups[0].guid,), rate_limit_per_minute=5
        ),
    )
    return Dataset(now=now, tokens=tokens, groups=groups)
