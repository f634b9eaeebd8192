"""A real SMTP server for tests (aiosmtpd), on 127.0.0.1 and a free port.

    server = SMTPServer()            # or the ``smtp_server`` / ``smtp`` fixtures below
    server.reply_to_rcpt("gone@example.com", "550 5.1.1 No such user")
    server.reply_to_data("451 4.3.0 Try again later", times=1)
    server.data_delay = 3.0          # seconds before answering DATA (a slow server)
    ...
    server.received[0].message["Subject"], server.connections

Every accepted message is kept in ``server.received`` (raw bytes, the parsed
message, the envelope and the Message-ID) before the server answers 250, so a
test can look at it as soon as the client returns. ``server.connections`` counts
connections, to prove that a batch reuses one.

Use it from a test module or a conftest.py by importing the fixtures:

    from tests.smtp import smtp_fixture, smtp_server_fixture  # noqa: F401

    def test_digest_arrives(smtp):  # the fixtures are named smtp and smtp_server
        ...

``smtp`` is a started server with Django's e-mail settings pointed at it (SMTP
backend, no TLS, no login, EMAIL_TIMEOUT 5, no rate limit); ``smtp_server`` is the
server alone (point Django at it with ``use_smtp(settings, server)``). Both stop
the server after the test.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

ACCEPTED = "250 2.0.0 OK: queued"

# aiosmtpd logs every command at INFO; a failing test's output should show ours.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ReceivedMessage:
    envelope_from: str
    envelope_to: list[str]
    raw: bytes
    message: EmailMessage  # parsed with the modern policy: get_body(), iter_parts()
    message_id: str  # the Message-ID header, "" when there is none

    def part(self, content_type: str) -> str:
        """The decoded text of the first part with this type ("text/plain", "text/html")."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content()
        raise AssertionError(f"no {content_type} part in {self.message['Subject']!r}")


class _Handler:
    """aiosmtpd hooks that apply the behaviours configured on the server."""

    def __init__(self, server: SMTPServer):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        reply = self.server._rcpt_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.data_delay:
            await asyncio.sleep(self.server.data_delay)
        reply = self.server._next_data_reply()
        if reply:
            return reply
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.server.received.append(
            ReceivedMessage(
                envelope_from=envelope.mail_from,
                envelope_to=list(envelope.rcpt_tos),
                raw=raw,
                message=parsed,
                message_id=str(parsed.get("Message-ID", "")),
            )
        )
        return ACCEPTED


class _Controller(Controller):
    def __init__(self, server: SMTPServer):
        super().__init__(_Handler(server), hostname="127.0.0.1", port=0)
        self.budbringer_server = server
        self.protocols = []  # one aiosmtpd SMTP instance per connection

    def factory(self):
        # Called once for every connection the server accepts.
        self.budbringer_server.connections += 1
        protocol = super().factory()
        self.protocols.append(protocol)
        return protocol

    def _trigger_server(self):
        # Bound to port 0: learn the port the system chose before the start-up probe.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SMTPServer:
    """A local SMTP server; start() / stop(), or use it as a context manager."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.received: list[ReceivedMessage] = []
        self.connections = 0
        self.data_delay = 0.0  # seconds to wait before answering DATA
        self._rcpt_replies: dict[str, str] = {}
        self._data_reply: str | None = None
        self._data_reply_times: int | None = None
        self._controller = _Controller(self)
        self.port = 0

    def start(self) -> SMTPServer:
        self._controller.start()
        self.port = self._controller.port
        self.connections = 0  # the controller's own start-up probe does not count
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SMTPServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def drop_connections(self) -> None:
        """Hang up on every connected client, as a server does with idle ones."""
        done = threading.Event()

        def hang_up():
            for protocol in self._controller.protocols:
                if protocol.transport is not None:
                    protocol.transport.close()
            done.set()

        self._controller.loop.call_soon_threadsafe(hang_up)
        done.wait(5)

    def reply_to_rcpt(self, address: str, reply: str) -> None:
        """Answer RCPT TO for ``address`` with ``reply`` ("550 5.1.1 No such user")."""
        self._rcpt_replies[address.lower()] = reply

    def reply_to_data(self, reply: str | None, *, times: int | None = None) -> None:
        """Answer DATA with ``reply`` ("451 4.3.0 Try later") for every message, or for
        the next ``times`` messages only; None goes back to accepting."""
        self._data_reply = reply
        self._data_reply_times = times

    def _next_data_reply(self) -> str | None:
        reply = self._data_reply
        if reply and self._data_reply_times is not None:
            self._data_reply_times -= 1
            if self._data_reply_times <= 0:
                self._data_reply = None
        return reply

    def messages_to(self, address: str) -> list[ReceivedMessage]:
        return [m for m in self.received if address in m.envelope_to]


def unused_port() -> int:
    """A port nothing listens on (for "the mail server is down")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, server: SMTPServer | None = None, *, port: int | None = None) -> None:
    """Point Django's SMTP backend at ``server`` (or at 127.0.0.1:``port``), plain SMTP
    without login; pytest-django's ``settings`` fixture undoes it after the test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port if server else port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5  # a hung test fails in seconds, not minutes
    settings.EMAIL_RATE = 0  # no spacing between messages unless a test asks for it


# Registered under the names in ``name=``; import the *_fixture functions, so that a
# test's ``smtp`` argument does not shadow an imported name.
@pytest.fixture(name="smtp_server")
def smtp_server_fixture():
    """A started SMTPServer, stopped after the test."""
    with SMTPServer() as server:
        yield server


@pytest.fixture(name="smtp")
def smtp_fixture(settings, smtp_server):
    """A started SMTPServer with Django's e-mail settings pointed at it."""
    use_smtp(settings, smtp_server)
    return smtp_server
