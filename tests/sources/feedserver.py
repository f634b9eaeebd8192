"""A local HTTP server for fetcher tests and benchmarks.

It listens on 127.0.0.1 only, on a free port, and answers from routes kept as data:

    server = FeedServer()
    url = server.route("/feed.xml", body=b"<rss/>", headers={"ETag": '"v1"'})
    server.route("/old", redirect("/feed.xml"))
    server.route("/slow", Reply(body=lambda: iter([b"x"] * 100), drip=0.25))
    server.route("/dynamic", lambda request: Reply(body=request.path.encode()))

A route is a Reply, or a function of the Request returning one. Replies with an
ETag or Last-Modified answer matching conditional requests with 304 by themselves.
Every request is recorded in ``server.requests``. Keep-alive (HTTP/1.1), one
daemon thread per connection, TCP_NODELAY: fast enough to serve a thousand feeds.
"""

import functools
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import brotli

Body = bytes | Iterable[bytes] | Callable[[], Iterable[bytes]]


@dataclass
class Reply:
    """A canned answer.

    ``body`` is bytes (sent with Content-Length), or chunks: an iterable, or a
    function returning one so the route can be used more than once. Chunks go out
    with chunked encoding unless ``headers`` has a Content-Length.
    """

    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds before each body chunk


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # names in lower case

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


Route = Reply | Callable[[Request], Reply]


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location})


def drip(chunk: bytes = b"x", *, every: float, count: int = 1000, **fields) -> Reply:
    """``count`` chunks, ``every`` seconds apart: a server too slow to ever finish."""
    return Reply(body=lambda: (chunk for _ in range(count)), drip=every, **fields)


class FeedServer:
    def __init__(self, *, tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.feed_server = self
        self._httpd.tls = tls
        self.host, self.port = self._httpd.server_address[:2]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def route(self, path: str, reply: Route | None = None, /, **fields) -> str:
        """Answer ``path`` with ``reply`` (or ``Reply(**fields)``); returns its URL."""
        self.routes[path] = reply if reply is not None else Reply(**fields)
        return self.url(path)

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "FeedServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
        route = self.routes.get(request.path) or self.routes.get(urlsplit(request.path).path)
        if route is None:
            return Reply(status=404, body=b"no such route")
        return route if isinstance(route, Reply) else route(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a dripping handler must never hold up shutdown
    request_queue_size = 1024
    feed_server: FeedServer
    tls: ssl.SSLContext | None

    def handle_error(self, request, client_address):
        # A client hanging up early (a refused bomb, a timeout) is normal here.
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError | TimeoutError):
            super().handle_error(request, client_address)

    def finish_request(self, request, client_address):
        if self.tls is None:
            return super().finish_request(request, client_address)
        # The handshake happens here, in the connection's own thread.
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        try:
            return super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30  # idle keep-alive connections give up after this
    server: _Server

    def do_GET(self) -> None:
        request = Request(
            self.command, self.path, {name.lower(): value for name, value in self.headers.items()}
        )
        reply = self.server.feed_server._answer(request)
        if reply.delay:
            time.sleep(reply.delay)
        status, headers, body = reply.status, dict(reply.headers), reply.body
        if status == 200 and _not_modified(request, headers):
            status, body = 304, b""
            headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        try:
            self._send(status, headers, body, reply.drip)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def _send(self, status: int, headers: dict[str, str], body: Body, drip: float) -> None:
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        names = {name.lower() for name in headers}
        if isinstance(body, bytes) and not drip:
            if "content-length" not in names and status not in (204, 304):
                lines.append(f"Content-Length: {len(body)}")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            self.wfile.write(head + body)  # one write: no Nagle stall on keep-alive
            return
        chunks = [body] if isinstance(body, bytes) else body() if callable(body) else body
        chunked = "content-length" not in names
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        for chunk in chunks:
            if drip:
                time.sleep(drip)
            if not chunk:
                continue
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.close_connection = True  # the declared length may be a test's lie

    def log_message(self, format, *args) -> None:
        pass  # quiet tests


def _not_modified(request: Request, headers: dict[str, str]) -> bool:
    lowered = {name.lower(): value for name, value in headers.items()}
    if "if-none-match" in request.headers:
        return request.header("If-None-Match") == lowered.get("etag")
    return bool(request.header("If-Modified-Since")) and request.header(
        "If-Modified-Since"
    ) == lowered.get("last-modified")


# Compression bombs: a large run of zeros, compressed, built without ever holding
# the decompressed data. Cached: each is built once per test session.

_MIB = 1024 * 1024


@functools.cache
def _deflate_blocks(mebibytes: int) -> tuple[bytes, bytes]:
    """Raw deflate of ``mebibytes`` MiB of zeros, and its final empty block.

    After a full flush the compressor forgets its history, so compressing the next
    MiB of zeros gives the same bytes again: one MiB is compressed and repeated.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(_MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * mebibytes, compressor.flush(zlib.Z_FINISH)


@functools.cache
def gzip_bomb(mebibytes: int = 1024) -> bytes:
    """A valid gzip stream of ``mebibytes`` MiB of zeros (1 GiB is about 1 MB)."""
    blocks, end = _deflate_blocks(mebibytes)
    crc = 0
    zeros = bytes(_MIB)
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    size = (mebibytes * _MIB) & 0xFFFFFFFF
    return header + blocks + end + crc.to_bytes(4, "little") + size.to_bytes(4, "little")


@functools.cache
def deflate_bomb(mebibytes: int = 1024) -> bytes:
    """A valid zlib ("Content-Encoding: deflate") stream of ``mebibytes`` MiB of zeros."""
    blocks, end = _deflate_blocks(mebibytes)
    # Adler-32 of n zeros: the low sum stays 1, the high sum adds 1 per byte.
    adler = ((mebibytes * _MIB) % 65521) << 16 | 1
    return b"\x78\xda" + blocks + end + adler.to_bytes(4, "big")


@functools.cache
def brotli_bomb(mebibytes: int = 1024) -> bytes:
    """A brotli stream of ``mebibytes`` MiB of zeros (1 GiB: about 0.2 MB, 0.1 s to build)."""
    compressor = brotli.Compressor(quality=1)
    zeros = bytes(16 * _MIB)
    parts = [compressor.process(zeros) for _ in range(mebibytes // 16)]
    return b"".join([*parts, compressor.process(bytes(mebibytes % 16 * _MIB)), compressor.finish()])


def bomb_reply(encoding: str, mebibytes: int = 1024) -> Reply:
    """A reply sending a bomb of ``encoding`` (gzip, deflate, br) in 64 KiB chunks."""
    data = {"gzip": gzip_bomb, "deflate": deflate_bomb, "br": brotli_bomb}[encoding](mebibytes)
    view = memoryview(data)
    return Reply(
        body=lambda: (bytes(view[i : i + 65536]) for i in range(0, len(data), 65536)),
        headers={"Content-Encoding": encoding, "Content-Type": "application/rss+xml"},
    )
