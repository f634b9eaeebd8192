"""The address-guarded HTTP client: the only way Budbringer reaches a URL that someone
typed or a provider named (feeds, chat webhooks, identity providers), hence in ``lib`` for
every app. ``fetch`` GETs a URL; ``post_json`` and ``post_form`` POST to one, the same way.

1. The URL is checked: http or https, no user name or password, a host in one
   spelling (numeric IPv4 spellings become the address they mean).
2. The host is resolved here, every address is checked with the AddressPolicy,
   the connection goes to a checked address, and the address of the connected
   socket is checked again, so DNS rebinding cannot slip past the check. TLS
   still verifies the certificate for the host name and sends it as SNI.
3. Redirects are followed here, at most MAX_REDIRECTS, each hop checked as above.
4. One deadline covers everything (DNS, connects, redirects, body): every socket
   wait is cut to the time left, so a server dripping a byte a second is stopped.
5. The body is decompressed here in bounded steps and capped after
   decompression, so a compression bomb stops at the cap without filling memory.

Every failure is a FetchError with a short reason code and a sentence for admins.
"""

import dataclasses
import datetime as dt
import email.utils
import functools
import http
import importlib.metadata
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit

import brotli
import httpcore
import httpx
from django.conf import settings

from budbringer.lib.netguard import AddressPolicy, BlockedAddress, canonical_host

Resolver = Callable[[str, int], list[str]]
T = TypeVar("T")

try:
    _VERSION = importlib.metadata.version("budbringer")
except importlib.metadata.PackageNotFoundError:  # running from a plain checkout
    _VERSION = "0.1"

USER_AGENT = f"Budbringer/{_VERSION} (+https://github.com/budbringer/budbringer; feed fetcher)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
MAX_REDIRECTS = 5
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# 4xx answers that may well change on their own; every other 4xx is taken as permanent.
_TEMPORARY_CLIENT_ERRORS = {408, 425, 429}
# Hostile headers must not park a source for years or overflow a timedelta.
_MAX_RETRY_AFTER = dt.timedelta(days=7)
_MAX_FRESH_FOR = dt.timedelta(days=365)
_DECODED_STEP = 64 * 1024  # most bytes one decompression step may produce


@dataclasses.dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int  # 200 (or another 2xx), or 304 when the conditional GET says nothing changed
    body: bytes  # decompressed; b"" on 304
    content_type: str  # "" when absent
    etag: str  # "" when absent; on 304 without one, the ETag that was sent
    last_modified: str  # "" when absent; on 304 without one, the date that was sent
    fresh_for: dt.timedelta | None  # from Cache-Control max-age or Expires
    elapsed: float  # seconds


class FetchError(Exception):
    """A fetch that failed, with a reason code for code and a message for admins.

    reason is one of: bad_url, bad_scheme, blocked_address, dns, connection,
    timeout, too_large, too_many_redirects, http_error, tls, decoding.
    """

    _PERMANENT_REASONS = {"bad_url", "bad_scheme", "blocked_address"}

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: dt.timedelta | None = None,
        permanent: bool | None = None,
    ):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.permanent = reason in self._PERMANENT_REASONS if permanent is None else permanent

    def __repr__(self) -> str:
        return f"FetchError({self.reason!r}, {self.message!r}, status={self.status!r})"


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    policy: AddressPolicy | None = None,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    max_bytes: int | None = None,
    resolver: Resolver | None = None,
    deadline: float | None = None,
) -> FetchResult:
    """GET ``url`` (conditionally when ``etag`` or ``last_modified`` is given).

    Defaults come from settings: FETCH_ALLOW, FETCH_TIMEOUT (total seconds),
    FETCH_CONNECT_TIMEOUT and FETCH_MAX_BYTES (after decompression). ``deadline``, a
    ``time.monotonic()`` moment, ends the fetch sooner: for callers that share one
    deadline among several fetches (finding a site's feed). Raises FetchError for
    anything but a 2xx or 304 answer.
    """
    fetcher = _Fetch(
        policy=AddressPolicy(settings.FETCH_ALLOW) if policy is None else policy,
        timeout=float(settings.FETCH_TIMEOUT if timeout is None else timeout),
        connect_timeout=float(
            settings.FETCH_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        ),
        max_bytes=settings.FETCH_MAX_BYTES if max_bytes is None else max_bytes,
        resolver=resolver or system_resolver,
        deadline=deadline,
    )
    return fetcher.run(url, etag=etag, last_modified=last_modified)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# What the layers below may raise; ssl and socket errors are OSErrors.
_NETWORK_ERRORS = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpcore.TimeoutException,
    httpcore.ProtocolError,
    httpcore.NetworkError,
    httpcore.UnsupportedProtocol,
    OSError,
)


class _Fetch:
    """The state of one fetch: its deadline and the URL being fetched."""

    def __init__(
        self,
        *,
        policy: AddressPolicy,
        timeout: float,
        connect_timeout: float,
        max_bytes: int,
        resolver: Resolver,
        deadline: float | None = None,
    ):
        self.policy = policy
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        if deadline is not None:
            self.deadline = min(self.deadline, deadline)
        self.backend = _GuardedBackend(policy, resolver, self.deadline, connect_timeout)
        self.url = ""

    def run(self, url: str, *, etag: str, last_modified: str) -> FetchResult:
        return self._guarded(url, lambda: self._run(url, etag=etag, last_modified=last_modified))

    def _client(self, headers: dict[str, str]) -> httpx.Client:
        """A client that connects only through the address-checking backend, never follows
        a redirect by itself, and ignores proxies from the environment (they would bypass
        the address checks)."""
        return httpx.Client(
            transport=_GuardedTransport(self.backend),
            headers=headers,
            follow_redirects=False,
            trust_env=False,
        )

    def _guarded(self, url: str, request: Callable[[], T]) -> T:
        """Run ``request`` for ``url``, turning what the layers below raise into FetchError."""
        self.url = url
        try:
            return request()
        except FetchError:
            raise
        except BlockedAddress as exc:
            raise _blocked(exc) from exc
        except _NETWORK_ERRORS as exc:
            raise self._network_error(exc) from exc

    def _run(self, url: str, *, etag: str, last_modified: str) -> FetchResult:
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate, br",
        }
        if _header_safe(etag):
            headers["If-None-Match"] = etag
        if _header_safe(last_modified):
            headers["If-Modified-Since"] = last_modified
        current = _checked_url(url, self.policy)
        with self._client(headers) as client:
            for hop in range(MAX_REDIRECTS + 1):
                self.url = str(current)
                request = client.build_request("GET", current, timeout=self._timeouts())
                response = client.send(request, stream=True)
                try:
                    if response.status_code not in _REDIRECT_STATUSES:
                        return self._result(response, etag=etag, last_modified=last_modified)
                    if hop == MAX_REDIRECTS:
                        raise FetchError(
                            "too_many_redirects",
                            f"The feed redirected more than {MAX_REDIRECTS} times; "
                            f"the last hop was to {current}.",
                        )
                    current = _checked_url(_redirect_target(response, current), self.policy)
                finally:
                    response.close()
        raise AssertionError("unreachable")  # the loop returns or raises

    def _timeouts(self) -> httpx.Timeout:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._timeout_error(None)
        return httpx.Timeout(left, connect=min(left, self.backend.connect_timeout))

    def _result(self, response: httpx.Response, *, etag: str, last_modified: str) -> FetchResult:
        status = response.status_code
        if not (200 <= status < 300 or status == 304):
            raise _http_error(response)
        headers = response.headers
        body = b"" if status == 304 else self._read_body(response)
        return FetchResult(
            url=str(response.url),
            status=status,
            body=body,
            content_type=headers.get("Content-Type", ""),
            etag=headers.get("ETag", etag if status == 304 else ""),
            last_modified=headers.get("Last-Modified", last_modified if status == 304 else ""),
            fresh_for=_fresh_for(headers),
            elapsed=time.monotonic() - self.started,
        )

    def _read_body(self, response: httpx.Response) -> bytes:
        declared = _whole_number(response.headers.get("Content-Length", ""))
        if declared is not None and declared > self.max_bytes:
            raise self._too_large()
        decoder = _decoder_for(response.headers.get("Content-Encoding", ""))
        raw_size = 0
        parts: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_raw():
                if time.monotonic() > self.deadline:
                    raise self._timeout_error(None)
                raw_size += len(chunk)
                if raw_size > self.max_bytes:
                    raise self._too_large()
                for part in decoder.feed(chunk):
                    size += len(part)
                    if size > self.max_bytes:
                        raise self._too_large()
                    parts.append(part)
            if raw_size:
                decoder.finish()
        except (zlib.error, brotli.error) as exc:
            raise FetchError(
                "decoding", f"The feed server sent a body that could not be decompressed ({exc})."
            ) from exc
        return b"".join(parts)

    def _too_large(self) -> FetchError:
        return FetchError(
            "too_large",
            f"The feed is larger than {self.max_bytes:,} bytes after decompression; "
            "raise BUDBRINGER_FETCH_MAX_BYTES to fetch it.",
        )

    def _timeout_error(self, exc: Exception | None) -> FetchError:
        if isinstance(exc, httpcore.ConnectTimeout | httpx.ConnectTimeout):
            message = f"Connecting to {_host_of(self.url)} took too long."
        else:
            message = (
                f"The feed at {self.url} did not arrive within {_seconds(self.timeout)} "
                "(BUDBRINGER_FETCH_TIMEOUT)."
            )
        return FetchError("timeout", message)

    def _network_error(self, exc: Exception) -> FetchError:
        if isinstance(exc, httpx.TimeoutException | httpcore.TimeoutException):
            return self._timeout_error(exc)
        host = _host_of(self.url)
        tls_error = _find_cause(exc, ssl.SSLError)
        if isinstance(tls_error, ssl.SSLCertVerificationError):
            return FetchError(
                "tls",
                f"The TLS certificate of {host} could not be verified: "
                f"{str(tls_error.verify_message or tls_error.reason).rstrip('.')}.",
            )
        if tls_error is not None:
            return FetchError("tls", f"The TLS connection to {host} failed: {tls_error}.")
        if isinstance(exc, httpx.InvalidURL | httpcore.UnsupportedProtocol):
            return FetchError("bad_url", f"The address {self.url} is not a valid URL ({exc}).")
        if isinstance(exc, httpcore.ConnectError | httpx.ConnectError):
            return FetchError("connection", f"Could not connect to {host}: {_detail(exc)}.")
        if isinstance(exc, httpcore.RemoteProtocolError | httpx.RemoteProtocolError):
            return FetchError(
                "connection", f"The feed server at {host} broke the HTTP protocol: {_detail(exc)}."
            )
        return FetchError("connection", f"The connection to {host} failed: {_detail(exc)}.")


def _checked_url(url: str, policy: AddressPolicy) -> httpx.URL:
    """``url`` with its host in one spelling, or FetchError; IP hosts are judged here."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port out of range
    except ValueError as exc:
        raise FetchError("bad_url", f"The address {url} is not a valid URL ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            "bad_scheme",
            f"Only http and https addresses can be fetched, not {url}.",
        )
    # Refused rather than stripped: a feed needing a password would fail later in a
    # more confusing way, and "http://trusted@evil.example/" reads like a lie.
    if "@" in parts.netloc:
        raise FetchError(
            "bad_url",
            f"The address {url} contains a user name or password; "
            "feeds behind a login are not supported.",
        )
    try:
        host = canonical_host(_ascii_host(parts.hostname or ""))
    except ValueError as exc:
        raise FetchError("bad_url", f"The address {url} does not have a valid host name.") from exc
    if _is_ip(host):
        try:
            policy.check_ip(host, host)
        except BlockedAddress as exc:
            raise _blocked(exc) from exc
        if "%" in host:
            raise FetchError(
                "bad_url", f"The address {url} has an IPv6 zone id; those are not supported."
            )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    try:
        return httpx.URL(urlunsplit((scheme, netloc, parts.path or "/", parts.query, "")))
    except httpx.InvalidURL as exc:
        raise FetchError("bad_url", f"The address {url} is not a valid URL ({exc}).") from exc


def _ascii_host(host: str) -> str:
    """Percent-decoded and IDNA-encoded, as browsers read a host; ValueError if hopeless."""
    host = unquote(host, errors="strict")
    if not host:
        raise ValueError("no host")
    if host.isascii():
        return host
    try:
        return httpx.URL(scheme="http", host=host).raw_host.decode("ascii")
    except httpx.InvalidURL as exc:
        raise ValueError(str(exc)) from exc


def _redirect_target(response: httpx.Response, current: httpx.URL) -> str:
    location = response.headers.get("Location", "").strip()
    if not location:
        raise FetchError(
            "http_error",
            f"The feed server answered {response.status_code}, a redirect, without a Location.",
            status=response.status_code,
        )
    return urljoin(str(current), location)  # checked by the caller like any URL


def _blocked(exc: BlockedAddress) -> FetchError:
    of_host = f" of {exc.host}" if exc.host and exc.host != exc.address else ""
    return FetchError(
        "blocked_address",
        f"The address {exc.address}{of_host} {exc.why}; "
        "add it to BUDBRINGER_FETCH_ALLOW to fetch it.",
    )


def _http_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase
    answer = f"{status} {phrase}" if phrase else str(status)
    retry_after = _retry_after(response.headers)
    wait = f"; it asks to wait {_duration(retry_after)}" if retry_after is not None else ""
    return FetchError(
        "http_error",
        f"The feed server answered {answer}{wait}.",
        status=status,
        retry_after=retry_after,
        permanent=400 <= status < 500 and status not in _TEMPORARY_CLIENT_ERRORS,
    )


def _retry_after(headers: httpx.Headers) -> dt.timedelta | None:
    value = headers.get("Retry-After", "").strip()
    seconds = _whole_number(value)
    if seconds is not None:
        return min(dt.timedelta(seconds=min(seconds, 10**9)), _MAX_RETRY_AFTER)
    when = _http_date(value)
    if when is None:
        return None
    return min(max(when - _server_now(headers), dt.timedelta(0)), _MAX_RETRY_AFTER)


def _fresh_for(headers: httpx.Headers) -> dt.timedelta | None:
    """How long the server says the answer stays fresh (RFC 9111), or None."""
    directives = {}
    for directive in headers.get("Cache-Control", "").split(","):
        name, _, value = directive.partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    max_age = _whole_number(directives.get("max-age", ""))
    if max_age is not None:
        return min(dt.timedelta(seconds=min(max_age, 10**9)), _MAX_FRESH_FOR)
    if "Expires" not in headers:
        return None
    expires = _http_date(headers["Expires"])
    if expires is None:  # "0" and other nonsense mean "already stale"
        return dt.timedelta(0)
    return min(max(expires - _server_now(headers), dt.timedelta(0)), _MAX_FRESH_FOR)


def _server_now(headers: httpx.Headers) -> dt.datetime:
    """The server's Date when given, so a skewed clock on either side does not matter."""
    return _http_date(headers.get("Date", "")) or dt.datetime.now(dt.UTC)


def _http_date(value: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _duration(delta: dt.timedelta) -> str:
    seconds = delta.total_seconds()
    return _seconds(seconds) if seconds < 120 else f"{round(seconds / 60)} minutes"


def _seconds(seconds: float) -> str:
    return "1 second" if seconds == 1 else f"{seconds:g} seconds"


def _whole_number(value: str) -> int | None:
    # Not str.isdigit(): it takes "²", which int() then refuses.
    return int(value) if re.fullmatch(r"[0-9]+", value.strip()) else None


def _header_safe(value: str) -> bool:
    return bool(value) and value.isascii() and value.isprintable()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _find_cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, kind):
            return current
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def _detail(exc: BaseException) -> str:
    cause = _find_cause(exc, OSError)
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return str(exc) or type(exc).__name__


# Decompression in bounded steps. Each decoder turns raw chunks into pieces of at
# most about _DECODED_STEP bytes, so the caller can stop at the cap before a
# bomb has produced more than one step beyond it.


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def finish(self) -> None:
        pass


class _Zlib:
    """gzip (wbits 31), or "deflate": zlib-wrapped as the RFC says, or raw as some servers send."""

    def __init__(self, gzip: bool):
        self._gzip = gzip
        self._start = b""
        self._decompressor = zlib.decompressobj(31) if gzip else None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._decompressor is None:
            self._start += data
            if len(self._start) < 2:
                return
            data, self._start = self._start, b""
            first, second = data[0], data[1]
            wrapped = first & 0x0F == 8 and ((first << 8) | second) % 31 == 0
            self._decompressor = zlib.decompressobj(15 if wrapped else -15)
        decompressor = self._decompressor
        while data and not decompressor.eof:
            out = decompressor.decompress(data, _DECODED_STEP)
            if out:
                yield out
            data = decompressor.unconsumed_tail
            # A full step may leave output pending inside zlib even without input left.
            while not data and len(out) == _DECODED_STEP and not decompressor.eof:
                out = decompressor.decompress(b"", _DECODED_STEP)
                if out:
                    yield out

    def finish(self) -> None:
        if self._decompressor is None or not self._decompressor.eof:
            raise zlib.error("the compressed stream ended early")


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        decompressor = self._decompressor
        out = decompressor.process(data, output_buffer_limit=_DECODED_STEP)
        if out:
            yield out
        while not decompressor.can_accept_more_data():
            out = decompressor.process(b"", output_buffer_limit=_DECODED_STEP)
            if not out:
                break
            yield out

    def finish(self) -> None:
        if not self._decompressor.is_finished():
            raise brotli.error("the compressed stream ended early")


def _decoder_for(content_encoding: str) -> _Identity | _Zlib | _Brotli:
    codings = [
        coding.strip().lower()
        for coding in content_encoding.split(",")
        if coding.strip() and coding.strip().lower() != "identity"
    ]
    if not codings:
        return _Identity()
    if codings in (["gzip"], ["x-gzip"]):
        return _Zlib(gzip=True)
    if codings == ["deflate"]:
        return _Zlib(gzip=False)
    if codings == ["br"]:
        return _Brotli()
    raise FetchError(
        "decoding",
        f"The feed server compressed the feed as {content_encoding!r}, "
        "which Budbringer cannot read.",
    )


# The guarded network path: httpx -> _GuardedTransport -> httpcore pool ->
# _GuardedBackend (resolve, check, connect, check again) -> _DeadlineStream.


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Certificate verification on, with certifi's roots (or SSL_CERT_FILE when set)."""
    return httpx.create_ssl_context()


class _GuardedTransport(httpx.BaseTransport):
    def __init__(self, backend: "_GuardedBackend"):
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(), network_backend=backend, retries=0
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._pool.handle_request(
            httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=request.url.raw_scheme,
                    host=request.url.raw_host,
                    port=request.url.port,
                    target=request.url.raw_path,
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
        )
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_RawStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _RawStream(httpx.SyncByteStream):
    """httpcore's body stream as httpx wants it, bytes as they came (no decoding)."""

    def __init__(self, stream: Iterable[bytes]):
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the policy allows, and only before the deadline."""

    def __init__(
        self, policy: AddressPolicy, resolver: Resolver, deadline: float, connect_timeout: float
    ):
        self.policy = policy
        self.resolver = resolver
        self.deadline = deadline
        self.connect_timeout = connect_timeout
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        # 1. Resolve once; every answer must pass, so one bad record refuses the host.
        addresses = [host] if _is_ip(host) else self._resolve(host, port)
        for address in addresses:
            self.policy.check_ip(address, host)
        # 2. Connect to the checked addresses only, in the resolver's order.
        for attempt, address in enumerate(addresses, start=1):
            wait = min(self.connect_timeout, self.deadline - time.monotonic())
            if wait <= 0:
                raise httpcore.ConnectTimeout("no time left to connect")
            try:
                stream = self._backend.connect_tcp(
                    address, port, timeout=wait, socket_options=socket_options
                )
                break
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                if attempt == len(addresses):
                    raise
        # 3. Check where the socket really went.
        try:
            peer = stream.get_extra_info("socket").getpeername()[0]
            self.policy.check_ip(peer, host)
        except BaseException:
            stream.close()
            raise
        return _DeadlineStream(stream, self.deadline)

    def _resolve(self, host: str, port: int) -> list[str]:
        """The resolver's answer, given up on at the deadline (getaddrinfo has no timeout)."""
        answer: list = []
        done = threading.Event()

        def resolve() -> None:
            try:
                answer.append(self.resolver(host, port))
            except Exception as exc:  # handed over to the fetching thread
                answer.append(exc)
            done.set()

        threading.Thread(target=resolve, name=f"resolve {host}", daemon=True).start()
        if not done.wait(max(self.deadline - time.monotonic(), 0)):
            raise FetchError("timeout", f"Looking up the host name {host} took too long.")
        result = answer[0]
        if isinstance(result, Exception) or not result:
            detail = f" ({result.strerror or result})" if isinstance(result, OSError) else ""
            raise FetchError("dns", f"The host name {host} could not be found{detail}.")
        addresses = [str(address) for address in result]
        if not all(_is_ip(address) for address in addresses):
            raise FetchError("dns", f"Looking up {host} gave something that is not an address.")
        return addresses

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every wait ends at the fetch deadline at the latest."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float):
        self._stream = stream
        self._deadline = deadline

    def _wait(self, timeout: float | None, timeout_error: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise timeout_error("the total time limit was reached")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._wait(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._wait(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._stream = self._stream.start_tls(
            ssl_context, server_hostname, self._wait(timeout, httpcore.ConnectTimeout)
        )
        return self

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


# Posting JSON to a URL a person typed (chat webhooks): the same guarded path as
# fetch(), but one request only. Redirects are returned, never followed: a webhook
# that redirects is misconfigured, and following a POST elsewhere would hand the
# message to whoever controls the redirect target.

POST_USER_AGENT = f"Budbringer/{_VERSION} (+https://github.com/budbringer/budbringer)"
POST_MAX_BODY = 64 * 1024  # of the answer: webhooks answer "ok" or a short error


@dataclasses.dataclass(frozen=True)
class PostResult:
    status: int  # any status, 3xx included: the caller decides what it means
    body: str  # the start of the answer (at most max_bytes bytes), decoded leniently
    headers: httpx.Headers  # case-insensitive
    truncated: bool  # the answer was longer than max_bytes and was cut
    elapsed: float  # seconds


def post_json(
    url: str,
    payload: object,
    *,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    max_bytes: int = POST_MAX_BODY,
    policy: AddressPolicy | None = None,
    resolver: Resolver | None = None,
) -> PostResult:
    """POST ``payload`` as JSON to ``url`` through the address guard, following no redirects.

    Returns every HTTP answer, whatever its status; the answer's body is read up to
    ``max_bytes`` and the rest dropped (the post has been made by then, so a long
    answer is no reason to fail it). Raises FetchError for a bad URL, a refused
    address, DNS, connection, TLS and timeout problems. Defaults as for fetch().
    """
    poster = _Post(
        policy=AddressPolicy(settings.FETCH_ALLOW) if policy is None else policy,
        timeout=float(settings.FETCH_TIMEOUT if timeout is None else timeout),
        connect_timeout=float(
            settings.FETCH_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        ),
        max_bytes=max_bytes,
        resolver=resolver or system_resolver,
    )
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return poster.post(url, content, "application/json; charset=utf-8")


def post_form(
    url: str,
    fields: dict[str, str],
    *,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int = POST_MAX_BODY,
    policy: AddressPolicy | None = None,
) -> PostResult:
    """POST ``fields`` form-encoded (an OAuth token request) through the address guard,
    following no redirects; otherwise as post_json(). ``headers`` are added (e.g.
    Authorization for client_secret_basic)."""
    poster = _Post(
        policy=AddressPolicy(settings.FETCH_ALLOW) if policy is None else policy,
        timeout=float(settings.FETCH_TIMEOUT if timeout is None else timeout),
        connect_timeout=float(settings.FETCH_CONNECT_TIMEOUT),
        max_bytes=max_bytes,
        resolver=system_resolver,
    )
    content = urlencode(fields).encode()
    return poster.post(
        url, content, "application/x-www-form-urlencoded", accept="application/json", extra=headers
    )


class _Post(_Fetch):
    """One guarded POST; shares the deadline, backend and error mapping of a fetch."""

    def post(
        self,
        url: str,
        content: bytes,
        content_type: str,
        *,
        accept: str = "*/*",
        extra: dict[str, str] | None = None,
    ) -> PostResult:
        return self._guarded(
            url, lambda: self._post(url, content, content_type, accept, extra or {})
        )

    def _post(
        self, url: str, content: bytes, content_type: str, accept: str, extra: dict[str, str]
    ) -> PostResult:
        target = _checked_url(url, self.policy)
        self.url = str(target)
        headers = {
            "User-Agent": POST_USER_AGENT,
            "Content-Type": content_type,
            "Accept": accept,
            "Accept-Encoding": "identity",  # answers are short: read as they come
            **extra,
        }
        with self._client(headers) as client:
            request = client.build_request(
                "POST", target, content=content, timeout=self._timeouts()
            )
            response = client.send(request, stream=True)
            try:
                body, truncated = self._read_start(response)
            finally:
                response.close()
        return PostResult(
            status=response.status_code,
            body=body.decode("utf-8", errors="replace"),
            headers=response.headers,
            truncated=truncated,
            elapsed=time.monotonic() - self.started,
        )

    def _read_start(self, response: httpx.Response) -> tuple[bytes, bool]:
        parts: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            if time.monotonic() > self.deadline:
                raise self._timeout_error(None)
            parts.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                return b"".join(parts)[: self.max_bytes], True
        return b"".join(parts), False

    def _timeout_error(self, exc: Exception | None) -> FetchError:
        if isinstance(exc, httpcore.ConnectTimeout | httpx.ConnectTimeout):
            message = f"Connecting to {_host_of(self.url)} took too long."
        else:
            message = f"{_host_of(self.url)} did not answer within {_seconds(self.timeout)}."
        return FetchError("timeout", message)
