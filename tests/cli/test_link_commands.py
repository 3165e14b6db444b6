"""`temoin link` on a real on-disk database with the SYNTHETIC demo scenario: run, status,
review, decide, undo, export (then `temoin estimate` reads the export), and refusals."""

from __future__ import annotations

import csv

import pytest

from tests.cli.test_commands import temoin

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]


def test_link_commands_end_to_end(tmp_path):
    home = tmp_path / "home"
    temoin(home, "demo", "--events", "30", "--no-serve")
    out = temoin(home, "link", "persons", "--unseal", "--as", "admin").stdout
    assert "Liaison 1 (persons)" in out and "done" in out and "names" in out
    assert "Liaison 1" in temoin(home, "link", "status", "1").stdout
    review = temoin(home, "link", "review", "1", "--top", "5").stdout
    assert "File de revue" in review and "V-" in review
    pair = review.split("│")[[i for i, c in enumerate(review.split("│"))
                              if c.strip().isdigit()][0]].strip()
    decided = temoin(home, "link", "decide", pair, "reject", "--comment", "test").stdout
    assert "décision 1 : reject" in decided
    assert "annulée" in temoin(home, "link", "undo", "1").stdout
    bad = temoin(home, "link", "decide", pair, "peut-etre", ok=False)
    assert bad.returncode == 2 and "validation_failed" in bad.stdout
    target = tmp_path / "histories.csv"
    temoin(home, "link", "export", "1", "--out", str(target), "--stratum", "region")
    with target.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "stratum" and len(rows) > 10
    assert all(set(r[:-1]) <= {"0", "1"} and "1" in r[:-1] for r in rows[1:])
    plain = tmp_path / "plain.csv"
    temoin(home, "link", "export", "1", "--out", str(plain))
    estimate = temoin(home, "estimate", "run", str(plain), "--method", "loglinear",
                      "--n-boot", "0").stdout
    assert "loglinear" in estimate.lower()
    blind = temoin(home, "link", "persons", "--blind").stdout
    assert "--blocking" in temoin(home, "link", "persons", "--help").stdout
    wrong = temoin(home, "link", "persons", "--blocking", "nope", ok=False)
    assert wrong.returncode == 2 and "scale" in wrong.stdout
    assert "blind_index" in blind and "masqué" in blind
    events = temoin(home, "link", "events").stdout
    assert "Liaison 3 (events)" in events
    refused = temoin(home, "link", "persons", "--as", "nobody", ok=False)
    assert refused.returncode == 2
