"""The `temoin` command on a real on-disk SQLite database: init, users, check, audit verify —
and `audit verify` / `check` exit non-zero once the log has been tampered with."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.sqlite_only


def temoin(home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEMOIN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "TEMOIN_PASSPHRASE": "phrase de passe des tests CLI", "COLUMNS": "200",
           "TEMOIN_ADMIN_PASSWORD": "admin-password-cli", "TEMOIN_USER_PASSWORD": "user-pass-cli-1"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "temoin.cli", *args], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_init_users_check_and_tamper(tmp_path):
    home = tmp_path / "home"
    out = temoin(home, "init", "--org-name", "ONG de test", "--org-short", "ONGT").stdout
    assert "admin" in out and "admin-password-cli" in out
    temoin(home, "user", "create", "awa", "--role", "monitor")
    bad = temoin(home, "user", "create", "bob", "--role", "sorcier", ok=False)
    assert bad.returncode == 2 and "role" in bad.stderr and "sorcier" in bad.stderr
    listing = temoin(home, "user", "list").stdout
    assert "awa" in listing and "monitor" in listing and "bob" not in listing
    assert "chaîne intacte" in temoin(home, "audit", "verify").stdout
    check = temoin(home, "check").stdout
    assert "OK" in check and "scellées" in check
    db = sqlite3.connect(home / "temoin.sqlite3")
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit_auditentry SET reason = 'effacé' WHERE sequence = 2")
    db.commit()
    db.close()
    verify = temoin(home, "audit", "verify", ok=False)
    assert verify.returncode == 1 and "audit.hash_mismatch" in verify.stdout
    assert temoin(home, "check", ok=False).returncode == 1
