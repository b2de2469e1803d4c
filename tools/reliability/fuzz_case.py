"""The byte-level fuzz target of the request path: how bytes become a request, and what must hold.

Layout of one input: a selector byte, a chunking byte, then five fields separated by NUL: the group
segment, `Authorization`, `Content-Type`, `Prefer` and the body (the body is the rest and may hold NUL).
The selector picks, bit by bit, a real group or the fuzzed segment, a real token or the fuzzed header,
`application/json` or the fuzzed content type, faults on or off, and POST or GET.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import csv
import io
import types
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

import orjson

from bitly_exports_contract.server import app as app_module
from bitly_exports_contract.server.app import ExportsApp, ServerConfig
from bitly_exports_contract.store.db import Store
from bitly_exports_contract.store.seed import seed_dataset

from .asgi_call import RawRequest, RawResponse, call_app_sync

FIELDS = 5
SEED, LINKS = 3, 300
ERROR_KEYS = frozenset({"message", "resource", "description", "errors"})
EXPORT_KEYS = frozenset(
    {
        "export_type",
        "filename",
        "media_type",
        "data_uri",
        "size_bytes",
        "columns",
        "column_count",
        "row_count",
        "truncated",
    }
)
WINDOW_KEYS = frozenset({"unix_from", "unix_to"})
DATA_URI_PREFIX = "data:text/csv;base64,"
LATENCY_CAP_S = 10.0
# Characters both HTTP parsers (httptools, h11) let through in a request target, minus those ending a segment.
_TARGET_SAFE = frozenset(range(0x21, 0x7F)) - set(b"/?#")


@dataclass(frozen=True)
class Servers:
    """The fuzzed apps, sharing one store: faults honoured, and faults switched off (`--no-faults`)."""

    store: Store
    with_faults: ExportsApp
    without_faults: ExportsApp
    groups: tuple[str, ...]
    tokens: tuple[str, ...]


@cache
def servers() -> Servers:
    """One small seeded store and the two apps over it, built once a process."""
    store = Store.build(seed_dataset(SEED, links=LINKS))
    return Servers(
        store=store,
        with_faults=ExportsApp(ServerConfig(store=store, faults_enabled=True)),
        without_faults=ExportsApp(ServerConfig(store=store, faults_enabled=False)),
        groups=tuple(store.group_guids()),
        tokens=tuple(t.token for t in store.tokens()),
    )


@dataclass(frozen=True)
class FuzzCase:
    """A decoded input: the request, which app gets it, and what the oracle needs to know."""

    request: RawRequest
    faults: bool
    prefer: bytes


def _header_value(raw: bytes) -> bytes:
    # httptools and h11 refuse CR, LF and NUL in a value and strip surrounding whitespace (unseen by the app).
    return raw.replace(b"\r", b"").replace(b"\n", b"").strip(b" \t")


def _segment(raw: bytes) -> bytes:
    kept = bytes(b for b in raw if b in _TARGET_SAFE)
    return kept or b"%00"


def decode_case(data: bytes) -> FuzzCase:
    """Turn any bytes into a request (see the module docstring for the layout)."""
    srv = servers()
    selector = data[0] if data else 0
    chunking = data[1] if len(data) > 1 else 0
    fields = data[2:].split(b"\x00", FIELDS - 1)
    fields += [b""] * (FIELDS - len(fields))
    segment_raw, auth_raw, ctype_raw, prefer_raw, body = fields

    visible = srv.groups[0]
    group_choice = selector & 3
    if group_choice == 0:
        segment = _segment(segment_raw)
    elif group_choice == 1:
        segment = visible.encode()
    elif group_choice == 2:
        segment = srv.groups[1].encode()  # a group tok-limited may not see
    else:
        segment = "".join(f"%{ord(c):02X}" for c in visible).encode()  # decodes to the visible group

    token_choice = (selector >> 2) & 7
    if 1 <= token_choice <= len(srv.tokens):
        auth = b"Bearer " + srv.tokens[token_choice - 1].encode()
    else:
        auth = _header_value(auth_raw)
    ctype = b"application/json" if selector & 0x20 else _header_value(ctype_raw)
    prefer = _header_value(prefer_raw)

    headers = [(b"host", b"fuzz")]
    for name, value in ((b"authorization", auth), (b"content-type", ctype), (b"prefer", prefer)):
        if value:
            headers.append((name, value))
    pieces = 1 + chunking % 4
    step = max(1, -(-len(body) // pieces))
    chunks = tuple(body[i : i + step] for i in range(0, len(body), step)) or (b"",)
    request = RawRequest(
        raw_path=b"/v4/groups/" + segment + b"/exports",
        headers=tuple(headers),
        body_chunks=chunks,
        method="GET" if selector & 0x80 else "POST",
    )
    return FuzzCase(request=request, faults=bool(selector & 0x40), prefer=prefer)


def encode_case(
    *,
    body: bytes,
    group: int = 1,
    token: int = 4,
    json_type: bool = True,
    faults: bool = False,
    get: bool = False,
    chunks: int = 1,
    segment: bytes = b"",
    authorization: bytes = b"",
    content_type: bytes = b"",
    prefer: bytes = b"",
) -> bytes:
    """The input bytes `decode_case` reads back as this request (seeds for the fuzzer's corpus)."""
    selector = (group & 3) | (token & 7) << 2 | json_type << 5 | faults << 6 | get << 7
    head = bytes([selector, (chunks - 1) % 4])
    return head + b"\x00".join((segment, authorization, content_type, prefer, body))


class SleepRecorder:
    """Stands in for `asyncio.sleep` in the app module: answers at once and remembers the delay asked."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)


@contextlib.contextmanager
def instant_sleep() -> Iterator[SleepRecorder]:
    """Make `Prefer: latency_ms` cost nothing while fuzzing, keeping the delays for the oracle."""
    recorder = SleepRecorder()
    namespace = vars(app_module)
    original = namespace["asyncio"]
    namespace["asyncio"] = types.SimpleNamespace(sleep=recorder.sleep)
    try:
        yield recorder
    finally:
        namespace["asyncio"] = original


def app_for(case: FuzzCase) -> ExportsApp:
    srv = servers()
    return srv.with_faults if case.faults else srv.without_faults


def check_response(case: FuzzCase, response: RawResponse, delays: list[float]) -> None:
    """The properties every answer has; AssertionError naming the first that does not hold."""
    status = response.status
    fault_asked = case.faults and any(code in case.prefer for code in (b"500", b"503"))
    if status >= 500 and not fault_asked:
        raise AssertionError(f"status {status} without a Prefer fault: {response.body[:300]!r}")
    if any(d > LATENCY_CAP_S or d < 0 for d in delays) or (delays and not case.faults):
        raise AssertionError(f"slept {delays} (faults {'on' if case.faults else 'off'})")
    if response.headers.get(b"content-type") != b"application/json":
        raise AssertionError(f"content-type {response.headers.get(b'content-type')!r}")
    if response.headers.get(b"content-length") != str(len(response.body)).encode():
        raise AssertionError("content-length does not match the body")
    try:
        body = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise AssertionError(f"body is not JSON: {response.body[:300]!r}") from exc
    if not isinstance(body, dict):
        raise AssertionError(f"body is not a JSON object: {response.body[:300]!r}")
    if status == 200:
        _check_export(case, body)
    else:
        _check_error(body)


def _check_error(body: dict[str, object]) -> None:
    if set(body) != ERROR_KEYS or body["resource"] != "groups":
        raise AssertionError(f"not an Error body: {body!r:.300}")
    if not isinstance(body["message"], str) or not isinstance(body["description"], str):
        raise AssertionError(f"Error message/description not strings: {body!r:.300}")
    errors = body["errors"]
    if not isinstance(errors, list) or not all(
        isinstance(e, dict)
        and set(e) == {"field", "error_code", "message"}
        and all(isinstance(v, str) for v in e.values())
        for e in errors
    ):
        raise AssertionError(f"Error errors[] malformed: {body!r:.300}")


def _check_export(case: FuzzCase, body: dict[str, object]) -> None:
    keys = set(body)
    if keys != EXPORT_KEYS and keys != EXPORT_KEYS | WINDOW_KEYS:
        raise AssertionError(f"200 body keys {sorted(keys)}")
    filename = body["filename"]
    group = unquote(case.request.raw_path.split(b"/")[3].decode("latin-1"))
    if group not in servers().groups or not isinstance(filename, str) or not filename.startswith(group + "_"):
        raise AssertionError(f"filename {filename!r} for group segment {group!r}")
    if case.request.method != "POST":
        raise AssertionError("200 to a GET")
    data_uri = body["data_uri"]
    if not isinstance(data_uri, str) or not data_uri.startswith(DATA_URI_PREFIX):
        raise AssertionError(f"data_uri {str(data_uri)[:80]!r}")
    try:
        data = base64.b64decode(data_uri[len(DATA_URI_PREFIX) :], validate=True)
    except binascii.Error as exc:
        raise AssertionError("data_uri is not base64") from exc
    if body["size_bytes"] != len(data):
        raise AssertionError("size_bytes does not match the CSV")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    if body["row_count"] != len(rows) - 1 or rows[0] != body["columns"]:
        raise AssertionError("row_count or columns do not match the CSV")


def run_input(data: bytes, *, loop: asyncio.AbstractEventLoop) -> None:
    """Decode, send and check one input; any exception is a finding."""
    case = decode_case(data)
    with instant_sleep() as recorder:
        response = call_app_sync(app_for(case), case.request, loop=loop)
    check_response(case, response, recorder.delays)
