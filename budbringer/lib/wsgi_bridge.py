"""A WSGI application served under RSGI (granian's async interface), from a thread pool.

`budbringer serve` runs RSGI so that tracked-link redirects can wait for their commit on
the event loop without holding a thread (links/fastpath.py). Every other request still
goes to Django's WSGI handler, unchanged: this bridge turns the RSGI scope into a WSGI
environ and calls the application in one of a fixed number of threads, as granian's own
WSGI interface does. Django's ASGI handler is not used because it runs synchronous views
on one thread per process and keeps a database connection per request context.

1. The request body is read in full before the application runs (Django reads it whole
   as well, within DATA_UPLOAD_MAX_MEMORY_SIZE).
2. The response body is gathered in the thread; a short one (the usual page) is sent in
   one piece. A long or streamed one (a CSV export, a static file) is sent in blocks from
   the same thread as it is produced, each block waiting until the loop has sent it, so a
   slow client holds a thread but never the memory of the whole body, and a streaming
   generator keeps the thread (and database connection) it started on.
"""

import asyncio
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import Any

# Bodies up to this size are sent in one piece; longer ones in blocks of this size.
BLOCK_SIZE = 256 * 1024

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class WSGIBridge:
    """An RSGI application (``await bridge(scope, proto)``) answering with a WSGI app."""

    def __init__(self, app: WSGIApp, threads: int):
        self.app = app
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="wsgi")

    async def __call__(self, scope: Any, proto: Any) -> None:
        body = await proto()
        environ = self.environ(scope, body)
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(self.executor, self._respond, environ, proto, loop)
        if answer is not None:
            status, headers, content = answer
            proto.response_bytes(status, headers, content)

    @staticmethod
    def environ(scope: Any, body: bytes) -> dict:
        host, _, port = scope.server.rpartition(":")
        client = scope.client.rpartition(":")[0].strip("[]") if scope.client else ""
        environ = {
            "REQUEST_METHOD": scope.method,
            "SCRIPT_NAME": "",
            # PEP 3333: the decoded path's bytes, as latin-1 (granian's WSGI does the same).
            "PATH_INFO": scope.path.encode().decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "REMOTE_ADDR": client,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input": BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in scope.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
                continue
            key = "HTTP_" + key
            if key in environ:  # repeated header: one value, as HTTP allows (cookies with ;)
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
            environ[key] = value.encode().decode("latin-1")
        return environ

    def _respond(self, environ: dict, proto: Any, loop: asyncio.AbstractEventLoop):
        """In a pool thread: the (status, headers, body) to send, or None once streamed."""
        started: dict[str, Any] = {}
        written: list[bytes] = []

        def start_response(status, headers, exc_info=None):
            if exc_info and started.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            started["status"] = int(status.split(None, 1)[0])
            started["headers"] = [(name, value) for name, value in headers]
            return written.append  # the legacy write() callable

        result = self.app(environ, start_response)
        try:
            chunks = iter(result)
            block, more = _gather(written, chunks)
            if not more:
                return started["status"], started["headers"], block
            started["sent"] = True
            self._stream(loop, proto, started["status"], started["headers"], block, chunks)
            return None
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    @staticmethod
    def _stream(loop, proto, status, headers, block, chunks) -> None:
        transport = None

        async def send(data: bytes) -> None:
            # On the loop: granian's protocol objects belong to its thread.
            nonlocal transport
            if transport is None:
                transport = proto.response_stream(status, headers)
            await transport.send_bytes(data)

        more = True
        while True:
            asyncio.run_coroutine_threadsafe(send(block), loop).result()
            if not more:
                return
            block, more = _gather([], chunks)


def _gather(first: list[bytes], chunks) -> tuple[bytes, bool]:
    """Up to BLOCK_SIZE bytes from the iterator; whether any are left."""
    parts, size = list(first), sum(map(len, first))
    for chunk in chunks:
        if chunk:
            parts.append(chunk)
            size += len(chunk)
            if size >= BLOCK_SIZE:
                return b"".join(parts), True
    return b"".join(parts), False
