"""`temoin evidence` on a real on-disk SQLite database and vault: ingest while sealed (the
CLI process never unsealed), list, timeline, export with --unseal, the package's standalone
verifier with the published key → OK, originals byte-identical, then a tampered blob caught by
`temoin evidence verify` (exit 1) and by the verifier. All data synthetic."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]  # ~90 s: 16 `temoin` processes
PASSPHRASE = "phrase de passe des tests CLI"
SETUP = """
from temoin.cli.context import cli_context
with cli_context():
    from temoin.accounts.models import User
    from temoin.cases import services
    admin = User.objects.get(username="admin")
    event = services.event_create(actor=admin, data={"title": "Évènement (SYNTHÉTIQUE)",
        "start": "27 mars 2022", "admin1": "Mopti", "confidentiality": 1})
    source = services.source_create(actor=admin, data={"source_type": "witness_testimony",
        "title": "T-1 (synthétique)", "consent": ["internal", "courts"]})
    services.information_add(actor=admin, source=source, event=event)
    print(event.reference, source.pk)
"""


def run(home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEMOIN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "TEMOIN_PASSPHRASE": PASSPHRASE, "COLUMNS": "250",
           "TEMOIN_ADMIN_PASSWORD": "admin-password-cli"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, *args], env=env, cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def temoin(home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    return run(home, "-m", "temoin.cli", *args, ok=ok)


def test_ingest_export_verify_and_tamper(tmp_path):
    home = tmp_path / "home"
    temoin(home, "init", "--org-name", "ONG de test", "--org-short", "ONGT")
    reference, source_id = run(home, "-c", SETUP).stdout.split()
    photo = tmp_path / "IMG_Synthetique_Fatoumata.png"
    content = b"\x89PNG\r\n\x1a\n" + os.urandom(5000)
    photo.write_bytes(content)
    sha = hashlib.sha256(content).hexdigest()
    out = temoin(home, "evidence", "ingest", str(photo), "--event", reference, "--source",
                 source_id, "--reason", "dépôt terrain").stdout
    assert sha in out and "déposé" in out and "Fatoumata" not in out
    assert "doublon" in temoin(home, "evidence", "ingest", str(photo), "--event", reference,
                               "--reason", "second envoi").stdout
    assert sha in temoin(home, "evidence", "list", "--event", reference).stdout
    timeline = temoin(home, "evidence", "timeline", sha).stdout
    assert "ingest_duplicate" in timeline and "dépôt terrain" in timeline
    sealed = temoin(home, "evidence", "export", "--event", reference, "--out", str(tmp_path / "bag"),
                    "--recipient", "courts", "--reason", "parquet", ok=False)
    assert sealed.returncode == 2 and "keys.sealed" in sealed.stderr
    exported = temoin(home, "evidence", "export", "--event", reference, "--out",
                      str(tmp_path / "bag"), "--recipient", "courts", "--reason", "parquet",
                      "--unseal").stdout
    assert "1 pièce(s)" in exported
    bag = tmp_path / "bag"
    assert (bag / "data" / "items" / sha / "content" / "original.png").read_bytes() == content
    vkey = temoin(home, "evidence", "key").stdout.strip()
    assert vkey.startswith("temoin.ongt/custody+")
    verdict = run(home, str(bag / "data" / "verify_package.py"), str(bag), "--log-key", vkey)
    assert "OK" in verdict.stdout
    ok = temoin(home, "evidence", "verify", "--unseal").stdout
    assert f"OK      {sha}" in ok and "registre de garde : OK" in ok
    blob = home / "vault" / "objects" / "blobs" / sha
    raw = bytearray(blob.read_bytes())
    raw[100] ^= 0x01
    blob.write_bytes(bytes(raw))
    failed = temoin(home, "evidence", "verify", ok=False)
    assert failed.returncode == 1 and f"ÉCHEC   {sha}" in failed.stdout
    copy = bag / "data" / "items" / sha / "content" / "original.png"
    copy.write_bytes(content[:-1] + bytes([content[-1] ^ 1]))
    assert run(home, str(bag / "data" / "verify_package.py"), str(bag), "--log-key", vkey,
               ok=False).returncode != 0
    shredded = temoin(home, "evidence", "shred", sha, "--reason", "consentement retiré",
                      "--authority", "décision 2026-14").stdout
    assert "détruit" in shredded
    assert "key_destroyed" in temoin(home, "evidence", "timeline", sha).stdout
    log_text = (home / "temoin.log").read_text() if (home / "temoin.log").exists() else ""
    assert "Fatoumata" not in log_text
