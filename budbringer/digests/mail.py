"""Hand e-mail to the SMTP server one message at a time, and say what became of each.

A worker sends a batch through one MailSender:

    with MailSender() as sender:
        for message in messages:
            result = sender.send(message)  # a Result: sent, temporary or permanent

The sender keeps one connection (Django's e-mail backend and EMAIL_* settings) for the
whole batch, spaces messages by BUDBRINGER_EMAIL_RATE, and never raises for a delivery
problem: a refused address, a busy or vanished server and a timeout all become Results,
and after a broken connection the next message opens a fresh one.
"""

from __future__ import annotations

import contextlib
import functools
import re
import smtplib
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import make_msgid, sanitize_address
from django.core.mail.utils import DNS_NAME

from budbringer.digests.outcomes import Result

# A connection idle this long is checked with NOOP before it is used again: servers hang
# up on idle clients, and the next message should not fail because of that.
IDLE_CHECK_SECONDS = 30

# An enhanced status code (RFC 3463) at the start of a 5xx answer: "550 5.1.1 No such user".
_ENHANCED = re.compile(r"^5\.(\d{1,3})\.(\d{1,3})\b")


class RateLimit:
    """At most ``per_second`` messages a second, spaced evenly (0: no limit).

    Spacing rather than bursts: providers count per second or per minute, and an even
    flow stays under both. Shared by the threads of a process, hence the lock.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.per_second = per_second
        self.interval = 1 / per_second if per_second > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next_at: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when the next message may go (at once the first time)."""
        if not self.interval:
            return
        with self._lock:
            now = self.clock()
            start = now if self._next_at is None else max(now, self._next_at)
            self._next_at = start + self.interval
        if start > now:
            self.sleep(start - now)


_process_limits: dict[float, RateLimit] = {}


def process_rate_limit() -> RateLimit:
    """The rate limit every MailSender in this process shares (BUDBRINGER_EMAIL_RATE)."""
    rate = settings.EMAIL_RATE
    return _process_limits.setdefault(rate, RateLimit(rate))


class MailSender:
    """Send messages one by one over one connection; a context manager for a batch."""

    def __init__(
        self,
        *,
        rate_limit: RateLimit | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.rate_limit = rate_limit or process_rate_limit()
        self.clock = clock  # for the idle check
        self._backend = None  # Django's e-mail backend, open; None until needed
        self._last_used = 0.0

    def __enter__(self) -> MailSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, message: EmailMessage) -> Result:
        """Hand over one message. A sent Result's detail is the message's Message-ID,
        which is given to the message here when it has none."""
        if not message.recipients():
            raise ValueError("a message needs at least one recipient")
        if not any(name.lower() == "message-id" for name in message.extra_headers):
            # A new dict: the caller may share one headers dict between messages.
            message.extra_headers = {
                **message.extra_headers,
                "Message-ID": make_msgid(domain=DNS_NAME),
            }
        self.rate_limit.wait()

        try:
            backend = self._open()
        except OSError as error:  # smtplib's errors are OSErrors too
            # Failing to connect, greet, start TLS or log in is about our setup or the
            # server's health, never this message: keep it for a retry, even on a 5xx.
            self._drop()
            return Result.temporary(f"connecting: {_describe(error)}")

        try:
            if isinstance(backend, SMTPBackend) and hasattr(message, "smtp_bytes"):
                _send_over_smtp(backend, message)
            else:
                backend.send_messages([message])
        except smtplib.SMTPRecipientsRefused as error:
            if any(code == 421 for code, _ in error.recipients.values()):
                self._drop()  # 421: the server is closing the connection
            return _recipients_refused(error)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            if error.smtp_code == 421:
                self._drop()
            return _refused(error)
        except OSError as error:
            # Disconnected, timed out, reset, or an answer smtplib did not expect: the
            # connection cannot be trusted any more.
            self._drop()
            return Result.temporary(_describe(error))
        finally:
            self._last_used = self.clock()
        return Result.sent(_message_id(message))

    def close(self) -> None:
        """Say goodbye to the server (QUIT) and close the connection."""
        backend, self._backend = self._backend, None
        if backend is None:
            return
        socket_owner = getattr(backend, "connection", None)
        try:
            backend.close()
        except OSError:
            if socket_owner is not None:
                socket_owner.close()

    def _open(self):
        if self._backend is not None and self._idle_too_long() and not self._still_open():
            self._drop()
        if self._backend is None:
            self._backend = get_connection(fail_silently=False)
            self._backend.open()
            self._last_used = self.clock()
        return self._backend

    def _idle_too_long(self) -> bool:
        return self.clock() - self._last_used >= IDLE_CHECK_SECONDS

    def _still_open(self) -> bool:
        smtp = getattr(self._backend, "connection", None)
        if smtp is None:
            return True  # not an SMTP backend (console, memory): nothing to check
        try:
            code, _ = smtp.noop()
        except OSError:
            return False
        return code == 250

    def _drop(self) -> None:
        """Forget a broken connection without QUIT, which a hung server would not answer
        either; the next message opens a new one."""
        backend, self._backend = self._backend, None
        smtp = getattr(backend, "connection", None)
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()  # closes the socket, no network traffic
            backend.connection = None


def _send_over_smtp(backend: SMTPBackend, message) -> None:
    """What Django's SMTP backend does for one message, with the message's own fast bytes
    (``smtp_bytes``) and the sender's address sanitised once per process."""
    encoding = message.encoding or settings.DEFAULT_CHARSET
    backend.connection.sendmail(
        _sanitized_sender(message.from_email, encoding),
        [sanitized_address(address, encoding) for address in message.recipients()],
        message.smtp_bytes(),
    )


@functools.lru_cache(maxsize=64)
def _sanitized_sender(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


def sanitized_address(address: str, encoding: str = "utf-8") -> str:
    """Django's ``sanitize_address``, without its parser for the plain addresses most are."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address  # what sanitize_address gives for it, without parsing
    return sanitize_address(address, encoding)


# local@domain, or Name <local@domain>, in ASCII with nothing to quote, encode or punycode;
# anything else (quoted names, dots in a name, bare <local@domain>, empty labels) is parsed.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"
_ADDR = rf"[{_ATEXT}.]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
_PLAIN_ADDRESS = re.compile(rf"(?:[{_ATEXT}]+(?: [{_ATEXT}]+)* <{_ADDR}>|{_ADDR})")


def _recipients_refused(error: smtplib.SMTPRecipientsRefused) -> Result:
    answers = {address: (code, _text(text)) for address, (code, text) in error.recipients.items()}
    if len(answers) == 1:
        detail = "{} {}".format(*next(iter(answers.values())))
    else:
        detail = "; ".join(f"{address}: {code} {text}" for address, (code, text) in answers.items())
    if not answers or any(not 500 <= code < 600 for code, _ in answers.values()):
        return Result.temporary(detail)  # 450 mailbox busy, 452 too many recipients...
    (code, text), *others = answers.values()
    return Result.permanent(
        detail, recipient_problem=not others and _about_recipient(code, text, bare_codes=True)
    )


def _refused(error: smtplib.SMTPResponseException) -> Result:
    """MAIL FROM or DATA refused: 4xx try again, 5xx give up."""
    text = _text(error.smtp_error)
    detail = f"{error.smtp_code} {text}"
    if not 500 <= error.smtp_code < 600:
        return Result.temporary(detail)
    # A refused sender is about us; a refused DATA only when the server says so clearly
    # ("550 5.1.1" after DATA, from servers that check recipients late).
    about_recipient = isinstance(error, smtplib.SMTPDataError) and _about_recipient(
        error.smtp_code, text, bare_codes=False
    )
    return Result.permanent(detail, recipient_problem=about_recipient)


def _about_recipient(code: int, text: str, *, bare_codes: bool) -> bool:
    """Whether a 5xx answer says the address itself is bad, so that nothing more should
    be sent there. Policy refusals (5.7.x: relaying denied, spam, authentication) and a
    full mailbox (5.2.2) are not: they are about us or pass with time."""
    enhanced = _ENHANCED.match(text)
    if enhanced:
        subject, detail = enhanced.groups()
        # X.1.x: addressing (no such mailbox, no such domain, bad syntax); 5.2.1: disabled.
        return subject == "1" or (subject, detail) == ("2", "1")
    # Without an enhanced code, RCPT's 550 (no such mailbox), 551 (not local) and 553
    # (name not allowed), unless the server is telling us it will not relay.
    return bare_codes and code in (550, 551, 553) and "relay" not in text.lower()


def _message_id(message: EmailMessage) -> str:
    return next(v for k, v in message.extra_headers.items() if k.lower() == "message-id")


def _text(answer: bytes | str) -> str:
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    return " ".join(answer.split())


def _describe(error: OSError) -> str:
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, OSError):
        error = error.__context__  # smtplib wraps a timeout or reset in this
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"
