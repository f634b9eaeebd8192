"""A digest as an e-mail: both bodies hold every entry and link, the headers are exact."""

import email
import email.policy

import pytest
from django.core.mail import BadHeaderError

from budbringer.digests.content import DigestContent, Entry, ShareButton
from budbringer.digests.rendering import build_email, render_html, render_text

BASE = "https://budbringer.example"


def make_entry(number: int, **changes) -> Entry:
    fields = {
        "title": f"Fjord data centres go green, part {number}",
        "url": f"{BASE}/r/read-{number}",
        "source": "Nordlys blog",
        "summary": "Our new data centre runs on hydro power and cools itself with fjord water.",
        "reason": "Because you follow Industry news",
        "suggested_text": "Proud of our green data centres!",
        "shares": (
            ShareButton("linkedin", "Share on LinkedIn", f"{BASE}/s/linkedin-{number}"),
            ShareButton("x", "Share on X", f"{BASE}/s/x-{number}"),
            ShareButton("email", "Share by e-mail", f"{BASE}/s/email-{number}"),
        ),
    }
    return Entry(**(fields | changes))


def make_content(**changes) -> DigestContent:
    """Bob's digest from Nordlys: three entries, no images."""
    fields = {
        "digest_id": 123,
        "language": "en",
        "person_name": "Bob",
        "organisation_name": "Nordlys Systems",
        "subject": "3 new stories from Nordlys Systems",
        "preheader": "Fjord data centres go green, and more",
        "entries": tuple(make_entry(number) for number in (1, 2, 3)),
        "preferences_url": f"{BASE}/digests/preferences/signed-abc/",
        "unsubscribe_url": f"{BASE}/digests/unsubscribe/signed-abc/",
        "message_id": "<digest-123.abcd@budbringer.example>",
        "recipient_email": "bob@example.com",
    }
    return DigestContent(**(fields | changes))


def parsed(content: DigestContent) -> email.message.EmailMessage:
    """The message as a receiving mail program reads it."""
    raw = build_email(content, from_email="Budbringer <digest@budbringer.example>").message()
    return email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)


def test_headers_are_exact():
    content = make_content()
    message = parsed(content)

    assert message["Message-ID"] == "<digest-123.abcd@budbringer.example>"
    assert message["List-Unsubscribe"] == f"<{content.unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Precedence"] == "bulk"
    assert message["Content-Language"] == "en"
    assert message["Subject"] == "3 new stories from Nordlys Systems"
    assert message["To"] == "bob@example.com"
    assert message["From"] == "Budbringer <digest@budbringer.example>"


def test_a_resend_keeps_the_message_id():
    first, second = parsed(make_content()), parsed(make_content())
    assert first["Message-ID"] == second["Message-ID"] == "<digest-123.abcd@budbringer.example>"


def test_both_bodies_are_there():
    message = parsed(make_content())

    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # the richest last, as RFC 2046 asks


def test_every_entry_and_link_is_in_both_bodies():
    content = make_content()
    message = parsed(content)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()

    for body in (text, html):
        for entry in content.entries:
            assert entry.title in body
            assert entry.url in body
            assert entry.source in body
            assert f"Why: {entry.reason}" in body
            for share in entry.shares:
                assert share.url in body
                assert share.label in body
        assert content.preferences_url in body
        assert content.unsubscribe_url in body
        assert "You receive this digest from Nordlys Systems through Budbringer." in body


def test_plain_text_reads_as_a_numbered_list():
    text = render_text(make_content())

    assert "1. Fjord data centres go green, part 1\nhttps://budbringer.example/r/read-1\n" in text
    assert "\n3. Fjord data centres go green, part 3\n" in text
    assert "Share on LinkedIn: https://budbringer.example/s/linkedin-2\n" in text
    assert "Change what you get: https://budbringer.example/digests/preferences/signed-abc/" in text
    assert "Unsubscribe: https://budbringer.example/digests/unsubscribe/signed-abc/" in text
    assert "\n\n\n" not in text


def test_html_links_titles_and_buttons():
    content = make_content()
    html = render_html(content)

    for entry in content.entries:
        assert f'<a class="title-link" href="{entry.url}"' in html
        for share in entry.shares:
            assert f'<a class="button" href="{share.url}"' in html
    assert f'href="{content.preferences_url}"' in html
    assert f'href="{content.unsubscribe_url}"' in html
    assert "Fjord data centres go green, and more" in html  # the preheader


def test_html_is_made_for_mail_programs():
    html = render_html(make_content())

    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="supported-color-schemes" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "max-width:600px" in html
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()  # no external CSS or fonts
    assert "<form" not in html.lower()
    assert "@import" not in html


def test_hostile_texts_are_escaped():
    hostile = '<script>alert("x")</script>'
    content = make_content(
        entries=(make_entry(1, title=hostile, source=hostile, summary=hostile, reason=hostile),),
        organisation_name=hostile,
        person_name=hostile,
        preheader=hostile,
    )
    html = render_html(content)

    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # The plain text is not HTML: it shows the words as they are.
    assert f"1. {hostile}\n" in render_text(content)


def test_hostile_urls_stay_inside_their_attribute():
    entry = make_entry(1, url='https://budbringer.example/r/1" onmouseover="alert(1)')
    html = render_html(make_content(entries=(entry,)))

    assert 'onmouseover="' not in html
    assert "&quot; onmouseover=&quot;alert(1)" in html


def test_no_image_tag_without_an_image():
    assert "<img" not in render_html(make_content())


def test_an_image_has_size_and_alt_text():
    entry = make_entry(1, image_url="https://images.example.com/fjord.jpg")
    html = render_html(make_content(entries=(entry,)))

    assert html.count("<img") == 1
    assert 'src="https://images.example.com/fjord.jpg"' in html
    assert 'width="598" height="314"' in html
    assert f'alt="{entry.title}"' in html


@pytest.mark.parametrize("language", ["en", "sv", "nb", "da", "nl"])
def test_html_says_its_language(language):
    content = make_content(language=language)
    assert f'<html lang="{language}"' in render_html(content)
    assert parsed(content)["Content-Language"] == language


def test_without_a_name_there_is_no_greeting():
    content = make_content(person_name="")
    assert "Hi " not in render_html(content)
    assert "Hi " not in render_text(content)


def test_no_recipient_means_no_to_header():
    assert build_email(make_content(recipient_email="")).to == []


def test_from_defaults_to_the_configured_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Budbringer <noreply@budbringer.example>"
    assert build_email(make_content()).from_email == "Budbringer <noreply@budbringer.example>"


def test_message_serialises_with_non_ascii_texts():
    entry = make_entry(1, title="Blåbær og fjordvann: grønn strøm")
    content = make_content(language="nb", subject="Nytt fra Nordlys: grønn strøm", entries=(entry,))
    message = parsed(content)

    assert message["Subject"] == "Nytt fra Nordlys: grønn strøm"
    assert "Blåbær og fjordvann" in message.get_body(("plain",)).get_content()
    assert "Blåbær og fjordvann" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "Hello\nBcc: everyone@example.com"},
        {"message_id": "<digest-1@host>\r\nBcc: everyone@example.com"},
        {"recipient_email": "bob@example.com\nBcc: everyone@example.com"},
    ],
)
def test_header_injection_is_refused(changes):
    with pytest.raises((BadHeaderError, ValueError)):
        build_email(make_content(**changes)).message()


@pytest.mark.parametrize("url", [f"{BASE}/u>, <https://evil.example/", f"{BASE}/u\nBcc: x"])
def test_unsubscribe_url_cannot_break_its_header(url):
    with pytest.raises(ValueError, match="unsubscribe URL"):
        build_email(make_content(unsubscribe_url=url))


def test_the_shared_rendering_gives_each_person_exactly_their_own_mail():
    """Colleagues with the same items share one template rendering; the result must be
    what rendering each mail on its own gives, names escaped, every link their own."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from budbringer.digests.rendering import _render_shape, _tidy, compact_html, render_bodies

    def direct(content):
        with translation.override(content.language):
            html = compact_html(render_to_string("digests/email.html", {"content": content}))
            text = _tidy(render_to_string("digests/email.txt", {"content": content}))
        return html, text

    _render_shape.cache_clear()
    people = [
        make_content(person_name="Åsa & <b>Ö</b>", preferences_url=f"{BASE}/p/a"),
        make_content(
            person_name="Bob",
            preferences_url=f"{BASE}/p/b",
            entries=tuple(make_entry(n, url=f"{BASE}/r/bob-{n}", shares=()) for n in (1, 2, 3)),
        ),
        make_content(person_name="", preferences_url=f"{BASE}/p/c"),
    ]

    def same(first: str, second: str) -> bool:  # line breaks fall elsewhere; HTML alike
        return first.split() == second.split()

    for content in people:
        (html, text), (direct_html, direct_text) = render_bodies(content), direct(content)
        assert same(html, direct_html) and text == direct_text
        assert max(len(line) for line in html.splitlines()) < 998
    assert "&lt;b&gt;" in render_bodies(people[0])[0]
    assert "<b>" in render_bodies(people[0])[1]  # plain text is not escaped
    assert _render_shape.cache_info().misses == 3  # three shapes of digest
    render_bodies(make_content(person_name="Carl", preferences_url=f"{BASE}/p/d"))
    assert _render_shape.cache_info().hits >= 1
