"""`temoin evidence` for the issue-3 gaps, on a real on-disk database and vault: ingest with a
Tella record (--field-record), link / --unlink with custody entries, shred refused while a
working copy exists, then --with-derivatives. All data synthetic."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.cli.test_evidence_commands import SETUP, run, temoin

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]  # 60-120 s: 11 `temoin` processes

DERIVE = """
import sys
from pathlib import Path
from temoin.cli.context import cli_context
with cli_context():
    from temoin.accounts.models import User
    from temoin.evidence import services
    from temoin.evidence.models import EvidenceItem
    admin = User.objects.get(username="admin")
    copy = services.evidence_derive(actor=admin, original=EvidenceItem.objects.get(sha256=sys.argv[1]),
        file=Path(sys.argv[2]), operation={"name": "blur_faces", "tool": "synthetic", "tool_version": "1"},
        reason="floutage", redacted=True)
    print(copy.item.sha256)
"""


def test_field_record_links_and_shred_with_derivatives(tmp_path: Path) -> None:
    home = tmp_path / "home"
    temoin(home, "init", "--org-name", "ONG de test", "--org-short", "ONGT")
    reference, source_id = run(home, "-c", SETUP).stdout.split()
    photo = tmp_path / "VID_synthetic.png"
    content = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
    photo.write_bytes(content)
    sha = hashlib.sha256(content).hexdigest()
    record = tmp_path / "VID_synthetic.json"
    record.write_text(json.dumps({"fileHashSHA256": sha, "timestamp": 1709633472000,
                                  "myLocation": {"latitude": 14.03, "longitude": -4.6}}))
    out = temoin(home, "evidence", "ingest", str(photo), "--event", reference, "--reason", "dépôt terrain",
                 "--field-record", str(record)).stdout
    assert sha in out and "preuve jointe : tella:match" in out

    assert "rattaché" in temoin(home, "evidence", "link", sha, "--source", source_id, "--reason", "même témoin").stdout
    assert "détaché" in temoin(home, "evidence", "link", sha, "--source", source_id, "--reason", "erreur",
                               "--unlink").stdout
    last = temoin(home, "evidence", "link", sha, "--event", reference, "--reason", "x", "--unlink", ok=False)
    assert last.returncode == 2 and "au moins un évènement" in last.stderr
    timeline = temoin(home, "evidence", "timeline", sha).stdout
    assert "link" in timeline and "unlink" in timeline and "même témoin" in timeline

    blurred = tmp_path / "blurred.png"
    blurred.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    copy_sha = run(home, "-c", DERIVE, sha, str(blurred)).stdout.split()[-1]
    refused = temoin(home, "evidence", "shred", sha, "--reason", "retrait", "--authority", "D-1", ok=False)
    assert refused.returncode != 0
    assert "evidence.derivatives_exist" in refused.stderr and copy_sha in refused.stderr
    done = temoin(home, "evidence", "shred", sha, "--reason", "retrait", "--authority", "D-1",
                  "--with-derivatives").stdout
    assert f"{sha} détruit" in done and f"copie de travail {copy_sha} détruite" in done
    assert "key_destroyed" in temoin(home, "evidence", "timeline", copy_sha).stdout
