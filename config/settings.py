"""Settings for Narrative workbench, driven by environment variables.

Development needs nothing: SQLite and DEBUG on. Production sets DEBUG=false and must then
name SECRET_KEY and ALLOWED_HOSTS, or the process refuses to start (fails closed).
See README.md for every variable.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# The demo users and their passwords exist only where this is on (make run sets it).
DEMO_MODE = env_bool("DEMO_MODE", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a real one.")
if not DEBUG and DEMO_MODE:
    raise ImproperlyConfigured("DEMO_MODE is for development only; it needs DEBUG on.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "simple_history",
    # For its docs page's Swagger UI, served from its static files (the CSP allows no CDN).
    "ninja",
    "apps.accounts",
    "apps.projects",
    "apps.corpus",
    "apps.annotations",
    "apps.analysis",
    "apps.coding",
    "apps.api",
    "apps.sampledata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the user, the CSP and the frame headers (its answer gets them) and before the
    # CSRF check, which reads the form first: a form over the limits is answered with
    # its reason (413), not a bare 400.
    "config.middleware.RequestLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who made each change, for the history of annotations, codebooks and members.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with its own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.csp_nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", default=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Every server-side cursor here (``iterator()``: exports, imports, batches) reads its
    # whole result, so plan for all of its rows, not for the first tenth (PostgreSQL's
    # default for cursors), which picked nested loops: the query of a 20,000-annotation
    # export took 172 ms instead of 77.
    # Added to any options given in DATABASE_URL (``?options=...``), not in their place.
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    pg_options["options"] = f"{pg_options.get('options', '')} -c cursor_tuple_fraction=1".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the reader keep reading while an analyst saves; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a login while its username or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user with a compiled query.
    "apps.accounts.backends.AccountBackend",
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username, or from one address, further attempts are refused for AXES_COOLOFF_MINUTES;
# ``manage.py axes_reset`` (or axes_reset_username / axes_reset_ip) lifts it early.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ADMIN = False  # its attempts are not project content; the command manages them
# Behind a reverse proxy, the client's address is in X-Forwarded-For: set PROXY_COUNT to
# the number of proxies in front of the app (else every user shares the proxy's address,
# and one lockout locks everyone out). Never trust the header without a proxy.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Password reset mails: printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2 (Django's recommended hasher): a login checks a password in about 0.12 s here,
# against 0.33 s for PBKDF2 at Django's iterations. Passwords hashed before upgrade to
# Argon2 when their users next log in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Limits on what users may send; DESIGN §8.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
# The annotation form sends one field per tag ticked: a form with many (a codebook of
# thousands, or a crafted one) reaches the form, which refuses it with a field error;
# beyond this, config.middleware answers 413. The memory limit above bounds the work.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=20_000)
MAX_ARTICLE_CHARS = env_int("MAX_ARTICLE_CHARS", default=500_000)
# Background jobs (big imports): Django's tasks framework through django-tasks, stored in
# the database, so no other server is needed. Workers: ``manage.py db_worker`` (make run
# starts one); any number can run against PostgreSQL, each claiming jobs with row locks.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Requests to the read-only API per user (all their tokens together), as "N/s", "N/min",
# "N/hour" or "N/day". Counted in the default cache, which is each process's own memory:
# with several server processes, each allows this many.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", default="600/min")

# Seconds that cleaning one imported file may take before it is refused.
IMPORT_CLEAN_SECONDS = env_int("IMPORT_CLEAN_SECONDS", default=20)
# Processes that clean imported files (every core by default; 0 cleans in the process
# that imports, with no time budget: the tests do).
IMPORT_CLEAN_WORKERS = env_int("IMPORT_CLEAN_WORKERS", default=os.cpu_count() or 1)
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_BATCH_BYTES = env_int("IMPORT_MAX_BATCH_BYTES", default=100 * 1024 * 1024)
IMPORT_MAX_ZIP_MEMBERS = env_int("IMPORT_MAX_ZIP_MEMBERS", default=2_000)
IMPORT_MAX_ZIP_BYTES = env_int("IMPORT_MAX_ZIP_BYTES", default=200 * 1024 * 1024)
# A REFI-QDA project file (.qdpx) to import: its size, what it may unpack to (checked
# before unpacking, and the reads capped), and how many texts it may hold.
QDPX_MAX_BYTES = env_int("QDPX_MAX_BYTES", default=200 * 1024 * 1024)
QDPX_MAX_UNPACKED_BYTES = env_int("QDPX_MAX_UNPACKED_BYTES", default=2 * 1024 * 1024 * 1024)
QDPX_MAX_SOURCES = env_int("QDPX_MAX_SOURCES", default=20_000)
# Passages (and as many notes again): a passage is small in the file but a row, a history
# record and some memory in the import (500,000 take about 2 GB on the worker).
QDPX_MAX_PASSAGES = env_int("QDPX_MAX_PASSAGES", default=500_000)
# Uploads of a whole batch arrive in one request.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", default=1_000)

# Content Security Policy: scripts only from our origin or with this response's nonce;
# no inline handlers, no eval (htmx is configured accordingly in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with a compiled query.
SESSION_ENGINE = "apps.accounts.sessions"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS=false serves production settings over plain HTTP: only for a load test on this
# machine, never for users (cookies would travel unencrypted).
HTTPS = env_bool("HTTPS", default=True)
if not DEBUG and HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Off unless asked: the preload list refuses a max-age under a year, and leaving it
    # is slow. Set it (with SECURE_HSTS_SECONDS=31536000) only for a domain meant to be.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # The deploy check's advice to preload, declined above on purpose.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # django-axes tells of every login at INFO; lockouts come at WARNING.
    "loggers": {"axes": {"level": env_str("AXES_LOG_LEVEL", default="WARNING")}},
}
