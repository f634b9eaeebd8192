"""A fake RSGI server side: call an RSGI application the way granian does, in tests."""

import asyncio
from dataclasses import dataclass, field


class Headers:
    """granian's RSGIHeaders: lower-case names, repeated names kept in order."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = [(name.lower(), value) for name, value in pairs]

    def get(self, name: str, default=None):
        return next((value for key, value in self.pairs if key == name), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self.pairs)


@dataclass
class Scope:
    path: str
    method: str = "GET"
    query_string: str = ""
    headers: Headers = field(default_factory=lambda: Headers([]))
    client: str = "203.0.113.9:50123"
    server: str = "127.0.0.1:8000"
    scheme: str = "http"
    http_version: str = "1.1"
    proto: str = "http"
    authority: str | None = None


class Proto:
    """What the application answered: status, headers and the whole body, streamed or not."""

    def __init__(self, body: bytes = b""):
        self.body = body
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.content = b""
        self.blocks: list[bytes] = []  # the body as streamed, block by block

    async def __call__(self) -> bytes:
        return self.body

    def _start(self, status, headers):
        assert self.status is None, "answered twice"
        self.status, self.headers = status, dict(headers)

    def response_empty(self, status, headers):
        self._start(status, headers)

    def response_bytes(self, status, headers, body):
        self._start(status, headers)
        self.content = body

    def response_str(self, status, headers, body):
        self.response_bytes(status, headers, body.encode())

    def response_stream(self, status, headers):
        self._start(status, headers)
        proto = self

        class Transport:
            async def send_bytes(self, data):
                proto.blocks.append(data)
                proto.content += data

        return Transport()


async def acall(app, path, method="GET", *, body=b"", query="", headers=(), client=None):
    scope = Scope(path, method, query, Headers(list(headers)))
    if client is not None:
        scope.client = client
    proto = Proto(body)
    await app(scope, proto)
    assert proto.status is not None, "no answer"
    return proto


def call(app, path, method="GET", **options) -> Proto:
    return asyncio.run(acall(app, path, method, **options))
