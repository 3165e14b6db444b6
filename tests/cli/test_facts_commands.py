"""`temoin facts check|rebuild` on a real on-disk demo database: in step after the demo load,
drift found once a fact row is changed behind the application's back, repaired by rebuild
(which leaves an audit row)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cli.test_commands import temoin

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]


def test_facts_check_finds_drift_and_rebuild_repairs_it(tmp_path):
    home = tmp_path / "home"
    temoin(home, "demo", "--no-serve", "--events", "20")
    assert "les faits sont à jour" in temoin(home, "facts", "check").stdout
    db = sqlite3.connect(home / "temoin.sqlite3")
    changed = db.execute("UPDATE cases_eventfact SET admin1 = 'Nowhere' "
                         "WHERE event_id = (SELECT MIN(event_id) FROM cases_eventfact)").rowcount
    db.commit()
    db.close()
    assert changed == 1
    drifted = temoin(home, "facts", "check", ok=False)
    assert drifted.returncode == 1 and "temoin facts rebuild" in drifted.stdout
    assert "faits recalculés" in temoin(home, "facts", "rebuild").stdout
    assert "les faits sont à jour" in temoin(home, "facts", "check").stdout
    db = sqlite3.connect(home / "temoin.sqlite3")
    actions = [row[0] for row in db.execute(
        "SELECT action FROM audit_auditentry ORDER BY sequence DESC LIMIT 1")]
    db.close()
    assert actions == ["cases.facts_rebuild"]
