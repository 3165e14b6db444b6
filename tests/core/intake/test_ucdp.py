"""UCDP GED parsing (synthetic rows with the GED column names)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from temoin.core.intake import FileFormatError, ParsedRow, QuarantinedRow
from temoin.core.intake.ucdp import iter_ucdp

COLUMNS = ["id", "relid", "year", "type_of_violence", "conflict_name", "side_a", "side_b",
           "source_article", "where_prec", "where_coordinates", "where_description", "adm_1",
           "adm_2", "latitude", "longitude", "country", "date_prec", "date_start", "date_end",
           "deaths_civilians", "best", "high", "low"]  # fmt: skip


def ged_row(**overrides: str) -> dict[str, str]:
    row = dict(
        id="900001", relid="SYN-1", year="2019", type_of_violence="3",
        conflict_name="SYNTHETIC militia - civilians", side_a="SYNTHETIC militia",
        side_b="Civilians", source_article="SYNTHETIC wire report", where_prec="1",
        where_coordinates="Synthetic-Village", where_description="near a synthetic well",
        adm_1="Mopti region", adm_2="Bankass cercle", latitude="14.0", longitude="-3.5",
        country="Mali", date_prec="1", date_start="2019-03-23", date_end="2019-03-23",
        deaths_civilians="150", best="157", high="170", low="150",
    )  # fmt: skip
    row.update(overrides)
    return row


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_ged_row_becomes_claim_range(tmp_path: Path) -> None:
    (row,) = list(iter_ucdp(write(tmp_path / "ged.csv", [ged_row()])))
    assert isinstance(row, ParsedRow)
    assert row.upstream_id == "900001" and row.source.source_kind == "ucdp_ged"
    killed, civilians = row.event.casualties
    assert (killed.count_min, killed.count_best, killed.count_max, killed.claimed_by) == (
        150, 157, 170, "UCDP GED",
    )  # fmt: skip
    assert (civilians.category, civilians.count_best) == ("killed_civilians", 150)
    assert row.event.acts[0].act_type_code == "attack_on_civilians"
    assert row.event.acts[0].upstream_subtype == "one-sided violence"
    assert [a.name for a in row.event.actors] == ["SYNTHETIC militia", "Civilians"]
    assert row.event.date_start == dt.date(2019, 3, 23)
    assert row.event.location.geo_precision_code == "1"


@pytest.mark.parametrize(
    ("override", "field", "reason"),
    [
        ({"best": "200"}, "best", "bad_range"),
        ({"low": "x"}, "low", "bad_number"),
        ({"best": "nan"}, "best", "bad_number"),
        ({"high": "inf"}, "high", "bad_number"),
        ({"low": "1e400"}, "low", "bad_number"),
        ({"type_of_violence": "4"}, "type_of_violence", "unknown_event_type"),
        ({"date_end": "2019-03-01"}, "date_end", "bad_range"),
        ({"date_start": "march"}, "date_start", "bad_date"),
        ({"id": ""}, "id", "missing_id"),
        ({"latitude": "123"}, "latitude", "bad_coordinate"),
    ],
)
def test_bad_ged_rows_are_quarantined(tmp_path: Path, override, field, reason) -> None:
    results = list(iter_ucdp(write(tmp_path / "ged.csv", [ged_row(**override)])))
    (bad,) = results
    assert isinstance(bad, QuarantinedRow)
    assert (bad.field, bad.reason_code, bad.row_number) == (field, reason, 2)


def test_duplicate_id_and_wrong_file(tmp_path: Path) -> None:
    results = list(iter_ucdp(write(tmp_path / "ged.csv", [ged_row(), ged_row(best="151")])))
    assert isinstance(results[1], QuarantinedRow) and results[1].reason_code == "duplicate_id"
    acled_like = tmp_path / "acled.csv"
    acled_like.write_text("event_id_cnty,event_date\nX1,2019-01-01\n")
    with pytest.raises(FileFormatError, match="not a UCDP GED export"):
        iter_ucdp(acled_like)
