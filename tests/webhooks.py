"""A local webhook receiver for tests of chat deliveries (digests now, lead alerts later).

It listens on 127.0.0.1 only, on a free port, records every request and answers as
told; the default answer is Slack's ``200 ok``:

    def test_something(webhook_receiver, settings):
        settings.FETCH_ALLOW = ["127.0.0.1"]  # loopback is refused otherwise
        url = webhook_receiver.url("/services/T000/B000/XXX")
        webhook_receiver.answer(status=429, body="rate_limited", headers={"Retry-After": "30"})
        ...
        assert webhook_receiver.requests[0].json["text"]

``answer`` sets the reply for every path, ``answer_path`` for one path only. Bring
the fixture into a conftest.py or a test module with ``from tests import webhooks``
and ``webhook_receiver = webhooks.webhook_receiver``.
"""

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Answer:
    status: int = 200
    body: bytes | str = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


class WebhookReceiver:
    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.default = Answer()
        self.answers: dict[str, Answer] = {}
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.receiver = self
        self.host, self.port = self._httpd.server_address[:2]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def answer(self, **fields) -> None:
        """Answer every request (without an ``answer_path``) with ``Answer(**fields)``."""
        self.default = Answer(**fields)

    def answer_path(self, path: str, **fields) -> str:
        """Answer requests for ``path`` with ``Answer(**fields)``; returns its URL."""
        self.answers[path] = Answer(**fields)
        return self.url(path)

    def received(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self.requests)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _record(self, request: ReceivedRequest) -> Answer:
        with self._lock:
            self.requests.append(request)
            return self.answers.get(request.path, self.default)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a delayed answer must never hold up shutdown
    receiver: WebhookReceiver

    def handle_error(self, request, client_address):
        # A client giving up early (a timeout test) is normal here.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = ReceivedRequest(
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            body,
        )
        answer = self.server.receiver._record(request)
        if answer.delay:
            time.sleep(answer.delay)
        content = answer.body.encode() if isinstance(answer.body, str) else answer.body
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if "content-length" not in {name.lower() for name in answer.headers}:
                self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_POST = do_GET = do_PUT = _handle

    def log_message(self, format, *args) -> None:
        pass  # quiet tests


@pytest.fixture
def webhook_receiver():
    """A local webhook receiver on 127.0.0.1; loopback needs ``FETCH_ALLOW`` to reach it."""
    with WebhookReceiver() as receiver:
        yield receiver
