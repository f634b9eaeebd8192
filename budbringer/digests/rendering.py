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

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape

from .content import DigestContent

HTML_TEMPLATE = "digests/email.html"
TEXT_TEMPLATE = "digests/email.txt"

# Characters that would break out of List-Unsubscribe's <...> (newlines Django refuses itself).
_UNSAFE_IN_ANGLE_BRACKETS = re.compile(r"[<>\s]")


def render_html(content: DigestContent) -> str:
    """The HTML body: table layout, inline light colours, a dark-mode block, no scripts."""
    return render_bodies(content)[0]


def render_text(content: DigestContent) -> str:
    """The plain-text body: the same entries and links, numbered."""
    return render_bodies(content)[1]


def render_bodies(content: DigestContent) -> tuple[str, str]:
    """Both bodies. The templates are rendered once per shape of digest (its items,
    reasons, language and organisation), with markers where the person's own values go
    (their name and every signed link), then the markers are replaced: colleagues with
    the same items share one rendering, which is most of the cost of a digest."""
    masked, values = _masked(content)
    html, text = _render_masked(masked)
    escaped = [conditional_escape(value) for value in values]
    return (
        _MARKER.sub(lambda match: escaped[int(match[1])], html),
        _MARKER.sub(lambda match: values[int(match[1])], text),
    )


_MARKER = re.compile(r"bbmark(\d{4})z")


def _masked(content: DigestContent) -> tuple[DigestContent, list[str]]:
    """The content with the person's own values swapped for numbered markers."""
    values: list[str] = []

    def mark(value: str) -> str:
        if not value:
            return value  # keeps "{% if %}" true or false as it was
        values.append(value)
        return f"bbmark{len(values) - 1:04d}z"

    entries = tuple(
        replace(
            entry,
            url=mark(entry.url),
            more_url=mark(entry.more_url),
            fewer_url=mark(entry.fewer_url),
            shares=tuple(replace(share, url=mark(share.url)) for share in entry.shares),
        )
        for entry in content.entries
    )
    masked = replace(
        content,
        digest_id=0,
        person_name=mark(content.person_name),
        preferences_url=mark(content.preferences_url),
        unsubscribe_url=mark(content.unsubscribe_url),
        message_id="",
        recipient_email="",
        entries=entries,
    )
    return masked, values


@functools.lru_cache(maxsize=512)
def _render_masked(content: DigestContent) -> tuple[str, str]:
    with translation.override(content.language):
        html = compact_html(render_to_string(HTML_TEMPLATE, {"content": content}))
        text = _tidy(render_to_string(TEXT_TEMPLATE, {"content": content}))
    return html, text


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


def build_email(content: DigestContent, from_email: str | None = None) -> EmailMultiAlternatives:
    """The digest as a message ready to send; ``from_email`` defaults to DEFAULT_FROM_EMAIL.

    Django refuses a newline in any header value (BadHeaderError when the message is
    built), so a hostile subject cannot add headers.
    """
    if _UNSAFE_IN_ANGLE_BRACKETS.search(content.unsubscribe_url):
        raise ValueError(f"unsubscribe URL not usable in a header: {content.unsubscribe_url!r}")
    html, text = render_bodies(content)
    headers = {
        # Ours, not a fresh one per send: a resend of the same digest is recognisable.
        "Message-ID": content.message_id,
        # RFC 8058 one-click unsubscribe, which Gmail and Yahoo require of bulk senders:
        # mail programs POST "List-Unsubscribe=One-Click" to this URL. The URL must be HTTPS
        # in production and DKIM must sign both headers (the MTA's signing covers them).
        "List-Unsubscribe": f"<{content.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: sent by a program, so auto-responders (vacation replies) stay silent.
        "Auto-Submitted": "auto-generated",
        # Not a standard, and Gmail's guidelines do not ask for it, but Exchange and many
        # older vacation responders look only at Precedence; "bulk" is what a digest is.
        "Precedence": "bulk",
        # Exchange/Outlook: no out-of-office or auto replies; bounces (NDRs) still come back.
        "X-Auto-Response-Suppress": "OOF, AutoReply",
        "Content-Language": content.language,
    }
    message = _DigestMessage(
        subject=content.subject,
        body=text,
        from_email=from_email,
        to=[content.recipient_email] if content.recipient_email else [],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


class _DigestMessage(EmailMultiAlternatives):
    """Django's message, with the MIME boundary chosen as the e-mail package chooses it
    but checked with a substring search: the package compiles a new regular expression
    for every message to check its random boundary, a large part of building one."""

    def message(self):
        message = super().message()
        if message.is_multipart() and message.get_boundary() is None:
            texts = [self.body, *(content for content, _mimetype in self.alternatives)]
            if all(isinstance(text, str) for text in texts):
                message.set_boundary(_boundary(texts))
        return message


def _boundary(texts: list) -> str:
    """A boundary like email.generator's ("===============<digits>=="), in none of ``texts``."""
    while True:
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="
        if not any(boundary in text for text in texts):
            return boundary
