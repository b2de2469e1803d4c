"""Relations of the filters: what each selects, compared across requests and with discovery."""

from __future__ import annotations

from typing import Any

from bitly_exports_contract.kit.discover import Item
from bitly_exports_contract.kit.relations._base import (
    Inapplicable,
    RelationBroken,
    View,
    World,
    links_body,
    relation,
)
from bitly_exports_contract.kit.relations.oracle import Expected, expected_ids, expected_rows, has_bitlink
from bitly_exports_contract.kit.request_view import BATCH, LINKS, QR_CODES
from bitly_exports_contract.spec import figures

NO_METRICS_CAP = figures().row_cap(metrics=False)


def selects(view: View, expected: Expected | list[str], what: str) -> None:
    """The export holds the expected rows, in order, cut at its cap.

    With items the rows leave open (`Expected.maybe`), the export holds some match set between the
    certain rows and the certain and open ones together, in the contract's order, cut at the cap.
    """
    cap = (
        NO_METRICS_CAP
        if "clicks" not in (view.body.get("columns") or [])
        else figures().row_cap(metrics=True)
    )
    if not isinstance(expected, Expected) or not expected.maybe:
        want = list(expected)[:cap]
        truncated = len(expected) > cap
        if view.ids != want or view.truncated != truncated:
            missing = [i for i in want if i not in set(view.ids)][:5]
            extra = [i for i in view.ids if i not in set(want)][:5]
            raise RelationBroken(
                f"{what}: expected {len(want)} rows (truncated {truncated}), got {len(view.ids)} "
                f"(truncated {view.truncated}); missing {missing}, unexpected {extra}",
                view.exchange,
            )
        return
    got = view.ids
    extra = [i for i in got if i not in expected.keys][:5]
    keys = [expected.keys[i] for i in got if i in expected.keys]
    problem = None
    if extra:
        problem = f"unexpected rows {extra}"
    elif len(set(got)) != len(got) or keys != sorted(keys):
        problem = "rows out of the contract's order or repeated"
    else:
        # The rows are a prefix of the ordered match set: no certain row before the last one is missing.
        last = keys[-1] if keys else None
        cut = len(got) == cap
        missing = [
            i
            for i in expected.ids
            if i not in set(got) and (not cut or last is None or expected.keys[i] < last)
        ][:5]
        most = len(expected.ids) + len(expected.maybe)
        if missing:
            problem = f"missing {missing}"
        elif view.truncated and len(got) != cap or len(expected.ids) > cap and not view.truncated:
            problem = f"truncated {view.truncated} with {len(got)} rows and cap {cap}"
        elif view.truncated and most <= cap:
            problem = f"truncated, though at most {most} items can match"
    if problem is not None:
        raise RelationBroken(
            f"{what}: {len(expected.ids)} rows must match and {len(expected.maybe)} may; got "
            f"{len(got)} (truncated {view.truncated}): {problem}",
            view.exchange,
        )


def recent_window(items: tuple[Item, ...], size: int) -> int:
    """A `created_after` that keeps at most `size` of the items, and as many as it can."""
    ordered = sorted(items, key=lambda i: i.order_key)
    if len(ordered) <= size:
        return 0
    cut = ordered[size].created  # the first item left out
    return cut + 1


def same_bytes(a: View, b: View, what: str) -> None:
    if a.csv_bytes != b.csv_bytes or a.body.get("row_count") != b.body.get("row_count"):
        raise RelationBroken(
            f"{what}: the two CSVs differ ({a.body.get('row_count')} vs {b.body.get('row_count')} rows)",
            b.exchange,
        )


@relation("§1: `filter.archived` | `off` (default) unarchived only")
def archived_absent_equals_off(world: World) -> None:
    for export_type in (LINKS, QR_CODES):
        absent = world.ok({"export_type": export_type, "filter": {}})
        off = world.ok({"export_type": export_type, "filter": {"archived": "off"}})
        same_bytes(absent, off, f"{export_type}: no `archived` vs `archived: off`")


@relation(
    "§1: `filter.archived` | `on` archived only, `off` (default) unarchived only, `both` all",
    source="documented",
)
def archived_on_and_off_make_both(world: World) -> None:
    for export_type, items in ((LINKS, world.links()), (QR_CODES, world.qr_codes())):
        window = {"created_after": recent_window(items, NO_METRICS_CAP)}
        views = {
            state: world.ok({"export_type": export_type, "filter": {"archived": state, **window}})
            for state in ("on", "off", "both")
        }
        on, off, both = (set(views[state].ids) for state in ("on", "off", "both"))
        if on & off:
            raise RelationBroken(
                f"{export_type}: rows both archived and not: {sorted(on & off)[:5]}", views["on"].exchange
            )
        if on | off != both:
            raise RelationBroken(
                f"{export_type}: on ∪ off has {len(on | off)} rows, both has {len(both)}",
                views["both"].exchange,
            )
        for state, view in views.items():
            selects(
                view, expected_ids(items, {"archived": state, **window}), f"{export_type} archived={state}"
            )


def _two_tags(world: World) -> tuple[str, str]:
    tags = world.discovery.tags()
    if len(tags) < 2:
        raise Inapplicable("fewer than two tags in use")
    return tags[-1], tags[-2]


@relation("§1: `filter.tags` | matches items carrying ANY of the tags (exact, case-sensitive)")
def adding_a_tag_never_shrinks(world: World) -> None:
    items = world.links()
    first, second = _two_tags(world)
    one = world.ok(links_body(tags=[first]))
    both = world.ok(links_body(tags=[first, second]))
    if not set(one.ids) <= set(both.ids) and not both.truncated:
        raise RelationBroken(
            f"tags [{first!r}] selects rows that tags [{first!r}, {second!r}] does not", both.exchange
        )
    selects(one, expected_rows(items, {"archived": "both", "tags": [first]}), f"tags [{first!r}]")
    selects(
        both,
        expected_rows(items, {"archived": "both", "tags": [first, second]}),
        f"tags [{first!r}, {second!r}]",
    )


@relation("§1: `filter.tags` | (exact, case-sensitive)")
def tags_are_exact_and_case_sensitive(world: World) -> None:
    items = world.links()
    used = world.discovery.tags()
    variants = [(tag, tag.swapcase()) for tag in used if tag.swapcase() != tag]
    if not variants:
        raise Inapplicable("no tag has letters")
    for tag, variant in variants[:3]:
        view = world.ok(links_body(tags=[variant]))
        selects(
            view,
            expected_rows(items, {"archived": "both", "tags": [variant]}),
            f"tags [{variant!r}] (of {tag!r})",
        )
    prefix = next((tag[:-1] for tag in used if len(tag) > 1 and tag[:-1] not in used), None)
    if prefix is not None:
        view = world.ok(links_body(tags=[prefix]))
        selects(
            view,
            expected_rows(items, {"archived": "both", "tags": [prefix]}),
            f"tags [{prefix!r}], a prefix of a tag but no tag itself",
        )


@relation("§7: `filter.tags: []` is no tag filter")
def empty_tags_is_no_tag_filter(world: World) -> None:
    same_bytes(world.ok(links_body()), world.ok(links_body(tags=[])), "no tags vs tags []")


@relation(
    "§1: `filter.created_after` | created at or after (inclusive); `filter.created_before` | created "
    "strictly before (exclusive)",
    source="documented",
)
def created_after_inclusive_created_before_exclusive(world: World) -> None:
    items = world.links()
    if not items:
        raise Inapplicable("the group has no links")
    sample = items[len(items) // 3]
    moment = sample.created
    for filter_ in (
        {"created_after": moment},
        {"created_before": moment},
        {"created_after": moment + 1},
        {"created_before": moment + 1},
        {"created_after": moment, "created_before": moment + 1},
    ):
        view = world.ok(links_body(**filter_))
        expected = expected_ids(items, {"archived": "both", **filter_})
        inside = sample.id in expected
        if (sample.id in view.ids) != inside and (inside is False or not view.truncated):
            raise RelationBroken(
                f"{filter_}: {sample.id}, created {moment}, is {'missing' if inside else 'present'}",
                view.exchange,
            )
        selects(view, expected, f"{filter_}")


@relation(
    "§1: `created_after >= created_before` likewise matches nothing; A filter that matches nothing is not "
    "an error: it is an export with a header row and `row_count: 0`"
)
def created_after_not_before_matches_nothing(world: World) -> None:
    items = world.links(complete=False)
    moment = items[0].created if items else world.discovery.now
    for filter_ in (
        {"created_after": moment, "created_before": moment},
        {"created_after": moment + 10, "created_before": moment},
    ):
        view = world.ok(links_body(**filter_))
        if view.ids or view.body.get("row_count") != 0 or view.truncated:
            raise RelationBroken(f"{filter_} selects {len(view.ids)} rows", view.exchange)


def _title_fragment(items: tuple[Item, ...]) -> str:
    """A piece of a title with letters that change case, non-ASCII ones preferred."""
    for prefer_non_ascii in (True, False):
        for item in items:
            for word in item.title.split():
                letters = [ch for ch in word if ch.lower() != ch.upper()]
                if (
                    len(word) >= 3
                    and letters
                    and (not prefer_non_ascii or any(ord(ch) > 127 for ch in letters))
                ):
                    return word[:4]
    raise Inapplicable("no title with letters")


@relation(
    "§1: `filter.query` | case-insensitive substring match; §7: `filter.query` lower-cases both sides "
    "(Python `str.lower()`)"
)
def query_ignores_letter_case(world: World) -> None:
    items = world.links()
    fragment = _title_fragment(items)
    # Each variant selects what its own `str.lower()` finds: `"MASS".lower()` is not `"maß"`, and
    # `"İ".lower()` is two code points; the contract settles on exactly that mapping.
    for q in dict.fromkeys((fragment, fragment.upper(), fragment.lower(), fragment.swapcase())):
        selects(
            world.ok(links_body(query=q)),
            expected_rows(items, {"archived": "both", "query": q}),
            f"query {q!r} (lower-cased {q.lower()!r})",
        )


@relation('§7: `""` matches everything')
def empty_query_matches_everything(world: World) -> None:
    same_bytes(world.ok(links_body()), world.ok(links_body(query="")), 'no query vs query ""')


def _queries(items: tuple[Item, ...]) -> list[str]:
    """Queries that hit each searched field: a tag, a URL piece, a backhalf, a title word."""
    found: list[str] = []
    for item in items:
        if item.tags and not found:
            found.append(item.tags[0].upper())
    found += [items[0].destination.split("/")[-1][:6], items[1 % len(items)].id.split("/")[-1][1:5]]
    found.append(items[2 % len(items)].title[:5])
    return [q for q in found if q]


@relation(
    "§1: `filter.query` | case-insensitive substring match on title, destination URL, bitlink id (or QR "
    "code id) and tags; §7: matches each field and each tag separately"
)
def query_matches_each_field(world: World) -> None:
    items = world.links()
    if len(items) < 3:
        raise Inapplicable("fewer than three links")
    for query in _queries(items):
        selects(
            world.ok(links_body(query=query)),
            expected_rows(items, {"archived": "both", "query": query}),
            f"query {query!r}",
        )
    qr_codes = world.qr_codes()
    for item in qr_codes[:1]:
        for query in (item.id[2:8].lower(), item.title[:4]):
            view = world.ok({"export_type": QR_CODES, "filter": {"archived": "both", "query": query}})
            must = {
                q.id for q in qr_codes if query.lower() in q.id.lower() or query.lower() in q.title.lower()
            }
            if not must <= set(view.ids) and not view.truncated:
                raise RelationBroken(
                    f"QR query {query!r} misses {sorted(must - set(view.ids))[:5]}", view.exchange
                )


@relation(
    "§1: `filter.domain` | the bitlink's domain, case-insensitive; §7: equals the part of the id before the "
    "first `/`, case-insensitively; no sub-domain matching"
)
def domain_ignores_case_not_subdomains(world: World) -> None:
    items = world.links()
    domains = sorted({item.id.split("/", 1)[0] for item in items})
    if not domains:
        raise Inapplicable("no links")
    for domain in domains[:3]:
        expected = expected_rows(items, {"archived": "both", "domain": domain})
        for variant in (domain, domain.upper()):
            selects(world.ok(links_body(domain=variant)), expected, f"domain {variant!r}")
    dotted = next((d for d in domains if d.count(".") >= 2), domains[0])
    known = {domain.lower() for domain in domains}
    for partial in (dotted.split(".", 1)[1], dotted[1:], f"www.{dotted}"):
        if partial.lower() in known:
            continue
        selects(world.ok(links_body(domain=partial)), [], f"domain {partial!r}, part of {dotted!r}")


@relation(
    "§1: `filter.domain` | a QR code matches through its bitlink; QR codes without a bitlink never match a "
    "domain filter"
)
def qr_domain_matches_through_bitlink(world: World) -> None:
    qr_codes = world.qr_codes()
    domains = sorted({item.destination.split("/", 1)[0] for item in qr_codes if has_bitlink(item)})
    if not domains:
        raise Inapplicable("no QR code has a bitlink")
    for domain in domains[:2]:
        view = world.ok({"export_type": QR_CODES, "filter": {"archived": "both", "domain": domain.upper()}})
        selects(
            view,
            expected_rows(qr_codes, {"archived": "both", "domain": domain}),
            f"QR domain {domain.upper()!r}",
        )
    plain = [item for item in qr_codes if not has_bitlink(item)]
    for item in plain[:1]:
        host = item.destination.split("//", 1)[-1].split("/", 1)[0]
        view = world.ok({"export_type": QR_CODES, "filter": {"archived": "both", "domain": host}})
        if item.id in view.ids:
            raise RelationBroken(f"{item.id} has no bitlink yet matches domain {host!r}", view.exchange)


@relation("§1: `filter.campaign_guid` | accepted and ignored for `qr_codes_list`", source="documented")
def qr_campaign_guid_is_ignored(world: World) -> None:
    base: dict[str, Any] = {"export_type": QR_CODES, "filter": {"archived": "both"}}
    with_campaign = {"export_type": QR_CODES, "filter": {"archived": "both", "campaign_guid": "Cq0nexist9Z"}}
    same_bytes(world.ok(base), world.ok(with_campaign), "qr_codes_list without and with campaign_guid")


@relation("§7: A `campaign_guid` the group does not have selects nothing")
def unknown_campaign_selects_nothing(world: World) -> None:
    view = world.ok(links_body(campaign_guid="Cq0nexist9Z"))
    if view.ids:
        raise RelationBroken(f"an unknown campaign selects {len(view.ids)} links", view.exchange)


def _batch_filters(world: World) -> list[dict[str, Any]]:
    """Filters of every kind, each built from what discovery saw, for the batch-versus-list relation."""
    items = world.links()
    found: list[dict[str, Any]] = [{"archived": "on"}]
    if items:
        found.append({"domain": items[0].id.split("/", 1)[0].upper()})
        found.append({"query": items[len(items) // 2].id.split("/")[-1][:4]})
    tags = world.discovery.tags()
    if tags:
        found.append({"tags": tags[:2]})
    campaigns = world.data.campaigns if world.target.fixture is not None else []
    found.append({"campaign_guid": campaigns[0] if campaigns else "Cq0nexist9Z"})
    return found


@relation(
    "§1: `filter` | for `link_engagements_batch` exactly one of `bitlinks` and `filter`; §2: list exports "
    "and filter-based batch exports newest first, cut at the cap (a filter selects the same links whichever "
    "export asks)"
)
def batch_filter_selects_what_the_list_selects(world: World) -> None:
    cap = figures().row_cap(metrics=True)
    for filter_ in _batch_filters(world):
        listed = world.ok(links_body() | {"filter": filter_})
        batch = world.ok({"export_type": BATCH, "filter": filter_})
        more = listed.truncated or len(listed.ids) > cap
        want = listed.ids[:cap]
        if batch.ids != want or batch.truncated is not more:
            differ = next(
                (
                    (n, a, b)
                    for n, (a, b) in enumerate(zip([*batch.ids, None], [*want, None], strict=False))
                    if a != b
                ),
                None,
            )
            raise RelationBroken(
                f"filter {filter_}: the batch export holds {len(batch.ids)} rows (truncated "
                f"{batch.truncated}), the list export's first {cap} are {len(want)} (truncated {more}); "
                "first difference "
                f"(row, batch, list): {differ}",
                batch.exchange,
            )


@relation(
    "§7: Integers ... there is no upper bound (a `created_*` bound past any int64 selects as any other)"
)
def huge_created_bounds_are_bounds(world: World) -> None:
    huge = 10**30
    everything = world.ok(links_body())
    after = world.ok(links_body(created_after=huge))
    if after.ids or after.body.get("row_count") != 0:
        raise RelationBroken(f"created_after 10**30 selects {len(after.ids)} links", after.exchange)
    for filter_ in ({"created_before": huge}, {"created_after": 0, "created_before": huge}):
        view = world.ok(links_body(**filter_))
        same_bytes(everything, view, f"no created filter vs {filter_}")
