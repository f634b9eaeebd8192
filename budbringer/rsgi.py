"""The application `budbringer serve` runs (granian, RSGI).

Tracked-link redirects are answered on the event loop (links/fastpath.py): under `serve`
each click goes to this worker's click journal before its 302, and the click ingester
that `serve` starts stores it (links/journal.py, links/ingester.py). Everything else is
Django's WSGI handler in a pool of `BUDBRINGER_WEB_THREADS` threads (lib/wsgi_bridge.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budbringer.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (needs Django set up)

from budbringer.lib.wsgi_bridge import WSGIBridge  # noqa: E402
from budbringer.links.fastpath import RedirectFront  # noqa: E402
from budbringer.links.journal import FOLDER_VARIABLE, ClickJournal  # noqa: E402

# Under `budbringer serve` an ingester reads the journal; elsewhere nobody would, so each
# process stores its clicks itself (a writer thread, links/fastpath.py).
_journal = os.environ.get(FOLDER_VARIABLE)
application = RedirectFront(
    WSGIBridge(django_application, threads=settings.WEB_THREADS),
    clicks=ClickJournal(_journal) if _journal else None,
)
