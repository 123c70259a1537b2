"""CivicLab settings: one module, driven by environment variables (12-factor).

Development and the demo run with no variables at all; production differs only by what is set
in the environment (see README.md, "Configuration").
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# CIVICLAB_ENV=production switches on every production safeguard at once.
PRODUCTION = os.environ.get("CIVICLAB_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when CIVICLAB_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "django_tasks",
    "csp",
    "django_countries",
    "civiclab.core",
    "civiclab.accounts",
    "civiclab.cities",
    "civiclab.processes",
    "civiclab.budgeting",
    "civiclab.network",
    "civiclab.deliberation",
    "civiclab.notifications",
    "civiclab.opendata",
    # surveys and meetings (issue 3, branch engage)
    "civiclab.surveys",
    "civiclab.events",
    # proposals: proposals, comments, debates, moderation
    "civiclab.proposals",
    # accountability (issue 6): results, KPIs and dashboards
    "civiclab.accountability",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "civiclab.cities.middleware.CustomDomainMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civiclab.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so that a cached page skips only the view (civiclab/core/pagecache.py).
    "civiclab.core.pagecache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "civiclab.urls"
WSGI_APPLICATION = "civiclab.wsgi.application"
ASGI_APPLICATION = "civiclab.asgi.application"

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
                "django.template.context_processors.i18n",
                "civiclab.core.context_processors.site",
                "civiclab.notifications.context_processors.notifications",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
# SQLite (WAL) by default so that the demo needs nothing; PostgreSQL in production via DATABASE_URL.
DATA_DIR = Path(os.environ.get("CIVICLAB_DATA_DIR", PROJECT_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'civiclab.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite needs its folder before the first connection
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
elif env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Django's own cursors never prepare statements; civiclab.core.db.prepared_cursor (each vote) does,
    # after 5 runs on a connection. Turn off behind PgBouncer in transaction mode before 1.21, which
    # cannot keep prepared statements (docs/deployment.md).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Whole pages for anonymous visitors (civiclab/core/pagecache.py) have their own cache, so that many
# addresses cannot push out rate-limit counters or cached participants.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL},
        "pages": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "pages"},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # LocMemCache keeps 300 entries by default: at 100 voters, rate-limit counters and participants
    # were already being culled.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 500},
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# In front of Redis, a few seconds of per-process memory for what every request reads (cities,
# conversation rules; civiclab/core/nearcache.py). Without Redis the cache is in the process already.
CACHES["near"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "near",
    "OPTIONS": {"MAX_ENTRIES": 5_000},
}
NEAR_CACHE_SECONDS = int(os.environ.get("NEAR_CACHE_SECONDS", "2")) if REDIS_URL else 0

# Busy public pages are shared by anonymous visitors for this many seconds (0: never). Signed-in people
# always see fresh pages. Off outside production, so that a developer sees each change at once.
ANONYMOUS_PAGE_CACHE_SECONDS = int(os.environ.get("ANONYMOUS_PAGE_CACHE_SECONDS", "5" if PRODUCTION else "0"))

# --- Background tasks -------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "civiclab.accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "civiclab.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CivicLab"
# Absolute links in emails sent outside a request (the notification digests).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CivicLab <noreply@civiclab.localhost>")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Version of each consent text; raising one asks everybody again (see docs/privacy.md).
CONSENT_VERSIONS = {"terms": "2026-11", "newsletter": "2026-11", "demographics": "2026-11"}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("de", "Deutsch"),
    ("fr", "Français"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
FORM_RENDERER = (
    "django.forms.renderers.TemplatesSetting"  # our field template puts checkboxes before their label
)
STATIC_URL = "/static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed from npm by `make setup` (package.json), never committed.
    ("vendor/leaflet", PROJECT_DIR / "node_modules" / "leaflet" / "dist"),
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if PRODUCTION else 0

# --- Maps -------------------------------------------------------------------------------------
# Background tiles for Leaflet maps. The default is OpenStreetMap's own server, which is fine for a demo;
# a city in production sets its own tile service (see docs/deployment.md). Empty: maps without tiles.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = os.environ.get(
    "MAP_TILES_ATTRIBUTION", "© OpenStreetMap contributors (openstreetmap.org/copyright)"
)
_tiles = urlsplit(MAP_TILES_URL)
# The CSP allows images from the tile server only; "{s}." subdomain templates become a wildcard.
MAP_TILES_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc}".replace("{s}.", "*.") if MAP_TILES_URL else ""

# --- Security headers -------------------------------------------------------------------------
# A strict policy: no inline script or style, nothing from another origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MAP_TILES_ORIGIN] if MAP_TILES_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 100

SITE_NAME = _("CivicLab")
