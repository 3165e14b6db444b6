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


def test_serve_answers_pages_static_files_and_api(tmp_path):
    import socket
    import time
    import urllib.error
    import urllib.request

    home = tmp_path / "home"
    temoin(home, "init")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TEMOIN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "temoin.cli", "serve", "--port", str(port)],
                              env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):  # the first request loads every domain's views: allow time
            try:
                urllib.request.urlopen(base + "/connexion/", timeout=30)
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        login = urllib.request.urlopen(base + "/connexion/", timeout=30)
        assert login.status == 200 and "Connexion" in login.read().decode()
        css = urllib.request.urlopen(base + "/static/web/temoin.css", timeout=30)
        assert css.status == 200 and b"font-family" in css.read()
        try:
            urllib.request.urlopen(base + "/api/events/", timeout=30)
            raise AssertionError("the API must refuse anonymous requests")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_estimate_record_stores_a_run(tmp_path, shared_data):
    home = tmp_path / "home"
    temoin(home, "init")
    out = temoin(home, "estimate", "record", str(shared_data / "mse" / "kosovo_1999_4lists.csv"),
                 "--title", "Kosovo (publié)", "--method", "loglinear", "--n-boot", "20",
                 "--user", "admin").stdout
    assert "enregistrée (done" in out
    db = sqlite3.connect(home / "temoin.sqlite3")
    (title, status, inputs) = db.execute(
        "SELECT title, status, inputs FROM estimation_estimationrun").fetchone()
    assert (title, status) == ("Kosovo (publié)", "done") and '"n_observed": 4400' in inputs
