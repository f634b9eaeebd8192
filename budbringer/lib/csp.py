"""A Content-Security-Policy for pages that show HTML from feeds.

Feed HTML is sanitised on the way in; this is the second lock: even if something slipped
through the sanitiser, the browser would run no script and load no plugin on these pages.
"""

from functools import wraps

FEED_HTML_POLICY = (
    "script-src 'none'; object-src 'none'; base-uri 'none'; "
    "frame-src 'none'; form-action 'self' https:"
)


def feed_html_policy(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", FEED_HTML_POLICY)
        return response

    return wrapper
