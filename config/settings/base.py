"""Settings shared by every Témoin deployment.

Nothing here holds business logic. Paths default to ``var/`` in the working directory
(``TEMOIN_HOME``); the database is SQLite in WAL mode unless ``DATABASE_URL`` names another.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TEMOIN_HOME = Path(os.environ.get("TEMOIN_HOME", BASE_DIR / "var")).resolve()
SHARED_DATA_DIR = Path(
    os.environ.get("TEMOIN_SHARED_DATA", BASE_DIR.parent / "shared" / "data")
).resolve()

SECRET_KEY = os.environ.get("TEMOIN_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "temoin.accounts",
    "temoin.audit",
    "temoin.keys",
    "temoin.cases",
    "temoin.evidence",
    "temoin.intake",
    "temoin.linkage",
    "temoin.estimation",
    "temoin.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "temoin.web.middleware.SignInPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "temoin.audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "temoin.web.context.web_context",
            ],
        },
    },
]


def database_from_env(default_sqlite: Path) -> dict[str, object]:
    """The database named by ``DATABASE_URL``, else SQLite at ``default_sqlite`` (WAL)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(default_sqlite),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": database_from_env(TEMOIN_HOME / "temoin.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "temoin" / "locale"]

STATIC_URL = "static/"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
STATIC_ROOT = TEMOIN_HOME / "static"
MEDIA_ROOT = TEMOIN_HOME / "media"

SESSION_COOKIE_AGE = 60 * 60 * 4  # absolute limit; the idle limit is TEMOIN_IDLE_TIMEOUT
TEMOIN_IDLE_TIMEOUT = 60 * 30  # seconds without a request before the web session ends
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
TEMOIN_OTP_ROLES = ("administrator", "analyst", "reviewer")  # TOTP mandatory for these

# Evidence vault: RFC 3161 time-stamping authorities asked for a token on every published
# custody checkpoint (whitespace-separated URLs; empty by default: field offices are offline),
# and the PEM files of the roots their tokens must chain to. See docs/readme/witness.md.
TEMOIN_TSA_URLS = os.environ.get("TEMOIN_TSA_URLS", "").split()
TEMOIN_TSA_ROOTS = os.environ.get("TEMOIN_TSA_ROOTS", "").split()

# Sign-in: django-axes locks a username+address pair after repeated failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Témoin"

# Strict Content-Security-Policy (django-csp): no inline script or style, nothing external.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "temoin.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "temoin.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Témoin API",
    "DESCRIPTION": "Case database for independent human-rights documentation.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Logs never carry identities: only record ids and codes are logged anywhere in Témoin.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "file": {
            "class": "logging.FileHandler",
            "filename": str(TEMOIN_HOME / "temoin.log"),
            "formatter": "plain",
            "delay": True,
        },
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console", "file"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
