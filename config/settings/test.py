"""Settings for the test suite: a throw-away ``TEMOIN_HOME`` and fast password hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("TEMOIN_HOME", tempfile.mkdtemp(prefix="temoin-test-"))

from .base import *  # noqa: E402,F403
from .base import TEMOIN_HOME

Path(TEMOIN_HOME).mkdir(parents=True, exist_ok=True)
(Path(TEMOIN_HOME) / "static").mkdir(exist_ok=True)
SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEMOIN_ARGON2_FAST = True
ALLOWED_HOSTS = ["*"]
