"""Settings for the whole site, read from the environment.

Development defaults are safe to run locally; with DJANGO_DEBUG off, the
deployment-specific values must be given or the site refuses to start.
"""

import email.utils
import importlib.util
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.error_reports import init_sentry, parse_admins

CONFIG_DIR = Path(__file__).resolve().parent
if (CONFIG_DIR / "templates").is_dir():
    # Installed from the wheel: templates/, static/ and locale/ are inside the config
    # package, and the site's own files (SQLite database, collected static files) go in
    # the working directory, not in site-packages.
    RESOURCE_DIR = CONFIG_DIR
    BASE_DIR = Path.cwd()
else:
    # A checkout keeps templates/, static/ and locale/ beside site/, and its files too.
    RESOURCE_DIR = BASE_DIR = CONFIG_DIR.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-do-not-deploy")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_DEBUG is off "
            "(comma-separated, e.g. 'www.example.nl,example.nl')."
        )

# Absolute base URL of the site, used for links that leave the request
# (feeds' canonical links, e-mails). Defaults to the development server.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1
SITE_NAME = "Ondernemen met de beste ondersteuning"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",
    "csp",
    "django_comments_xtd",
    "django_comments",
    "captcha",
    "taggit",  # articles' tags
    "reversion",  # the articles' revisions (history and restore in the admin)
    "django_tasks",
    "config.apps.BackgroundTasksConfig",  # django_tasks_db, named in Dutch
    "config.apps.AdminLoginsConfig",  # axes, named in Dutch
    "articles",
    "comments",
    "moderation",
    "search",
    "mail",
    "newsletter",
    "privacy",
    "backups",
    "images",
    "archive_import",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.client_ip.ClientIPMiddleware",
    # Ahead of the page cache and the error pages: each request gets an id and a log line.
    "config.request_log.RequestIdMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# django-axes throttles admin log-ins: after 5 failures for a username from one
# address, that pair waits an hour.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "axes_locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Failed attempts are kept (until the cool-off) for the lock-out; successful
# log-ins are not recorded at all: nothing needs them.
AXES_DISABLE_ACCESS_LOG = True

# Lets templates/ override widget templates (the captcha's).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [RESOURCE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
            # {% request_id %}: the code on the error pages, 500.html's included.
            "libraries": {"request_log": "config.request_log"},
        },
    },
]

# Database: SQLite in the project folder (installed: the working directory) by default,
# PostgreSQL in production.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that the tests' worker and server processes share it;
    # one per test run, so that two runs never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work while one writer writes; IMMEDIATE takes the
            # write lock at BEGIN so concurrent writers wait (busy timeout)
            # instead of failing with "database is locked" on lock upgrade.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://ondernemen")}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # If Redis is unreachable the site keeps serving: reads miss, writes are
    # dropped, and rate limits fail closed (django-ratelimit sees no count): a comment is
    # then not taken, and the poster is told why and keeps the text.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
    )
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions (staff only) in the cache, backed by the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# E-mail: EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.nl:587) or the
# usual EMAIL_* variables; development prints mail to the console.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
if "EMAIL_URL" in env:
    globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Ondernemen met de beste ondersteuning <redactie@localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Who gets a mail for each server error (DJANGO_ADMINS="Naam <adres@example.nl>,..."):
# the traceback and the request id, none of the request's data (config.error_reports).
ADMINS = parse_admins(env.str("DJANGO_ADMINS", default=""))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [RESOURCE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [RESOURCE_DIR / "static"]
# Uploaded files (images and their renditions; backups include them when they are local).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Where `manage.py backup_site` (make backup) writes a backup folder by default.
BACKUP_DIR = Path(env.str("DJANGO_BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
# Backups older than this are deleted after each new one (they hold what readers erased).
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=14)

# Media: local files by default; with MEDIA_S3_BUCKET, any S3-compatible store
# (django-storages), for a site on more than one machine. Credentials come from boto3's
# usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables (or the machine's role). The
# objects must be publicly readable (bucket policy) or served through MEDIA_S3_CUSTOM_DOMAIN:
# pages are cached, so their addresses carry no expiring signature.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "MEDIA_S3_BUCKET is set but django-storages is missing: pip install '.[s3]'."
        )
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "custom_domain": env.str("MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            # Every name is new (a random one per upload): caches may keep them for good.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Images: uploads larger than this, or with more pixels, are refused (images/uploads.py).
IMAGES_MAX_UPLOAD_BYTES = env.int("IMAGES_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
IMAGES_MAX_PIXELS = env.int("IMAGES_MAX_PIXELS", default=40_000_000)

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}


def _media_origins():
    """Where images come from when they are not on the site's own origin (S3)."""
    if not MEDIA_S3_BUCKET:
        return []
    domain = _media_storage["OPTIONS"]["custom_domain"]
    if domain:
        return [f"https://{domain}"]
    endpoint = _media_storage["OPTIONS"]["endpoint_url"]
    if endpoint:
        return ["{0.scheme}://{0.netloc}".format(urlsplit(endpoint))]
    return ["https://*.amazonaws.com"]


# Security headers and cookies. Strict CSP: everything comes from the site
# itself, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_media_origins()],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # A load balancer asks app servers for their health over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^gezond/"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    # The site's own origin is trusted for HTTPS posts behind a proxy (Django compares
    # the Origin header with it); more with DJANGO_CSRF_TRUSTED_ORIGINS.
    _site_origin = "{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL))
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[_site_origin])

LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
# Every line carries the request's id ("-" outside a request); "ondernemen.requests" writes
# one line per request (config.request_log):
#   2026-05-04 10:31:07,412 INFO ondernemen.requests 3f2a…c9 GET /nieuws/…/ 200 12ms
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.request_log.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "line",
        },
        # Errors with a traceback, to ADMINS (when set and DEBUG is off).
        "mail_admins": {
            "level": "ERROR",
            "class": "config.error_reports.ErrorMailHandler",
            "filters": ["require_debug_false", "request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default handlers: its error mail holds the whole request.
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.request": {"handlers": ["mail_admins"]},
        # aiosmtpd (the tests' SMTP server) logs every connection at INFO.
        "mail.log": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Sentry (optional, pip install '.[sentry]'): errors without personal data, no tracing.
# SENTRY_ENVIRONMENT and SENTRY_RELEASE are read by sentry-sdk itself.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(SENTRY_DSN)

# Messages live in a cookie, not the session: a plain reader never gets one.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Articles
ARTICLES_PER_PAGE = 10

# Comments (django-comments-xtd for threading, our own form, views and templates)
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MODEL = "comments.models.Comment"
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=3)  # levels shown, 1 = no replies
COMMENTS_XTD_MAX_THREAD_LEVEL = COMMENTS_MAX_DEPTH - 1  # xtd counts from level 0
# Our subscriptions bring their own double opt-in; xtd's confirmation uses
# pickled, never-expiring tokens acted on by a GET.
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_SEND_HTML_EMAIL = False
COMMENT_MAX_LENGTH = 3000
# django-contrib-comments' URLField warns on Django 5.2 without it.
FORMS_URLFIELD_ASSUME_HTTPS = True
COMMENTS_MIN_FILL_SECONDS = env.int("COMMENTS_MIN_FILL_SECONDS", default=3)
COMMENTS_POST_RATE = env.str("COMMENTS_POST_RATE", default="5/m")
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=None)
# The same text from the same address on one article within this time is one comment.
COMMENTS_DUPLICATE_MINUTES = env.int("COMMENTS_DUPLICATE_MINUTES", default=6)
# Busy discussions: top-level threads per page, replies shown before "Show N more replies",
# editors' picks in the strip above the discussion.
COMMENTS_THREADS_PER_PAGE = env.int("COMMENTS_THREADS_PER_PAGE", default=25)
COMMENTS_REPLIES_SHOWN = env.int("COMMENTS_REPLIES_SHOWN", default=3)
# Replies a page shows in all before each of its threads shows one fewer (but at least one):
# the busiest discussions' first pages stay about as light as a quiet one's.
COMMENTS_REPLIES_PER_PAGE = env.int("COMMENTS_REPLIES_PER_PAGE", default=50)
COMMENTS_PICKS_SHOWN = env.int("COMMENTS_PICKS_SHOWN", default=5)
# A thread's own page ("Toon nog") shows this many replies more at a time.
COMMENTS_THREAD_SLICE = env.int("COMMENTS_THREAD_SLICE", default=50)
# How often an open article page asks whether the discussion has grown.
COMMENTS_POLL_SECONDS = env.int("COMMENTS_POLL_SECONDS", default=30)
# "Waardevol": how long a cached page may show an old count, how many recommendations one
# IP address may give one comment (readers behind one office router), and how many an hour.
COMMENTS_RECOMMENDATIONS_LAG_SECONDS = env.int("COMMENTS_RECOMMENDATIONS_LAG_SECONDS", default=10)
COMMENTS_RECOMMENDATIONS_PER_ADDRESS = env.int("COMMENTS_RECOMMENDATIONS_PER_ADDRESS", default=3)
COMMENTS_RECOMMEND_RATE = env.str("COMMENTS_RECOMMEND_RATE", default="60/h")
# A comment's writer may change or delete it this long after posting (comments/own_comments.py).
COMMENTS_EDIT_MINUTES = env.int("COMMENTS_EDIT_MINUTES", default=10)
COMMENTS_MAX_LINKS = env.int("COMMENTS_MAX_LINKS", default=2)
COMMENTS_BLOCKED_WORDS = env.list("COMMENTS_BLOCKED_WORDS", default=[])
COMMENTS_MODERATOR_EMAILS = env.list("COMMENTS_MODERATOR_EMAILS", default=[])
MODERATION_QUEUE_PAGE_SIZE = env.int("MODERATION_QUEUE_PAGE_SIZE", default=50)
# The local spam filter holds a comment from this probability on (docs/spam-filter.md).
MODERATION_SPAM_THRESHOLD = env.float("MODERATION_SPAM_THRESHOLD", default=0.9)
# Independent readers' reports after which a public comment is held for a moderator.
MODERATION_REPORTS_TO_HOLD = env.int("MODERATION_REPORTS_TO_HOLD", default=3)
MODERATION_REPORT_RATE = env.str("MODERATION_REPORT_RATE", default="10/h")
# Where writers object to a moderation decision (the statement of reasons' Reply-To).
MODERATION_APPEAL_EMAIL = env.str(
    "MODERATION_APPEAL_EMAIL", default=email.utils.parseaddr(DEFAULT_FROM_EMAIL)[1]
)
# Retention, as the privacy page tells readers; the worker forgets daily
# (privacy.tasks.forget_old_data). Commenters' IP addresses: days after the comment.
COMMENTS_IP_RETENTION_DAYS = env.int("COMMENTS_IP_RETENTION_DAYS", default=30)
# Sign-ups never confirmed, and stopped subscriptions: days after their last change.
SUBSCRIPTION_RETENTION_DAYS = env.int("SUBSCRIPTION_RETENTION_DAYS", default=30)
# The outbox's sent, given-up and cancelled mail (and the worker's finished task
# results): days after it was queued. Mail still waiting is never deleted.
MAIL_HISTORY_DAYS = env.int("MAIL_HISTORY_DAYS", default=30)

# Captcha
CAPTCHA_TIMEOUT = 60  # minutes a code stays valid
CAPTCHA_LENGTH = 5
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 32
# The audio alternative ("Laat de code voorlezen"): Debian's flite speaks the code into a
# WAV file. Without flite the form offers no audio link.
CAPTCHA_FLITE_PATH = shutil.which("flite")
# Accepts "passed" as the answer: only for load tests, never in production.
CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False)
if CAPTCHA_TEST_MODE and not DEBUG:
    raise ImproperlyConfigured("CAPTCHA_TEST_MODE must not be on when DJANGO_DEBUG is off.")

RATELIMIT_USE_CACHE = "default"
# Behind a reverse proxy that sets it (nginx: X-Real-IP), e.g. CLIENT_IP_HEADER=HTTP_X_REAL_IP.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
CAPTCHA_REFRESH_RATE = env.str("CAPTCHA_REFRESH_RATE", default="20/m")
# Captcha images drawn per client address (each form shows one; a new code draws another).
CAPTCHA_IMAGE_RATE = env.str("CAPTCHA_IMAGE_RATE", default="60/m")
SUBSCRIPTION_LINK_RATE = env.str("SUBSCRIPTION_LINK_RATE", default="30/m")

# Background work: django-tasks with its database backend; `manage.py run_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Outgoing mail: retried with exponential back-off (base, doubling up to an hour)
# until it is MAIL_GIVE_UP_AFTER seconds old; a worker owns a claimed batch for
# MAIL_CLAIM_SECONDS, after which a crashed worker's mail is retried.
MAIL_RETRY_BASE_SECONDS = env.float("MAIL_RETRY_BASE_SECONDS", default=30)
MAIL_GIVE_UP_AFTER = env.int("MAIL_GIVE_UP_AFTER", default=3 * 24 * 3600)
MAIL_CLAIM_SECONDS = env.float("MAIL_CLAIM_SECONDS", default=60)
# A worker records a heartbeat this often; one not seen for MAIL_WORKER_TIMEOUT_SECONDS is
# taken for dead (its running tasks are queued again; the health check reports it).
MAIL_WORKER_HEARTBEAT_SECONDS = env.float("MAIL_WORKER_HEARTBEAT_SECONDS", default=15)
MAIL_WORKER_TIMEOUT_SECONDS = env.float("MAIL_WORKER_TIMEOUT_SECONDS", default=120)
# The health check (/gezond/) reports mail that has been due for longer than this.
MAIL_HEALTH_DELAY_SECONDS = env.float("MAIL_HEALTH_DELAY_SECONDS", default=600)
