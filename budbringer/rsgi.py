"""The application `budbringer serve` runs (granian, RSGI).

Tracked-link redirects are answered on the event loop (links/fastpath.py), so a request
waiting for its click's commit holds no thread; everything else is Django's WSGI
handler in a pool of `BUDBRINGER_WEB_THREADS` threads (lib/wsgi_bridge.py). Clicks are
stored by the click writer process that `budbringer serve` starts (links/writer_process.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budbringer.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (needs Django set up)

from budbringer.lib.wsgi_bridge import WSGIBridge  # noqa: E402
from budbringer.links.fastpath import RedirectFront  # noqa: E402
from budbringer.links.writer_process import SOCKET_VARIABLE, WriterClient  # noqa: E402

# `budbringer serve` runs a click writer process; elsewhere each process writes its own.
_writer_socket = os.environ.get(SOCKET_VARIABLE)
application = RedirectFront(
    WSGIBridge(django_application, threads=settings.WEB_THREADS),
    clicks=WriterClient(_writer_socket) if _writer_socket else None,
)
