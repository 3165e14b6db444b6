"""Witnesses and time-stamps end to end, on a real on-disk SQLite database, a real `temoin
serve` (waitress) and a real local RFC 3161 TSA (OpenSSL behind http.server):

checkpoint → token granted; a partner runs `temoin witness init` / `check URL` against the live
server (co-signed, posted, stored); TSA down → checkpoint still published, `temoin evidence
timestamp --pending` fails then succeeds once the TSA is back; an air-gapped second witness
works on files (`evidence witness-files` → `witness check --checkpoint --proof` →
`evidence cosignature`); the court package verifies with both witness keys (quorum 2) and the
tokens. All data synthetic."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.app.evidence.http_tsa import OPENSSL, http_tsa

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow,  # ~60 s: about 20 `temoin` processes
              pytest.mark.skipif(OPENSSL is None, reason="openssl command not available")]
PASSPHRASE = "phrase de passe des tests témoins"
SETUP = """
from temoin.cli.context import cli_context
with cli_context():
    from temoin.accounts.models import User
    from temoin.accounts.services import organisation_create
    from temoin.cases import services
    admin = User.objects.get(username="admin")
    for short in ("CNDH-S", "LDH-S"):
        organisation_create(actor=None, name=f"Partenaire {short} (synthétique)", short_name=short,
                            kind="ngo")
    event = services.event_create(actor=admin, data={"title": "Évènement (SYNTHÉTIQUE)",
        "start": "27 mars 2022", "admin1": "Mopti", "confidentiality": 1})
    print(event.reference)
"""


def env_for(home: Path, tsa_url: str, tsa_root: Path) -> dict[str, str]:
    env = {**os.environ, "TEMOIN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "TEMOIN_PASSPHRASE": PASSPHRASE, "COLUMNS": "250", "TEMOIN_ADMIN_PASSWORD": "admin-password-cli",
           "TEMOIN_TSA_URLS": tsa_url, "TEMOIN_TSA_ROOTS": str(tsa_root)}
    env.pop("DATABASE_URL", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, server: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stderr.read() if server.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 — local test server
            return
        except urllib.error.HTTPError:
            return  # answering (404 before the first checkpoint is fine)
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_witnesses_and_time_stamps_end_to_end(tmp_path):
    home = tmp_path / "home"
    with http_tsa(tmp_path / "tsa") as tsa:
        env = env_for(home, tsa.url, tsa.root_pem)

        def run(*args: str, ok: bool = True, code: int = 0) -> subprocess.CompletedProcess[str]:
            result = subprocess.run([sys.executable, *args], env=env, cwd=REPO, capture_output=True,
                                    text=True, timeout=300, check=False)
            if ok:
                assert result.returncode == code, result.stdout + result.stderr
            return result

        def temoin(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
            return run("-m", "temoin.cli", *args, code=code)

        temoin("init", "--org-name", "ONG de test", "--org-short", "ONGT")
        reference = run("-c", SETUP).stdout.split()[-1]
        for number in range(3):
            photo = tmp_path / f"synthetique-{number}.bin"
            photo.write_bytes(os.urandom(2000))
            temoin("evidence", "ingest", str(photo), "--event", reference, "--reason", "dépôt terrain")
        published = temoin("evidence", "checkpoint", "--unseal").stdout
        assert published.startswith("temoin.ongt/custody\n3\n")
        assert f"horodatage {tsa.url} : granted 20" in published
        stamps = temoin("evidence", "checkpoints").stdout
        assert f"horodatage {tsa.url}: granted 20" in stamps and "taille 3" in stamps
        log_vkey = temoin("evidence", "key").stdout.strip()

        online, offline = tmp_path / "witness-a", tmp_path / "witness-b"
        vkey_a = temoin("witness", "init", "--state", str(online), "--name", "witness.cndh-s.example").stdout.strip()
        vkey_b = temoin("witness", "init", "--state", str(offline), "--name", "witness.ldh-s.example").stdout.strip()
        temoin("evidence", "witness-add", "CNDH-S", vkey_a, "--reason", "convention synthétique")
        temoin("evidence", "witness-add", "LDH-S", vkey_b, "--reason", "convention synthétique")

        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "temoin.cli", "serve", "--port", str(port)],
                                  env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(f"{url}/api/evidence/witness/checkpoint/", server)
            first = temoin("witness", "check", url, "--state", str(online), "--log-key", log_vkey)
            assert first.stdout.startswith("temoin.ongt/custody\n3\n") and "— witness.cndh-s.example " in first.stdout
            assert "cosignature accepted by the log" in first.stderr

            tsa.available = False
            photo = tmp_path / "synthetique-3.bin"
            photo.write_bytes(os.urandom(2000))
            temoin("evidence", "ingest", str(photo), "--event", reference, "--reason", "dépôt terrain")
            down = temoin("evidence", "checkpoint", "--unseal").stdout  # published, TSA down
            assert down.startswith("temoin.ongt/custody\n4\n") and ": failed custody.timestamp_unavailable" in down
            down = temoin("evidence", "timestamp", "--pending", code=1).stdout
            assert "point de contrôle 4" in down and "ÉCHEC custody.timestamp_unavailable" in down
            tsa.available = True
            back = temoin("evidence", "timestamp", "--pending").stdout
            assert "point de contrôle 4" in back and "OK 20" in back

            second = temoin("witness", "check", url, "--state", str(online))
            assert "consistent with size 3" in second.stderr

            files = tmp_path / "usb"
            temoin("evidence", "witness-files", str(files), "--from", "0")
            cosigned = temoin("witness", "check", "--state", str(offline), "--log-key", log_vkey,
                              "--checkpoint", str(files / "checkpoint.note"), "--proof", str(files / "proof.json"))
            assert "— witness.ldh-s.example " in cosigned.stdout
            (files / "cosigned.note").write_text(cosigned.stdout, encoding="utf-8")
            imported = temoin("evidence", "cosignature", str(files / "cosigned.note")).stdout
            assert "point de contrôle 4" in imported and "witness.ldh-s.example" in imported

            temoin("evidence", "export", "--event", reference, "--out", str(tmp_path / "bag"), "--recipient",
                   "courts", "--reason", "parquet synthétique", "--unseal")
            bag = tmp_path / "bag"
            verdict = run(str(bag / "data" / "verify_package.py"), str(bag), "--log-key", log_vkey,
                          "--witness-key", vkey_a, "--witness-key", vkey_b, "--quorum", "2",
                          "--tsa-root", str(tsa.root_pem), "--min-timestamps", "2").stdout
            assert "OK      cosigned by witness witness.cndh-s.example" in verdict
            assert "OK      cosigned by witness witness.ldh-s.example" in verdict
            assert verdict.count("OK      time-stamp 20") >= 2
            assert "VERDICT: ALL VERIFIED" in verdict
            unsupported = run(str(bag / "data" / "verify_package.py"), str(bag), "--log-key", log_vkey,
                              "--witness-key", vkey_a, "--quorum", "2", ok=False)
            assert unsupported.returncode == 1 and "1 witness cosignatures, 2 required" in unsupported.stdout

            # a coerced server (or an old backup restored) cuts the log back and signs again
            custody = home / "vault" / "custody"
            lines = (custody / "entries.jsonl").read_bytes().split(b"\n")
            (custody / "entries.jsonl").write_bytes(b"\n".join(lines[:2]) + b"\n")
            for stored in (custody / "checkpoints").glob("*.note"):
                stored.unlink()
            assert temoin("evidence", "checkpoint", "--unseal").stdout.startswith("temoin.ongt/custody\n2\n")
            refused = temoin("witness", "check", url, "--state", str(online), code=2)
            assert "REFUSED — HISTORY REWRITTEN" in refused.stderr and "smaller than size 4" in refused.stderr
            assert refused.stdout == "" and len(list((online / "refused").glob("*-size-2.json"))) == 1
            failed = temoin("evidence", "verify", "--unseal", code=1).stdout
            assert "historique réécrit" in failed or "entrées disparues" in failed
        finally:
            server.terminate()
            server.wait(timeout=60)
