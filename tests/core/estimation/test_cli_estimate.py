"""The ``temoin estimate`` sub-app (typer), run in-process on the shared tables."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from temoin.cli.estimate import app

from .conftest import MSE_DIR

runner = CliRunner()


def test_run_prints_table_and_writes_json_and_svg(tmp_path: Path) -> None:
    plot = tmp_path / "posterior.svg"
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["run", str(MSE_DIR / "madigan_york_5lists.csv"),
                                 "--method", "loglinear", "--method", "dga", "--n-boot", "25",
                                 "--plot", str(plot), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "loglinear" in result.output and "dga" in result.output
    assert plot.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    data = json.loads(out.read_text(encoding="utf-8"))
    methods = [r["method"] for r in data["strata"]["None"]["results"]]
    assert data["file"] == "madigan_york_5lists.csv"
    assert methods == ["loglinear", "dga"]


def test_run_with_strata_prints_totals(tmp_path: Path) -> None:
    rows = ["region,A,B,C,count"]
    for region, scale in (("Mopti", 3), ("Gao", 2)):
        for pattern, count in (("1,0,0", 40), ("0,1,0", 30), ("0,0,1", 20), ("1,1,0", 12),
                               ("1,0,1", 8), ("0,1,1", 6), ("1,1,1", 3)):
            rows.append(f"{region},{pattern},{count * scale}")
    path = tmp_path / "strata.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    png = tmp_path / "strata.png"
    result = runner.invoke(app, ["run", str(path), "--stratum-column", "region", "--method",
                                 "dga", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert "TOTAL over strata (dga)" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_file_exits_2_with_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("A,B,C,count\n1,0,7,3\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2
    assert "invalid_table" in result.output and "row 2" in result.output


def test_check_gives_the_three_verdicts() -> None:
    path = str(MSE_DIR / "artificial_3lists_identifiability.csv")
    outputs = [runner.invoke(app, ["check", path, "--model", model]).output
               for model in ("[12,13,23]", "[12,3]", "[13,23,1,2]")]
    assert "-> 2 (not identifiable)" in outputs[0]
    assert "-> 1 (MLE does not exist)" in outputs[1]
    assert "-> 0 (estimable)" in outputs[2]
