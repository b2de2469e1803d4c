"""The one way the kit's requests reach a server: through the run's `Pacer`, each bounded in time.

`PacedTransport` is an httpx transport: it takes each request from the budget, waits for its turn
under the rate, and gives it a deadline that covers everything (connecting, TLS, sending, the
answer's headers and body; a server that trickles a byte at a time is cut off too). `PacedAdapter`
puts schemathesis's `requests` session on the same transport. A request without an HTTP answer
becomes a contract failure with its reproduction (`no_answer`), not a crash of the suite.
"""

from __future__ import annotations

import io
import ssl
import time
import urllib.request
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, Final

import httpcore
import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPHeaderDict, HTTPResponse

from bitly_exports_contract.kit.exchange import SentRequest
from bitly_exports_contract.kit.failure import ContractViolation, violation
from bitly_exports_contract.kit.limits import Pacer, RunStopped, retry_after_seconds
from bitly_exports_contract.spec import figures

# Statuses after which a request waits `Retry-After` seconds and tries again.
RETRY_STATUSES: Final = frozenset({429, 503})
# A live server has passing faults: a 5xx that asked for no fault is sent once more after half a second,
# as a client's retry would, and only a 5xx that repeats is the server's answer.
TRANSIENT_STATUSES: Final = frozenset({500, 502, 503, 504})
TRANSIENT_PAUSE_SECONDS: Final = 0.5
RULE_ANSWERED: Final = (
    "§4, §5: every request is answered with an HTTP response (a 200 export or an `Error` body); "
    "a request left without a complete answer within the run's timeout breaks the contract"
)

# An export of 1000 rows is well under a megabyte; an answer past this is not one, and is not read on.
MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024

# The tier of the token an Authorization header value carries, when the kit knows it.
TierOf = Callable[[str | None], str | None]

# The monotonic time by which the request on this thread must be done.
_DEADLINE: ContextVar[float | None] = ContextVar("exports_request_deadline", default=None)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """A socket operation's timeout, cut to what is left of the request's deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request's time is up")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _with_deadlines(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    # httpx does not take a network backend; its pool (httpcore, whose backends are public) does.
    pool = transport._pool
    pool._network_backend = _DeadlineBackend(pool._network_backend)
    return transport


class Unanswered(httpx.TransportError):
    """A request that got no complete HTTP answer, and what happened instead."""


class RefusedUnread(Unanswered):
    """A body over the size limit that the server would not read: it closed the connection instead.

    A server may refuse an oversized body from its headers alone and close before reading it; the
    client then has no answer to read. That is a refusal, not a server that failed to answer.
    """


def _declared_body_bytes(request: httpx.Request) -> int:
    declared = request.extensions.get("body_bytes")
    if isinstance(declared, int):
        return declared
    length = request.headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


def _describe(error: httpx.TransportError, *, allowed: float, elapsed: float) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.ConnectTimeout):
        return f"no connection within {allowed:.1f} s ({text})"
    if isinstance(error, httpx.TimeoutException):
        return f"no complete answer within {allowed:.1f} s (timed out after {elapsed:.1f} s: {text})"
    if isinstance(error, httpx.ConnectError):
        return f"could not connect: {text}"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the server broke off the HTTP exchange after {elapsed:.1f} s: {text}"
    return f"the connection failed after {elapsed:.1f} s: {type(error).__name__}: {text}"


class PacedTransport(httpx.BaseTransport):
    """An httpx transport that paces and bounds every request, and reads each answer in full.

    With `retries`, a 429 or 503 is sent again after its `Retry-After` (within the run's waiting
    allowance), at most that many times; a request that asked for a fault (`Prefer`) is not.
    """

    def __init__(self, pacer: Pacer, *, retries: int = 0, max_answer_bytes: int = MAX_ANSWER_BYTES) -> None:
        self.pacer = pacer
        self.retries = retries
        self.max_answer_bytes = max_answer_bytes
        self._direct = _with_deadlines(httpx.HTTPTransport())
        self._proxied: dict[str, httpx.HTTPTransport] = {}

    def _route(self, url: httpx.URL) -> httpx.HTTPTransport:
        # The proxy environment variables, as httpx honours them when it builds its own transports.
        proxy = urllib.request.getproxies().get(url.scheme)
        if proxy is None or urllib.request.proxy_bypass(url.host):
            return self._direct
        if proxy not in self._proxied:
            self._proxied[proxy] = _with_deadlines(httpx.HTTPTransport(proxy=proxy))
        return self._proxied[proxy]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            response = self._send_fresh(request)
            if (
                response.status_code in TRANSIENT_STATUSES
                and "prefer" not in request.headers
                and isinstance(request.stream, httpx.ByteStream)  # a body that can be sent again
            ):
                response = self.once_more(request, response)
            if (
                attempt >= self.retries
                or response.status_code not in RETRY_STATUSES
                or "prefer" in request.headers
            ):
                return response
            attempt += 1
            wait = retry_after_seconds(response.headers.get("retry-after"))
            self.pacer.wait_retry_after(wait, status=response.status_code)

    def _send_fresh(self, request: httpx.Request) -> httpx.Response:
        """One request; when a kept-alive connection turns out closed before any answer (the server
        closed it as the request went out), the request goes once more on a new connection."""
        if not isinstance(request.stream, httpx.ByteStream):
            return self._send_once(request)
        try:
            return self._send_once(request, count_unanswered=False)
        except RefusedUnread:
            raise
        except Unanswered as exc:
            if not isinstance(exc.__cause__, httpx.RemoteProtocolError | httpx.ConnectError):
                self.pacer.unanswered_request()
                raise
        return self._send_once(request)

    def once_more(self, request: httpx.Request, failed: httpx.Response) -> httpx.Response:
        """A 5xx nobody asked for, sent again once: the second answer stands (a 5xx again is a 5xx)."""
        wait = retry_after_seconds(failed.headers.get("retry-after")) if failed.status_code == 503 else 0
        self.pacer.wait_retry_after(max(wait, TRANSIENT_PAUSE_SECONDS), status=failed.status_code)
        response = self._send_once(request)
        if response.status_code not in TRANSIENT_STATUSES:
            self.pacer.transient_errors += 1
        return response

    def _send_once(self, request: httpx.Request, *, count_unanswered: bool = True) -> httpx.Response:
        allowed = self.pacer.acquire()
        started = time.monotonic()
        reset = _DEADLINE.set(started + allowed)
        try:
            response = self._route(request.url).handle_request(request)
            content = self._read(response)
        except httpx.TransportError as exc:
            elapsed = time.monotonic() - started
            if _declared_body_bytes(request) > figures().max_body_bytes and isinstance(
                exc, httpx.WriteError | httpx.ReadError | httpx.RemoteProtocolError
            ):
                self.pacer.answered()
                what = _describe(exc, allowed=allowed, elapsed=elapsed)
                raise RefusedUnread(what, request=request) from exc
            if isinstance(exc, httpx.TimeoutException) and allowed < self.pacer.limits.timeout:
                # The run's deadline cut this request short, not the server.
                self.pacer.stop_for_deadline(f"(a request was cut off after {elapsed:.1f} s)")
            if count_unanswered:
                self.pacer.unanswered_request()
            raise Unanswered(_describe(exc, allowed=allowed, elapsed=elapsed), request=request) from exc
        finally:
            _DEADLINE.reset(reset)
        self.pacer.answered()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(content),
            extensions=response.extensions,
        )

    def _read(self, response: httpx.Response) -> bytes:
        chunks, size = [], 0
        try:
            for chunk in response.iter_raw():
                size += len(chunk)
                if size > self.max_answer_bytes:
                    raise httpx.ReadError(
                        f"the answer's body passed {self.max_answer_bytes} bytes; not read on"
                    )
                chunks.append(chunk)
        finally:
            response.close()
        return b"".join(chunks)

    def close(self) -> None:
        self._direct.close()
        for transport in self._proxied.values():
            transport.close()


def paced_client(pacer: Pacer) -> httpx.Client:
    """An httpx client on a paced transport."""
    return httpx.Client(transport=PacedTransport(pacer), timeout=pacer.limits.timeout, follow_redirects=False)


def no_answer(sent: SentRequest, error: httpx.RequestError, pacer: Pacer) -> ContractViolation | RunStopped:
    """What to raise for a request without a usable answer: a contract failure with its reproduction,
    or, when the server has stopped answering altogether, the end of the run."""
    if isinstance(error, httpx.DecodingError):
        what = f"an answer whose body is not what its Content-Encoding says: {error}"
    elif isinstance(error, Unanswered):
        what = str(error)
    else:
        what = f"{type(error).__name__}: {error}"
    found = violation("every_request_is_answered", RULE_ANSWERED, what, sent)
    if pacer.stop_reason is not None:
        return RunStopped(pacer.stop_reason, found.render())
    return found


class PacedAdapter(HTTPAdapter):
    """A `requests` adapter that sends through a `PacedTransport` and waits out `Retry-After`.

    schemathesis calls the server through a `requests` session; mounted on it, this adapter gives
    those requests the same budget, rate, timeouts and failure reports as the kit's own.
    """

    def __init__(self, pacer: Pacer, *, retries: int = 4, tier_of: TierOf | None = None) -> None:
        super().__init__(max_retries=0)
        self.pacer = pacer
        self.tier_of = tier_of
        self._transport = PacedTransport(pacer, retries=retries)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, **_: Any
    ) -> requests.Response:
        body = request.body
        content = body.encode("utf-8") if isinstance(body, str) else body if isinstance(body, bytes) else b""
        headers = [
            (name, value if isinstance(value, str) else value.decode("latin-1"))
            for name, value in request.headers.items()
        ]
        url, method = request.url or "", request.method or "GET"
        outgoing = httpx.Request(method, url, headers=headers, content=content)
        try:
            answer = self._transport.handle_request(outgoing)
            raw = b"".join(answer.iter_raw())
            # urllib3 decodes the body for schemathesis; a body it cannot decode is reported here.
            httpx.Response(answer.status_code, headers=answer.headers, content=raw).read()
        except httpx.RequestError as exc:
            sent = SentRequest.build(
                method=method,
                url=url,
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in outgoing.headers.raw],
                body=content,
                tier=self.tier_of(outgoing.headers.get("authorization")) if self.tier_of else None,
            )
            raise no_answer(sent, exc, self.pacer) from None
        urllib3_response = HTTPResponse(
            body=io.BytesIO(raw),
            headers=HTTPHeaderDict(list(answer.headers.multi_items())),
            status=answer.status_code,
            version=11,
            reason=answer.reason_phrase,
            preload_content=False,
            decode_content=True,
            request_url=url,
        )
        return self.build_response(request, urllib3_response)

    def close(self) -> None:
        self._transport.close()
        super().close()


def paced_session(pacer: Pacer, *, retries: int = 4, tier_of: TierOf | None = None) -> requests.Session:
    """A `requests` session whose every request goes through the pacer (for schemathesis)."""
    session = requests.Session()
    session.trust_env = False  # the adapter picks proxies itself
    adapter = PacedAdapter(pacer, retries=retries, tier_of=tier_of)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
