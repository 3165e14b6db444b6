"""Settings for a local instance (``temoin serve``, ``make demo``)."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import TEMOIN_HOME

Path(TEMOIN_HOME).mkdir(parents=True, exist_ok=True)
_secret_file = Path(TEMOIN_HOME) / "secret_key"
if not _secret_file.exists():
    import secrets

    _secret_file.write_text(secrets.token_urlsafe(50))
    _secret_file.chmod(0o600)
SECRET_KEY = _secret_file.read_text().strip()
DEBUG = False
