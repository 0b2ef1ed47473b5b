"""One settings module, driven by the environment.

POLITY_ENV=production switches on every secure default and refuses to start without a secret key.
DATABASE_URL chooses the database; the default is an embedded SQLite file under var/.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.file_storage import storages_from_env
from polity.outbox.email_url import DEFAULT_EMAIL_URL, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("POLITY_VAR_DIR", BASE_DIR / "var"))

PRODUCTION = os.environ.get("POLITY_ENV", "development") == "production"
DEBUG = not PRODUCTION and os.environ.get("POLITY_DEBUG", "1") == "1"
# The local demo that `polity run` serves (DEBUG off, so its users meet our error pages, never Django's debug
# pages): the mail its catcher keeps is open to every signed-in demo user, as it is under DEBUG.
POLITY_DEMO = not PRODUCTION and os.environ.get("POLITY_DEMO", "0") == "1"

if PRODUCTION:
    SECRET_KEY = os.environ["POLITY_SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("POLITY_SECRET_KEY", "polity-development-only-not-secret-" + "x" * 32)

ALLOWED_HOSTS = [h for h in os.environ.get("POLITY_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("POLITY_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "polity.web.admin_site.OTPAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "ninja",  # serves the API docs page's Swagger UI from our own static files, not a CDN
    "polity.common",
    "polity.accounts",
    "polity.rulebook",
    "polity.audit",
    "polity.org",
    "polity.members",
    "polity.access",
    "polity.deadlines",
    "polity.cases",
    "polity.elections",
    "polity.outbox",
    "polity.consent",
    "polity.comms",
    "polity.dsr",
    "polity.transparency",
    "polity.selections",
    "polity.meetings",
    "polity.exports",
    "polity.demo",
    "polity.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # SECURE_CSP, on every response
    "polity.api.middleware.ApiErrorsAsJsonMiddleware",  # every error under /api/ is JSON
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from every web process (docs/deployment.md)
    "polity.web.middleware.NoStoreMiddleware",  # Cache-Control: no-store on all but static files
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before any view or CSRF check reads a posted body: evidence over the limit is refused from its length.
    "polity.cases.limits.EvidenceUploadLimit",
    "polity.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "polity" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "polity.web.context.nav",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'polity.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # SQLite builds covering indexes without their INCLUDE columns; PostgreSQL uses them (polity/audit/models.py).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ATOMIC_REQUESTS = False

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("POLITY_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# Static files: `polity collectstatic` gathers them into STATIC_ROOT and WhiteNoise serves them (hashed,
# compressed, cached for a year) in production; elsewhere it serves them straight from the apps.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("POLITY_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "polity" / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Uploaded files (evidence): a folder every web server and worker shares, or S3-compatible object storage
# (POLITY_FILE_STORAGE=s3): config/file_storage.py and docs/deployment.md.
MEDIA_ROOT = Path(os.environ.get("POLITY_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = storages_from_env(os.environ, production=PRODUCTION)
# The largest evidence file a case takes, on the web form and the API's multipart upload alike. Refused
# from the request's Content-Length before its body is read (polity.cases.limits; docs/cases.md).
POLITY_EVIDENCE_MAX_BYTES = int(os.environ.get("POLITY_EVIDENCE_MAX_BYTES", str(25 * 1024 * 1024)))

# Cache: shared by every web process in production (the sign-in throttle counts there, docs/deployment.md):
# Django's database cache in the table polity_cache, which migration common 0002 creates. "memory" keeps a
# cache per process (development, tests, a single process).
POLITY_CACHE = os.environ.get("POLITY_CACHE", "database" if PRODUCTION else "memory")
if POLITY_CACHE == "database":
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "polity_cache"}
    }
elif POLITY_CACHE == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"POLITY_CACHE must be 'database' or 'memory', not {POLITY_CACHE!r}")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Mail: one URL, e.g. smtp://user:pass@host:587?starttls=1 (docs/delivery.md). The default is the local
# mail catcher that `polity run` starts. The outbox sends with smtplib itself (docs/decisions); MAILERS,
# derived from the same URL, serves Django's own mail.
POLITY_EMAIL_URL = os.environ.get("POLITY_EMAIL_URL", DEFAULT_EMAIL_URL)
MAILERS = parse_email_url(POLITY_EMAIL_URL).mailers()
POLITY_SMS_URL = os.environ.get("POLITY_SMS_URL", "memory://")
# Letters (governance notices by post to members without an email address): memory:// keeps them in the
# process (tests, demos); file:///path writes one text file a letter there, for printing and posting.
POLITY_POST_URL = os.environ.get("POLITY_POST_URL", "memory://")
# Origin of the links in messages (unsubscribe); in production https:// on the first allowed host by default.
# Elsewhere the local server on PORT (as `make run` and `polity run` serve it).
_local_base = f"http://127.0.0.1:{os.environ.get('PORT', '') or '8000'}"
_default_base = f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION and ALLOWED_HOSTS else _local_base
POLITY_BASE_URL = os.environ.get("POLITY_BASE_URL", _default_base).rstrip("/")
# Bearer secret of the bounce endpoint /outbox/bounce/; empty switches it off.
POLITY_BOUNCE_TOKEN = os.environ.get("POLITY_BOUNCE_TOKEN", "")
DEFAULT_FROM_EMAIL = os.environ.get("POLITY_FROM_EMAIL", "Polity <noreply@polity.invalid>")
# Where replies to a unit's messages go when neither the unit nor any unit above it has set an address on its
# sender page: "{code}" becomes the unit's code, e.g. "office+{code}@party.example". Empty: no Reply-To.
POLITY_REPLY_TO = os.environ.get("POLITY_REPLY_TO", "")

# Decoys in exports (docs/exports.md): addresses at domains whose mail this installation receives (its SMTP
# endpoint `polity decoy-smtp`, or an IMAP mailbox: POLITY_DECOY_IMAP_URL), and phone numbers in a range it
# answers. The defaults are fictional, for the demo; a real organisation sets its own.
POLITY_DECOY_MAIL_DOMAINS = os.environ.get(
    "POLITY_DECOY_MAIL_DOMAINS", "members-mail.example.net,post.example.net"
)
POLITY_DECOY_PHONE_RANGE = os.environ.get("POLITY_DECOY_PHONE_RANGE", "07700 100000-07700 899999")
POLITY_DECOY_IMAP_URL = os.environ.get("POLITY_DECOY_IMAP_URL", "")  # imaps://user:password@host/INBOX
POLITY_RULEBOOK = os.environ.get("POLITY_RULEBOOK", str(BASE_DIR / "polity" / "rulebook" / "demo.toml"))
POLITY_SITE_NAME = os.environ.get("POLITY_SITE_NAME", "Polity")
OTP_TOTP_ISSUER = POLITY_SITE_NAME
# Enrolment codes (docs/decisions/0008): an account that needs a second factor sets one up only with a
# one-time code an operator issues. How long a code stays valid, and how many wrong tries void it.
POLITY_ENROLMENT_CODE_HOURS = int(os.environ.get("POLITY_ENROLMENT_CODE_HOURS", "72"))
POLITY_ENROLMENT_CODE_ATTEMPTS = int(os.environ.get("POLITY_ENROLMENT_CODE_ATTEMPTS", "5"))
# The password sign-in throttle (polity/accounts/throttle.py): failures per account and per client address in
# a window that starts with the first failure. Operational settings, not rules of the organisation.
POLITY_SIGNIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("POLITY_SIGNIN_MAX_FAILURES_PER_ACCOUNT", "10"))
POLITY_SIGNIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("POLITY_SIGNIN_MAX_FAILURES_PER_ADDRESS", "50"))
POLITY_SIGNIN_THROTTLE_SECONDS = int(os.environ.get("POLITY_SIGNIN_THROTTLE_SECONDS", "900"))
POLITY_SIGNIN_THROTTLE_CACHE = os.environ.get("POLITY_SIGNIN_THROTTLE_CACHE", "default")
# Behind a reverse proxy, the request header holding the client's address, e.g. HTTP_X_FORWARDED_FOR (its
# right-most entry is used); empty means REMOTE_ADDR.
POLITY_CLIENT_ADDRESS_HEADER = os.environ.get("POLITY_CLIENT_ADDRESS_HEADER", "")

# Content-Security-Policy: scripts, styles, fonts, images and fetches from this site only; no inline script
# or style (htmx is vendored and configured by a meta tag; templates carry no style or on* attribute, and a
# test keeps it so), no plugins, no framing, forms post only here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("POLITY_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Application logs never carry personal data: only ids and verbs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("POLITY_LOG_LEVEL", "INFO")},
    # fpdf2 subsets the access package's font with fontTools, which logs a line per table at INFO.
    "loggers": {"fontTools": {"level": "WARNING"}},
}
