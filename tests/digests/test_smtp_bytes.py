"""The digest's own MIME writer gives what Django's message would, as any reader parses it."""

import email
from email import policy

import pytest

from budbringer.digests.rendering import build_email
from tests.digests.test_rendering import make_content


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def structure(message) -> dict:
    """Everything a mail program shows or acts on, with the per-send values left out."""
    # Stripped: Django's long encoded subject decodes with a leading space (the e-mail
    # package folds the already encoded words again); the fast writer's does not.
    headers = {
        name: str(value).strip()
        for name, value in message.items()
        if name.lower() not in ("date", "content-type")
    }
    parts = [
        (part.get_content_type(), part.get_content_charset(), part["Content-Transfer-Encoding"],
         part.get_content())
        for part in message.iter_parts()
    ]  # fmt: skip
    return {"type": message.get_content_type(), "headers": headers, "parts": parts}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "subject": "Fem nyheter för dig från Nordlys: fjorddatacentret, vätgas och ännu mer "
            "om energi, lång rubrik som måste vikas"
        },
        {"person_name": "Åsa Ødegård", "recipient_email": "Åsa Ødegård <asa@nordlys.example>"},
        {"language": "nl"},
    ],
)
def test_fast_bytes_parse_like_djangos_message(changes):
    message = build_email(make_content(**changes), from_email="Budbringer <digest@b.example>")
    fast, django = parsed(message.smtp_bytes()), parsed(message.message().as_bytes(linesep="\r\n"))
    assert structure(fast) == structure(django)
    assert fast["Date"] and fast.get_boundary() not in message.body


def test_lines_use_crlf_and_stay_within_smtp_limits():
    raw = build_email(make_content(), from_email="digest@b.example").smtp_bytes()
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 998


def test_a_newline_in_a_header_is_refused():
    from django.core.mail import BadHeaderError

    message = build_email(make_content(), from_email="digest@b.example")
    message.extra_headers = {**message.extra_headers, "X-Evil": "a\r\nBcc: victim@x.example"}
    with pytest.raises(BadHeaderError):
        message.smtp_bytes()


def test_very_long_lines_fall_back_to_quoted_printable():
    message = build_email(make_content(), from_email="digest@b.example")
    message.body = "x" * 2000 + "\n"
    raw = parsed(message.smtp_bytes())
    assert raw.get_body(("plain",))["Content-Transfer-Encoding"] == "quoted-printable"
    assert raw.get_body(("plain",)).get_content().strip() == "x" * 2000


@pytest.mark.parametrize(
    "address",
    [
        "p1@example.com",
        "Person p1 <p1@example.com>",
        "O'Brien <o@b.example>",
        "a.b+tag@mail.example.com",
        "Person p1 p1@example.com",
        "<p1@example.com>",
        "A  B <a@b.example>",
        "Ann.B <a@b.example>",
        '"Ann" <a@b.example>',
        "Ünï <a@b.example>",
        "a@bücher.example",
        "a@b..example",
        "a@b.example.",
    ],
)
def test_the_address_shortcut_gives_what_djangos_sanitizer_gives(address):
    from django.core.mail.message import sanitize_address

    from budbringer.digests.mail import sanitized_address

    try:
        expected = sanitize_address(address, "utf-8")
    except ValueError as error:
        with pytest.raises(type(error)):
            sanitized_address(address, "utf-8")
    else:
        assert sanitized_address(address, "utf-8") == expected
