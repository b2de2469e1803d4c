"""Word lists the seeded dataset draws from, chosen to exercise CSV quoting, the formula guard and search."""

from __future__ import annotations

DOMAINS = (("bit.ly", 55), ("j.mp", 15), ("acme.co", 15), ("go.example-brand.com", 15))

# Commas, quotes, CR/LF, accents, CJK, emoji, every formula trigger, and a leading tab.
SPECIAL_TITLES = (
    "Sale, 50% off",
    'The "best" deal',
    '"Quoted, with comma"',
    "Line one\r\nLine two",
    "Two\nlines",
    "Café déjà vu",
    "ÉTÉ en fête",
    "Straße und Fluß",
    "東京 イベント",
    "新年快乐 🎉",
    "Launch 🚀 day",
    "ΟΔΟΣ Αθηνών",
    "=SUM(A1)",
    "+1 free month",
    "-2 days left",
    "@x mention",
    "\tTabbed title",
    "\rCarriage return",
    "100% _real_ deal",
    "a OR b NEAR(c) *",
)

ADJECTIVES = (
    "Spring",
    "Summer",
    "Winter",
    "Autumn",
    "New",
    "Big",
    "Flash",
    "Weekly",
    "Annual",
    "Exclusive",
    "Early",
    "Última",
    "Grand",
)
NOUNS = (
    "sale",
    "launch",
    "newsletter",
    "webinar",
    "guide",
    "report",
    "offer",
    "event",
    "catalogue",
    "update",
    "podcast",
    "survey",
    "giveaway",
    "résumé",
)

SITES = (
    "www.example.com",
    "shop.example.org",
    "acme.co",
    "blog.example-brand.com",
    "news.example.net",
    "example.com/Café",
)
SECTIONS = ("products", "blog", "events", "offers", "docs", "p", "landing", "campaigns")

# One tag starts with '@' (formula guard), and 'promo' comes in three cases (case-sensitive tag filter).
TAGS = (
    "promo",
    "Promo",
    "PROMO",
    "spring",
    "newsletter",
    "@partners",
    "social",
    "print",
    "b2b",
    "launch",
    "évènement",
)

CUSTOM_BACKHALVES = (
    "spring-sale",
    "promo_2025",
    "launch",
    "Webinar-Q3",
    "news_letter",
    "deal",
    "go",
    "x-mas",
)
