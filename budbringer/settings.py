"""Budbringer settings: every value comes from the environment, with a safe default.

docs/configuration.md lists each variable; keep the two in step.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from budbringer.lib import csp
from budbringer.lib.env import env_bool, env_int, env_int_map, env_list, env_str
from budbringer.lib.secret_key import load_or_create_secret_key

PACKAGE_DIR = Path(__file__).resolve().parent

# Where the SQLite database, the generated secret key and other state live.
DATA_DIR = Path(env_str("BUDBRINGER_DATA_DIR", str(Path.cwd() / "data"))).resolve()

# Generated on first run and kept in DATA_DIR when not given.
SECRET_KEY = env_str("SECRET_KEY", "") or load_or_create_secret_key(DATA_DIR)

# Fernet keys for secrets at rest (lib/encryption.py), newest first; derived from
# SECRET_KEY when empty.
ENCRYPTION_KEYS = env_list("BUDBRINGER_ENCRYPTION_KEYS", [])

# Never on by default: tracebacks would leak settings and data.
DEBUG = env_bool("DEBUG", False)

# Public address of this installation; tracked links and e-mails are built from it.
BASE_URL = env_str("BUDBRINGER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in ("http", "https") or not _base.hostname:
    raise ImproperlyConfigured(f"BUDBRINGER_BASE_URL must be an http(s) address: {BASE_URL!r}")

# Host names this installation answers to; the host of BASE_URL is always allowed.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
if _base.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_base.hostname)
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "budbringer.accounts",
    "budbringer.sources",
    "budbringer.content",
    "budbringer.sharing",
    "budbringer.links",
    "budbringer.analytics",
    "budbringer.api",
    "budbringer.relevance",
    "budbringer.timing",
    "budbringer.digests",
    "budbringer.leads",
    "budbringer.people",
    "budbringer.sso",
    "budbringer.scim",
    "budbringer.mfa",
    "budbringer.demo",
    "budbringer.core",
    "ninja",  # serves the API docs page's assets from our static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # sign-in throttling (budbringer/accounts/lockout.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "budbringer.accounts.middleware.PersonMiddleware",
    # Holds someone the second-factor policy applies to on the page to set one up.
    "budbringer.mfa.flow.EnrolmentRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "budbringer.urls"
WSGI_APPLICATION = "budbringer.wsgi.application"
ASGI_APPLICATION = "budbringer.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Default: a SQLite file in DATA_DIR. Production: postgres://user:pass@host/db (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'budbringer.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once (web server and worker);
        # IMMEDIATE takes the write lock up front so transactions wait instead of failing.
        # mmap: each request has a new connection with an empty page cache; reading the file
        # through the operating system's cache directly halves the dashboard's big reads.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA mmap_size=1073741824;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "for_you"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes, budbringer/accounts/lockout.py): axes' backend refuses a
# locked sign-in before the password is checked; failures are kept in the database.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "budbringer.accounts.lockout.SignInLockout"
# Wrong passwords for one username, from any address, that lock it.
AXES_FAILURE_LIMIT = env_int("BUDBRINGER_LOGIN_LIMIT_PER_ACCOUNT", 5, minimum=1)
# Wrong passwords from one client address, for any usernames, that lock the address.
LOGIN_LIMIT_PER_IP = env_int("BUDBRINGER_LOGIN_LIMIT_PER_IP", 30, minimum=1)
# How long failures count, so how long a lock lasts after the last attempt.
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("BUDBRINGER_LOGIN_LOCK_MINUTES", 15, minimum=1))
# Each counted on its own (this order: SignInLockout.failures reads them so).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "budbringer.accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "budbringer.accounts.views.locked_out"
# Privacy: no record of successful sign-ins, no permanent log of failures, and neither the
# username typed nor the CSRF token in a failure's stored form data.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_ENABLE_ADMIN = False
# Minutes a password reset link works (once: Django's token generator); Django's own 3 days
# are too long for a link that may sit in a mailbox.
PASSWORD_RESET_TIMEOUT = 60 * env_int("BUDBRINGER_PASSWORD_RESET_MINUTES", 60, minimum=1)
# Reset links asked for within an hour, per e-mail address and per client address.
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("BUDBRINGER_PASSWORD_RESET_LIMIT_PER_EMAIL", 3, minimum=1)
PASSWORD_RESET_LIMIT_PER_IP = env_int("BUDBRINGER_PASSWORD_RESET_LIMIT_PER_IP", 10, minimum=1)
# How long an invitation's link works, and when one reminder goes to who has not accepted.
INVITATION_DAYS = env_int("BUDBRINGER_INVITATION_DAYS", 14, minimum=1)
INVITATION_REMINDER_DAYS = env_int("BUDBRINGER_INVITATION_REMINDER_DAYS", 5, minimum=1)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("nb", _("Norwegian Bokmål")),
    ("da", _("Danish")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# `budbringer serve` collects static files here; with DEBUG they come straight from the package.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The same policy on every response; the few pages that need more say so (lib/csp.py).
CONTENT_SECURITY_POLICY = {"DIRECTIVES": csp.BASELINE}
# Set when behind a reverse proxy that sends X-Forwarded-Proto and X-Forwarded-For.
BEHIND_PROXY = env_bool("BUDBRINGER_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Threads per `budbringer serve` process for Django's pages; redirects wait without one.
WEB_THREADS = env_int("BUDBRINGER_WEB_THREADS", 8, minimum=1)

# Background work: Django's Tasks API, run by `budbringer worker`. Tasks are stored in the
# database unless the backend is django_tasks_rq.RQBackend, a Redis queue for several workers.
TASK_BACKEND = env_str("BUDBRINGER_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASK_BACKEND, "QUEUES": []}}
# The Redis database of the RQ backend (django-rq's queues); unused by the database backend.
REDIS_URL = env_str("BUDBRINGER_REDIS_URL", "redis://127.0.0.1:6379/0")
# A job running longer than this is stopped (fetch passes and retraining stay well below).
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 900}}
if TASK_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")  # its rqworker command runs the tasks

# Outgoing e-mail (digests, lead alerts) through Django's SMTP backend and its settings.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# STARTTLS on a submission port (587), or TLS from the first byte (465); not both.
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
# Seconds one SMTP step may take; a hung server costs a worker this long, then a retry.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# Where the file-based backend writes (the demo uses it when no mail server is set up).
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Budbringer <budbringer@localhost>")
# Messages per second one worker process hands to the SMTP server (0: no limit).
EMAIL_RATE = env_int("BUDBRINGER_EMAIL_RATE", 10, minimum=0)

# Length of generated tracked-link codes (base 62).
LINK_CODE_LENGTH = env_int("BUDBRINGER_LINK_CODE_LENGTH", 8, minimum=6)
# Where `budbringer serve`'s workers journal each click before its redirect, until the
# click ingester has stored it (docs/architecture.md). A local disk of this machine.
CLICK_JOURNAL_DIR = Path(env_str("BUDBRINGER_CLICK_JOURNAL_DIR", str(DATA_DIR / "clicks")))
CLICK_JOURNAL_DIR = CLICK_JOURNAL_DIR.resolve()
# Seconds a browser-like click waits before it is counted, so a scanner burst is seen whole.
CLICK_SETTLE_SECONDS = env_int("BUDBRINGER_CLICK_SETTLE_SECONDS", 3, minimum=1)

# People one share is assumed to reach, per network: the dashboard's estimated reach.
ANALYTICS_AUDIENCE_PER_SHARE = env_int_map(
    "BUDBRINGER_AUDIENCE_PER_SHARE",
    {"linkedin": 300, "x": 150, "facebook": 200, "xing": 100, "email": 1},
)

# Feed fetching. Feed URLs are typed by people and treated as hostile: only public
# addresses are fetched unless a host or network is allowed here on purpose.
FETCH_ALLOW = env_list("BUDBRINGER_FETCH_ALLOW", [])
FETCH_CONNECT_TIMEOUT = env_int("BUDBRINGER_FETCH_CONNECT_TIMEOUT", 10, minimum=1)
FETCH_TIMEOUT = env_int("BUDBRINGER_FETCH_TIMEOUT", 30, minimum=1)
FETCH_MAX_BYTES = env_int("BUDBRINGER_FETCH_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
FETCH_CONCURRENCY = env_int("BUDBRINGER_FETCH_CONCURRENCY", 8, minimum=1)
# Child processes that parse feeds in a large fetch pass (0: parse in the worker itself).
FETCH_PROCESSES = env_int("BUDBRINGER_FETCH_PROCESSES", os.cpu_count() or 1, minimum=0)
# Minutes between fetches of a healthy source, unless its Cache-Control asks for longer.
FETCH_INTERVAL = env_int("BUDBRINGER_FETCH_INTERVAL", 30, minimum=1)

# The people import (CSV): the largest file and the most people one import takes. The
# page keeps the uploaded file in the session between its preview and the import.
PEOPLE_IMPORT_MAX_BYTES = env_int(
    "BUDBRINGER_PEOPLE_IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024
)
PEOPLE_IMPORT_MAX_ROWS = env_int("BUDBRINGER_PEOPLE_IMPORT_MAX_ROWS", 20_000, minimum=1)

# Digests: a delivery being sent belongs to its worker this long; after that another worker
# resends it (same Message-ID). Keep it well above EMAIL_TIMEOUT.
DIGEST_LEASE_SECONDS = env_int("BUDBRINGER_DIGEST_LEASE_SECONDS", 300, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"forbidden_in_one_line": {"()": "budbringer.lib.log_filters.ForbiddenInOneLine"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A 403 is one warning line, never a traceback (anyone signed in can cause many).
        "django.request": {"filters": ["forbidden_in_one_line"]},
        "django.security.csrf": {"filters": ["forbidden_in_one_line"]},
        # Several lines per failed sign-in; budbringer.accounts.lockout writes one instead.
        "axes": {"level": "ERROR"},
        # One line per feed request is noise; fetch errors are recorded on the source.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
