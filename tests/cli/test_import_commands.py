"""`temoin import …` and `temoin geodata …` on a real on-disk SQLite database (subprocess)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.test_commands import temoin
from tests.core.intake.synthetic import synthetic_row, write_acled_csv
from tests.core.intake.test_table import PROFILE_DATA

pytestmark = pytest.mark.sqlite_only
REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("TEMOIN_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.mark.slow
def test_import_acled_twice_quarantine_retry_batches_and_geodata(tmp_path):
    home = tmp_path / "home"
    temoin(home, "init")
    temoin(home, "user", "create", "awa", "--role", "analyst")
    temoin(home, "user", "create", "moussa", "--role", "viewer")
    geo = temoin(home, "geodata", "install", "--from", str(SHARED))
    assert "lieux installés" in geo.stdout and "geonames_ML.txt" in geo.stdout
    found = temoin(home, "geodata", "geocode", "Ogossagou", "--admin1", "Mopti",
                   "--admin2", "Bankass")
    assert found.stdout.startswith("found")
    rows = [synthetic_row(1), synthetic_row(2, event_date="2019-13-01"), synthetic_row(3)]
    path = write_acled_csv(tmp_path / "acled.csv", rows, hxl=True)
    first = temoin(home, "import", "acled", str(path), "--user", "awa")
    assert "Lot 1" in first.stdout and "bad_date ×1" in first.stdout
    assert sha256_of(path) in first.stdout
    # the source file is kept in the evidence vault (encrypted), not in clear under imports/
    assert (home / "vault" / "objects" / "blobs" / sha256_of(path)).is_file()
    assert not (home / "imports").exists()
    second = temoin(home, "import", "acled", str(path), "--user", "awa").stdout
    assert "Lot 2" in second
    listing = temoin(home, "import", "batches", "--user", "awa").stdout
    lines = [line for line in listing.splitlines() if "acled.csv" in line]
    assert len(lines) == 2
    cells = [c.strip() for c in lines[0].split("│") if c.strip()]  # newest first: batch 2
    assert cells[:3] == ["2", "acled", "done"] and cells[5:10] == ["3", "0", "0", "2", "1"]
    quarantine = temoin(home, "import", "quarantine", "list", "--user", "awa").stdout
    assert "bad_date" in quarantine and "event_date" in quarantine
    shown = temoin(home, "import", "quarantine", "show", "1", "--user", "awa").stdout
    assert "'2019-13-01'" in shown
    failing = temoin(home, "import", "quarantine", "retry", "1", "--user", "awa", ok=False)
    assert failing.returncode == 1 and "still_failing" in failing.stdout
    fixed = temoin(home, "import", "quarantine", "retry", "1", "--set", "event_date=2019-12-01",
                   "--user", "awa")
    assert "imported" in fixed.stdout
    refused = temoin(home, "import", "acled", str(path), "--user", "moussa", ok=False)
    assert refused.returncode == 2 and "permission_denied" in refused.stderr
    assert "Lot 3" not in temoin(home, "import", "batches", "--user", "awa").stdout


def test_table_dry_run_and_import(tmp_path):
    home = tmp_path / "home"
    temoin(home, "init")
    table = tmp_path / "partner.csv"
    table.write_bytes(("Réf;Date;Village;Cercle;Type;Tués;Auteurs;Résumé\n"
                       "P-1;23/03/2019;Village-S;Bankass;Pillage;2;FAMa;SYNTHETIC\n")
                      .encode("cp1252"))
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE_DATA), encoding="utf-8")
    dry = temoin(home, "import", "table", str(table), "--profile", str(profile), "--dry-run")
    assert "ok=True" in dry.stdout and "nouvelles=1" in dry.stdout
    assert "Lot" not in temoin(home, "import", "batches").stdout.split("Lots d'import")[-1] \
        .replace("Lots", "")
    done = temoin(home, "import", "table", str(table), "--profile", str(profile),
                  "--no-geocode").stdout
    assert "Lot 1 — table — done" in done


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_odk_device_password_set_and_revoke(tmp_path):
    home = tmp_path / "home"
    temoin(home, "init")
    temoin(home, "user", "create", "awa", "--role", "monitor")
    out = temoin(home, "import", "odk-password", "awa").stdout
    line = next(text for text in out.splitlines() if text.startswith("mot de passe d'appareil"))
    password = line.rsplit(" : ", 1)[1].strip()
    assert len(password) == 20 and "affiché une seule fois" in out
    assert "révoqué" in temoin(home, "import", "odk-password", "awa", "--revoke").stdout
    again = temoin(home, "import", "odk-password", "awa", "--revoke").stdout
    assert "aucun mot de passe" in again


def test_odk_vault_moves_nothing_on_a_new_installation_and_is_for_administrators(tmp_path):
    home = tmp_path / "home"
    temoin(home, "init")
    temoin(home, "user", "create", "awa", "--role", "analyst")
    out = temoin(home, "import", "odk-vault").stdout
    assert "xml: 0, attachments: 0, deleted: 0, sealed: 0, missing: 0, mismatch: 0" in out
    refused = temoin(home, "import", "odk-vault", "--user", "awa", ok=False)
    assert refused.returncode == 2 and "permission_denied" in refused.stderr
