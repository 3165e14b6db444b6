"""Settings for a server: secrets from the environment, HTTPS only."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["TEMOIN_SECRET_KEY"]
ALLOWED_HOSTS = [h for h in os.environ.get("TEMOIN_ALLOWED_HOSTS", "").split(",") if h]
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
