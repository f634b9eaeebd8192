"""A digest as an e-mail: the HTML and plain-text bodies and the message with its headers.

Takes only a ``DigestContent`` (plain data, already in the person's language), so it is
tested without a database. Fixed words are translated under the person's language.
"""

from __future__ import annotations

import functools
import random
import re
import sys
from dataclasses import replace
from email.header import Header
from email.utils import formatdate
from html import escape as html_escape

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils import translation

from .content import (
    MARKER_PATTERN,
    DigestContent,
    PersonalDigest,
    marker,
    with_personal_values,
)
from .mail import sanitized_address

HTML_TEMPLATE = "digests/email.html"
TEXT_TEMPLATE = "digests/email.txt"

# Characters that would break out of List-Unsubscribe's <...> (newlines Django refuses itself).
_UNSAFE_IN_ANGLE_BRACKETS = re.compile(r"[<>\s]")


def render_html(content: DigestContent | PersonalDigest) -> str:
    """The HTML body: table layout, inline light colours, a dark-mode block, no scripts."""
    return render_bodies(content)[0]


def render_text(content: DigestContent | PersonalDigest) -> str:
    """The plain-text body: the same entries and links, numbered."""
    return render_bodies(content)[1]


def render_bodies(content: DigestContent | PersonalDigest) -> tuple[str, str]:
    """Both bodies. The templates are rendered once per shape of digest (its items,
    reasons, language and organisation), with markers where the person's own values go
    (their name and every signed link), then the markers are replaced: colleagues with
    the same items share one rendering, which is most of the cost of a digest."""
    personal = content if isinstance(content, PersonalDigest) else personal_parts(content)
    html, text = _render_shape(personal.shape)
    # html.escape is what conditional_escape does to a plain str, without its checks.
    escaped = [html_escape(value) for value in personal.values]
    return _fill(html, escaped), _fill(text, personal.values)


def _fill(pieces: tuple, values) -> str:
    """Join a rendering split at its markers (text, marker number, text, ...) with values."""
    return "".join(
        [piece if position % 2 == 0 else values[piece] for position, piece in enumerate(pieces)]
    )


def _split_at_markers(rendered: str) -> tuple:
    pieces = MARKER_PATTERN.split(rendered)
    return tuple(piece if at % 2 == 0 else int(piece) for at, piece in enumerate(pieces))


def personal_parts(content: DigestContent) -> PersonalDigest:
    """A whole content split into a shape and the person's values (what
    ``composition.personal_digest`` makes straight from the database)."""
    values: list[str] = []

    def mark(value: str) -> str:
        if not value:
            return value  # keeps "{% if %}" true or false as it was
        values.append(value)
        return marker(len(values) - 1)

    shape = replace(
        with_personal_values(content, mark), digest_id=0, message_id="", recipient_email=""
    )
    return PersonalDigest(
        shape=shape,
        values=tuple(values),
        digest_id=content.digest_id,
        message_id=content.message_id,
        recipient_email=content.recipient_email,
    )


@functools.lru_cache(maxsize=512)
def _render_shape(shape: DigestContent) -> tuple[tuple, tuple]:
    """Both renderings of a digest's shape, split at its markers."""
    with translation.override(shape.language):
        html = compact_html(render_to_string(HTML_TEMPLATE, {"content": shape}))
        text = _tidy(render_to_string(TEXT_TEMPLATE, {"content": shape}))
    return _split_at_markers(html), _split_at_markers(text)


# Lines of the HTML body are joined up to this length: far fewer lines make the message
# much cheaper to build and send, and the signed links put in afterwards (about 100
# characters each, a few per line) keep every line under the 998 of RFC 5322.
HTML_LINE = 450


def compact_html(html: str) -> str:
    """The same HTML in fewer, longer lines: a newline and its indentation become one
    space, which HTML treats the same (the e-mail has no <pre> or <textarea>)."""
    lines, current = [], ""
    for piece in (part.strip() for part in html.splitlines()):
        if not piece:
            continue
        if current and len(current) + 1 + len(piece) > HTML_LINE:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        lines.append(current)
    return "\n".join(lines) + "\n"


def _tidy(text: str) -> str:
    """Drop the spaces template tags leave at line ends and keep at most one blank line."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def build_email(
    content: DigestContent | PersonalDigest, from_email: str | None = None
) -> EmailMultiAlternatives:
    """The digest as a message ready to send; ``from_email`` defaults to DEFAULT_FROM_EMAIL.

    Django refuses a newline in any header value (BadHeaderError when the message is
    built), so a hostile subject cannot add headers.
    """
    personal = content if isinstance(content, PersonalDigest) else personal_parts(content)
    unsubscribe_url = personal.unsubscribe_url
    if _UNSAFE_IN_ANGLE_BRACKETS.search(unsubscribe_url):
        raise ValueError(f"unsubscribe URL not usable in a header: {unsubscribe_url!r}")
    html, text = render_bodies(personal)
    shape = personal.shape
    headers = {
        # Ours, not a fresh one per send: a resend of the same digest is recognisable.
        "Message-ID": personal.message_id,
        # RFC 8058 one-click unsubscribe, which Gmail and Yahoo require of bulk senders:
        # mail programs POST "List-Unsubscribe=One-Click" to this URL. The URL must be HTTPS
        # in production and DKIM must sign both headers (the MTA's signing covers them).
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: sent by a program, so auto-responders (vacation replies) stay silent.
        "Auto-Submitted": "auto-generated",
        # Not a standard, and Gmail's guidelines do not ask for it, but Exchange and many
        # older vacation responders look only at Precedence; "bulk" is what a digest is.
        "Precedence": "bulk",
        # Exchange/Outlook: no out-of-office or auto replies; bounces (NDRs) still come back.
        "X-Auto-Response-Suppress": "OOF, AutoReply",
        "Content-Language": shape.language,
    }
    message = _DigestMessage(
        subject=shape.subject,
        body=text,
        from_email=from_email,
        to=[personal.recipient_email] if personal.recipient_email else [],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


class _DigestMessage(EmailMultiAlternatives):
    """Django's message, with two shortcuts for the many digests a worker sends.

    ``message()`` chooses the MIME boundary as the e-mail package does but checks it with a
    substring search (the package compiles a regular expression per message for that).
    ``smtp_bytes()`` writes the same MIME structure straight to bytes for the SMTP
    connection: the e-mail package's generator and header folding were the largest cost of
    sending a digest. It falls back to ``message()`` for anything unusual.
    """

    def message(self):
        message = super().message()
        if message.is_multipart() and message.get_boundary() is None:
            texts = [self.body, *(content for content, _mimetype in self.alternatives)]
            if all(isinstance(text, str) for text in texts):
                message.set_boundary(_boundary(texts))
        return message

    def smtp_bytes(self) -> bytes:
        """The message as ``message().as_bytes(linesep="\\r\\n")`` would give it, parsed the
        same way by any reader (tests/digests/test_smtp_bytes.py compares the two)."""
        parts = [(self.body, self.content_subtype)]
        parts += [(content, mimetype.partition("/")[2]) for content, mimetype in self.alternatives]
        if (
            self.attachments
            or self.cc
            or self.bcc
            or self.reply_to
            or len(parts) != 2
            or (self.encoding or settings.DEFAULT_CHARSET).lower() != "utf-8"
            or not all(isinstance(text, str) for text, _subtype in parts)
        ):
            return self.message().as_bytes(linesep="\r\n")
        bodies = [_crlf(text).encode() for text, _subtype in parts]
        if any(_too_long(body) for body in bodies):
            return self.message().as_bytes(linesep="\r\n")
        names = {name.lower() for name in self.extra_headers}
        boundary = _boundary([text for text, _subtype in parts])
        head = [
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            "MIME-Version: 1.0",
            _header("Subject", self.subject),
            _header("From", _address(self.extra_headers.get("From", self.from_email))),
        ]
        if self.to:
            head.append(_header("To", ", ".join(_address(to) for to in self.to)))
        if "date" not in names:
            head.append(f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}")
        if "message-id" not in names:
            head.append(f"Message-ID: {make_msgid(domain=DNS_NAME)}")
        head += [
            _header(name, value)
            for name, value in self.extra_headers.items()
            if name.lower() != "from"
        ]
        out = [("\r\n".join(head) + "\r\n\r\n").encode()]
        for body, (_text, subtype) in zip(bodies, parts, strict=True):
            encoding = "7bit" if body.isascii() else "8bit"
            out += [
                f"--{boundary}\r\n"
                f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
                "MIME-Version: 1.0\r\n"
                f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode(),
                body,
                b"\r\n",
            ]
        out.append(f"--{boundary}--\r\n".encode())
        return b"".join(out)


def _too_long(body: bytes) -> bool:
    """A line longer than SMTP allows: Django then switches to quoted-printable. ``body``
    is split at CR LF only, so its lines are never shorter than the ones Django measures
    (it also splits at form feeds and the like): when in doubt, Django's own message."""
    return max(map(len, body.split(b"\r\n"))) > RFC5322_MAX_LINE


RFC5322_MAX_LINE = 998


def _crlf(text: str) -> str:
    """Every line break (CR LF, CR or LF, as the e-mail package's generator sees them) as
    CR LF; str.replace runs in C, a regular expression split took as long as the rest."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _header(name: str, value: str) -> str:
    """One header line, folded and encoded as Django's message would have it; a newline
    in a value is refused (BadHeaderError), as Django refuses it."""
    value = str(value)
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name!r})")
    line = f"{name}: {value}"
    if len(line) <= 78 and value.isascii():
        return line
    charset = "us-ascii" if value.isascii() else "utf-8"
    folded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    return f"{name}: {folded}"


def _address(address: str) -> str:
    """An address as Django puts it in a header: display name encoded, domain punycoded."""
    return sanitized_address(address, "utf-8")


def _boundary(texts: list) -> str:
    """A boundary like email.generator's ("===============<digits>=="), in none of ``texts``."""
    while True:
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="
        if not any(boundary in text for text in texts):
            return boundary
