"""The Content-Security-Policy of every response: a strict baseline, and the few
additions some pages need, all in this file.

django-csp's middleware puts `BASELINE` (settings.CONTENT_SECURITY_POLICY) on every
response: our own scripts, styles, images and fonts only, nothing inline, no plugins, no
`<base>`, forms submitted only to us, and no framing. Even HTML that slipped past the
sanitiser could then run nothing and send no form to another site. A view that needs
more names its additions with `csp_allow(...)`; they apply to that view's responses only.
"""

from collections.abc import Callable

from csp.constants import NONE, SELF
from csp.decorators import csp_update

Sources = dict[str, list[str]]

BASELINE: Sources = {
    "default-src": [SELF],
    # Spelled out (default-src covers it) so that an addition extends it instead of
    # replacing it.
    "img-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

# Feed HTML (an item's content, the new-source preview): images from any https host. The
# sanitiser keeps no frame (a YouTube player becomes a link around its thumbnail on
# i.ytimg.com), so nothing else is needed; http images on an https page are upgraded.
FEED_HTML: Sources = {"img-src": ["https:"]}

# django-ninja's Swagger UI at /api/v1/docs: its stylesheet draws icons as data: images.
API_DOCS: Sources = {"img-src": ["data:"]}


def csp_allow(*additions: Sources) -> Callable:
    """A view decorator adding these sources to the baseline, for that view only."""
    merged: Sources = {}
    for addition in additions:
        for directive, sources in addition.items():
            merged.setdefault(directive, []).extend(sources)
    return csp_update(merged)
