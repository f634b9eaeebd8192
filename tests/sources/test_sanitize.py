"""Feed HTML keeps its words, links and pictures and loses everything that could run or track."""

import pytest

from budbringer.sources.sanitize import html_to_text, sanitize_html
from tests.sources.unsafe_html import XSS_VECTORS, unsafe_parts

BASE = "https://blog.example.com/2026/11/fjord"


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_nothing_that_can_run_survives(vector):
    cleaned = sanitize_html(vector, BASE)
    assert unsafe_parts(cleaned) == [], cleaned
    lowered = cleaned.lower()
    for word in ("<script", "javascript:", "vbscript:", "data:", "onerror", "style=", "<iframe"):
        assert word not in lowered, cleaned


def test_text_and_structure_are_kept():
    html = (
        "<h2>Cooling</h2><p>Fjord <strong>water</strong> &amp; <em>heat</em> pumps.</p>"
        "<ul><li>one</li></ul><blockquote>quoted</blockquote><pre><code>x = 1</code></pre>"
        '<figure><img src="https://cdn.example.com/a.jpg" alt="A pump" width="640">'
        "<figcaption>A pump</figcaption></figure><table><tr><td colspan=2>cell</td></tr></table>"
    )
    assert sanitize_html(html, BASE) == (
        "<h2>Cooling</h2><p>Fjord <strong>water</strong> &amp; <em>heat</em> pumps.</p>"
        "<ul><li>one</li></ul><blockquote>quoted</blockquote><pre><code>x = 1</code></pre>"
        '<figure><img src="https://cdn.example.com/a.jpg" alt="A pump" width="640" '
        'loading="lazy" referrerpolicy="no-referrer">'
        '<figcaption>A pump</figcaption></figure><table><tbody><tr><td colspan="2">cell</td>'
        "</tr></tbody></table>"
    )


def test_links_open_in_a_new_tab_without_telling_the_target_anything():
    cleaned = sanitize_html('<a href="https://news.example.com/x" rel="author">news</a>')
    assert cleaned == (
        '<a href="https://news.example.com/x" target="_blank" '
        'rel="noopener noreferrer nofollow">news</a>'
    )
    assert 'href="mailto:press@example.com"' in sanitize_html(
        '<a href="mailto:press@example.com">mail</a>'
    )


def test_relative_urls_are_resolved_against_the_base():
    cleaned = sanitize_html(
        '<a href="../about/">About</a> <a href="#part-2">part 2</a> '
        '<img src="/images/fjord.jpg" alt=""> <img src="//cdn.example.com/b.png" alt="">',
        BASE,
    )
    assert 'href="https://blog.example.com/2026/about/"' in cleaned
    assert 'href="https://blog.example.com/2026/11/fjord#part-2"' in cleaned
    assert 'src="https://blog.example.com/images/fjord.jpg"' in cleaned
    assert 'src="https://cdn.example.com/b.png"' in cleaned


def test_without_a_base_relative_urls_are_dropped():
    cleaned = sanitize_html('<a href="/about/">About</a><img src="/a.png" alt="">x')
    assert cleaned == '<a target="_blank" rel="noopener noreferrer nofollow">About</a>x'
    # A base that is not http(s) is no base.
    assert "file:" not in sanitize_html('<a href="a">x</a>', "file:///etc/passwd")


@pytest.mark.parametrize(
    "player",
    [
        '<iframe width="560" height="315" src="https://www.youtube.com/embed/aBcDeFgHiJk?rel=0" '
        'frameborder="0" allowfullscreen></iframe>',
        "<iframe src='https://www.youtube-nocookie.com/embed/aBcDeFgHiJk'></iframe>",
        "<IFRAME SRC=//youtube.com/embed/aBcDeFgHiJk>fallback text</IFRAME>",
        '<iframe src="https://youtu.be/aBcDeFgHiJk"></iframe>',
        '<iframe src="https&#58;//www.youtube.com/embed/aBcDeFgHiJk"></iframe>',
        '<iframe class="video" src="http://m.youtube.com/embed/aBcDeFgHiJk" />',
        '<object width="425" height="344"><param name="movie" value="http://www.youtube.com/v/'
        'aBcDeFgHiJk"></param><embed src="http://www.youtube.com/v/aBcDeFgHiJk" '
        'type="application/x-shockwave-flash"></embed></object>',
    ],
)
def test_youtube_players_become_a_link_to_the_video(player):
    assert sanitize_html(f"<p>Watch:</p>{player}", BASE) == (
        '<p>Watch:</p><a href="https://www.youtube.com/watch?v=aBcDeFgHiJk" target="_blank" '
        'rel="noopener noreferrer nofollow"><img src="https://i.ytimg.com/vi/aBcDeFgHiJk/'
        'hqdefault.jpg" alt="YouTube video" loading="lazy" referrerpolicy="no-referrer"></a>'
    )


@pytest.mark.parametrize(
    "player",
    [
        '<iframe src="https://player.vimeo.com/video/123456"></iframe>',
        '<iframe src="https://evil.example/embed/aBcDeFgHiJk"></iframe>',
        '<iframe src="https://evil.example/?u=https://www.youtube.com/embed/aBcDeFgHiJk"></iframe>',
        '<iframe src="https://youtube.com.evil.example/embed/aBcDeFgHiJk"></iframe>',
        '<iframe src="https://youtube.com@evil.example/embed/aBcDeFgHiJk"></iframe>',
        '<iframe src="javascript:alert(1)//youtube.com/embed/aBcDeFgHiJk"></iframe>',
        '<iframe src="https://www.youtube.com/embed/aBcDeFg"></iframe>',  # too short
        '<iframe src="https://www.youtube.com/embed/aBcDeFgHiJkLm"></iframe>',  # too long
        '<iframe src="https://www.youtube.com/embed/aBcDeFgHiJk"><script>alert(1)</script>',
        "<embed src='https://evil.example/x.swf'>",
    ],
)
def test_every_other_player_is_removed(player):
    cleaned = sanitize_html(f"<p>before</p>{player}<p>after</p>", BASE)
    assert "youtube.com/watch" not in cleaned or "evil" not in cleaned
    assert "iframe" not in cleaned and "embed" not in cleaned
    assert unsafe_parts(cleaned) == []


@pytest.mark.parametrize(
    "pixel",
    [
        '<img src="http://feeds.feedburner.com/~r/nordlys/~4/AbCdEf" height="1" width="1" alt="">',
        '<img src="https://pixel.wp.com/g.gif?host=blog.example.com&amp;blog=1" alt="">',
        '<img src="https://stats.wordpress.com/b.gif?v=noscript" alt="">',
        '<img src="https://ad.doubleclick.net/ddm/ad/N1.1;sz=1x1" alt="">',
        '<img src="https://www.google-analytics.com/collect?v=1&amp;tid=UA-1" alt="">',
        '<img src="https://nordlys.us1.list-manage.com/track/open.php?u=1&amp;id=2" alt="">',
        '<img src="https://mail.example.com/open.php?id=42" alt="">',
        '<img src="https://blog.example.com/counter.gif" width="1" height="1" alt="">',
        '<img src="https://blog.example.com/counter.gif" width="0" alt="">',
        '<img src="https://blog.example.com/counter.gif" height="1px" alt="">',
        '<img src="//pixel.wp.com/g.gif" alt="">',
    ],
)
def test_tracking_pixels_are_removed(pixel):
    assert sanitize_html(f"<p>Words{pixel}</p>", BASE) == "<p>Words</p>"


def test_ordinary_images_stay():
    kept = (
        '<img src="https://cdn.example.com/beacons-of-light.jpg" width="800" height="600" alt="">'
    )
    assert sanitize_html(kept).startswith('<img src="https://cdn.example.com/beacons-of-light.jpg"')


def test_html_to_text_keeps_the_words_apart_and_drops_scripts():
    html = (
        "<h2>Title</h2><p>First&nbsp;line<br>second &amp; third</p><ul><li>one</li><li>two</li>"
        "</ul><script>alert(1)</script><style>p{}</style><p>wo<em>r</em>d &lt;tag&gt;</p>"
    )
    assert html_to_text(html) == "Title First line second & third one two word <tag>"
    assert html_to_text("plain   words\n here") == "plain words here"
    assert html_to_text("") == ""
