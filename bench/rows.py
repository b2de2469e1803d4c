"""The store's row factory beside keyword construction: ms to make 1,000 link rows (prints figures).

    python bench/rows.py [--repeat 21]

`LINK_ITEMS.make` builds rows by name (the positions worked out once from the column names, then
column-wise with zip/map); the keyword version is what a comprehension calling `LinkRow(id=..., ...)`
per row costs. Both make the same rows (checked before timing).
"""

from __future__ import annotations

import argparse
import timeit

from bitly_exports_contract.store.items import CONVERT, LINK_ITEMS, Cached
from bitly_exports_contract.store.rows import LinkRow

ROWS = [
    (f"bit.ly/x{i}", i, 1, f"title {i}", f"https://e.com/{i}", 1_700_000_000 + i, i % 2, '["a","b"]')
    for i in range(1000)
]


def by_keyword(rows: list[tuple[object, ...]]) -> dict[str, Cached]:
    return {
        id: Cached(
            gkey,
            key,
            LinkRow(
                id=id,
                title=title,
                long_url=long_url,
                created=created,
                archived=archived == 1,
                tags=CONVERT["tags"](tags),
            ),
        )
        for id, key, gkey, title, long_url, created, archived, tags in rows  # type: ignore[misc]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=21, help="timed runs of 100 calls (the median is shown)"
    )
    args = parser.parse_args()
    assert LINK_ITEMS.make(ROWS) == by_keyword(ROWS), "the two factories must make the same rows"
    for name, make in (
        ("store row factory (by name, column-wise)", LINK_ITEMS.make),
        ("keyword", by_keyword),
    ):
        runs = sorted(timeit.repeat(lambda make=make: make(ROWS), number=100, repeat=args.repeat))
        print(
            f"{name:<42} {runs[len(runs) // 2] / 100 * 1e3:.3f} ms per 1,000 rows (median of {args.repeat})"
        )


if __name__ == "__main__":
    main()
