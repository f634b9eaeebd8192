import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budbringer.settings")
django_application = get_wsgi_application()

from budbringer.links.fastpath import redirect_front  # noqa: E402  (needs Django set up)

# Tracked-link redirects skip Django's request handling (links/fastpath.py).
application = redirect_front(django_application)
