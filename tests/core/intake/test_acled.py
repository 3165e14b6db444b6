"""ACLED parsing: the real Mali export (read from shared data) and synthetic edge cases."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from temoin.core.intake import (
    ACLED_ATTRIBUTION,
    FileFormatError,
    ParsedRow,
    QuarantinedRow,
    iter_acled,
    iter_acled_json,
)
from temoin.core.intake.errors import EmptyFileError
from tests.core.intake.synthetic import synthetic_row, write_acled_csv


def test_real_file_parses_every_row(acled_file: Path) -> None:
    results = list(iter_acled(acled_file))
    assert len(results) == 3990
    assert all(isinstance(r, ParsedRow) for r in results)
    parsed = [r for r in results if isinstance(r, ParsedRow)]
    assert parsed[0].row_number == 3  # header = row 1, HXL row = row 2
    assert len({r.upstream_id for r in parsed}) == 3990
    assert all(not r.event.verified for r in parsed)
    assert all(r.source.attribution == ACLED_ATTRIBUTION for r in parsed)
    acts = Counter(act.act_type_code for r in parsed for act in r.event.acts)
    # derived from the file's own event/sub-event counts (see acled_act_types.csv)
    assert acts["armed_clash"] == 1189 + 53 + 28
    assert acts["attack_on_civilians"] == 970 + 9
    assert acts["abduction"] == 191
    assert acts["sexual_violence"] == 7
    assert acts["explosion"] == 403 + 97 + 82 + 22 + 5
    assert acts["arrest"] == 31
    assert sum(acts.values()) == 3990
    levels = Counter(r.event.date_precision.level for r in parsed)
    assert levels == {"day": 3744, "week": 189, "month": 57}
    fatalities = sum(r.event.casualties[0].count_best or 0 for r in parsed)
    with open(acled_file, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[1:]
    assert fatalities == sum(int(row["fatalities"]) for row in rows)


def test_real_file_fingerprints_are_stable(acled_file: Path) -> None:
    first = [r.fingerprint for r in iter_acled(acled_file) if isinstance(r, ParsedRow)]
    second = [r.fingerprint for r in iter_acled(acled_file) if isinstance(r, ParsedRow)]
    assert first == second
    assert len(set(first)) == len(first)


def test_synthetic_row_is_normalised(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "synthetic.csv", [synthetic_row(1)])
    (row,) = list(iter_acled(path))
    assert isinstance(row, ParsedRow)
    assert row.row_number == 2 and row.upstream_id == "SYN1"
    assert row.event.date_start == row.event.date_end == dt.date(2019, 3, 23)
    assert row.event.acts[0].act_type_code == "attack_on_civilians"
    assert [(a.name, a.role, a.side, a.type_code) for a in row.event.actors] == [
        ("SYNTHETIC Militia A", "actor1", 1, "4"),
        ("SYNTHETIC Group B", "assoc_actor_1", 1, None),
        ("SYNTHETIC Group C", "assoc_actor_1", 1, None),
        ("Civilians (Mali)", "actor2", 2, "7"),
    ]
    claim = row.event.casualties[0]
    assert (claim.category, claim.count_min, claim.count_max, claim.count_best, claim.claimed_by) == (
        "killed", 3, 3, 3, "ACLED",
    )  # fmt: skip
    location = row.event.location
    assert (location.admin1, location.admin2, location.latitude, location.longitude) == (
        "Mopti", "Bankass", 14.0, -3.5,
    )  # fmt: skip
    assert (location.geo_precision_code, location.geo_precision_level) == ("1", "exact")
    assert row.source.source_text == "SYNTHETIC Radio" and row.source.source_scale == "National"


def test_same_event_gives_same_fingerprint_in_every_layout(tmp_path: Path) -> None:
    plain = write_acled_csv(tmp_path / "a.csv", [synthetic_row(1)])
    hxl = write_acled_csv(tmp_path / "b.csv", [synthetic_row(1)], hxl=True)
    old_style = write_acled_csv(
        tmp_path / "c.csv", [synthetic_row(1, event_date="23 March 2019")], delimiter=";",
        encoding="cp1252",
    )  # fmt: skip
    api = {"status": 200, "success": True, "count": 1, "data": [
        {**synthetic_row(1), "latitude": 14.0, "longitude": -3.5, "fatalities": 3}
    ]}  # fmt: skip
    prints = {
        next(iter(iter_acled(plain))).fingerprint,  # type: ignore[union-attr]
        next(iter(iter_acled(hxl))).fingerprint,  # type: ignore[union-attr]
        next(iter(iter_acled(old_style))).fingerprint,  # type: ignore[union-attr]
        next(iter(iter_acled_json(json.dumps(api).encode()))).fingerprint,  # type: ignore[union-attr]
    }
    assert len(prints) == 1


@pytest.mark.parametrize(
    ("override", "field", "reason"),
    [
        ({"event_id_cnty": ""}, "event_id_cnty", "missing_id"),
        ({"event_date": "2019-02-30"}, "event_date", "bad_date"),
        ({"event_date": "soon"}, "event_date", "bad_date"),
        ({"event_type": "Alien landing"}, "event_type", "unknown_event_type"),
        ({"event_type": ""}, "event_type", "missing_value"),
        ({"fatalities": "3.5"}, "fatalities", "bad_number"),
        ({"fatalities": "-1"}, "fatalities", "bad_number"),
        ({"fatalities": "many"}, "fatalities", "bad_number"),
        ({"fatalities": "nan"}, "fatalities", "bad_number"),  # crashed the parser before
        ({"fatalities": "inf"}, "fatalities", "bad_number"),
        ({"fatalities": "1e400"}, "fatalities", "bad_number"),
        ({"latitude": "95"}, "latitude", "bad_coordinate"),
        ({"longitude": "east"}, "longitude", "bad_coordinate"),
        ({"longitude": ""}, "latitude", "bad_coordinate"),
    ],
)
def test_bad_rows_are_quarantined_verbatim(tmp_path: Path, override, field, reason) -> None:
    row = synthetic_row(7, **override)
    path = write_acled_csv(tmp_path / "bad.csv", [synthetic_row(1), row, synthetic_row(2)])
    results = list(iter_acled(path))
    assert [type(r).__name__ for r in results] == ["ParsedRow", "QuarantinedRow", "ParsedRow"]
    bad = results[1]
    assert isinstance(bad, QuarantinedRow)
    assert (bad.row_number, bad.field, bad.reason_code) == (3, field, reason)
    assert bad.raw == row  # verbatim
    assert bad.message.startswith(f"row 3: field {field!r}")


def test_unknown_sub_event_type_uses_event_type_fallback(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "x.csv", [synthetic_row(1, sub_event_type="New subtype")])
    (row,) = list(iter_acled(path))
    assert isinstance(row, ParsedRow)
    assert row.event.acts[0].act_type_code == "attack_on_civilians"
    assert "Any other" in (row.event.acts[0].mapping_note or "")


def test_civilian_targeting_adds_attack_on_civilians(tmp_path: Path) -> None:
    columns = [*synthetic_row(1).keys(), "civilian_targeting"]
    rows = [synthetic_row(1, event_type="Explosions/Remote violence",
                          sub_event_type="Remote explosive/landmine/IED",
                          civilian_targeting="Civilian targeting")]  # fmt: skip
    (row,) = list(iter_acled(write_acled_csv(tmp_path / "x.csv", rows, columns=columns)))
    assert isinstance(row, ParsedRow)
    assert [a.act_type_code for a in row.event.acts] == ["explosion", "attack_on_civilians"]


def test_duplicate_ids_quarantine_the_later_rows(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "dup.csv", [synthetic_row(1), synthetic_row(2),
                                                  synthetic_row(1, notes="changed")])  # fmt: skip
    results = list(iter_acled(path))
    assert isinstance(results[2], QuarantinedRow)
    assert results[2].reason_code == "duplicate_id"
    assert (
        results[2].message == "row 4: field 'event_id_cnty': id already used by row 2 of this file"
    )


def test_ragged_row_is_quarantined(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "r.csv", [synthetic_row(1)])
    path.write_text(path.read_text() + "SYN9,2019-01-01\n")
    results = list(iter_acled(path))
    assert isinstance(results[1], QuarantinedRow) and results[1].reason_code == "bad_shape"
    assert results[1].raw == {"column_1": "SYN9", "column_2": "2019-01-01"}


def test_wrong_files_raise_before_yielding(tmp_path: Path) -> None:
    other = tmp_path / "ucdp.csv"
    other.write_text("id,date_start\n1,2019-01-01\n")
    with pytest.raises(FileFormatError) as caught:
        iter_acled(other)
    assert "missing column(s) event_id_cnty, event_date, event_type" in str(caught.value)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        iter_acled(empty)


def test_api_json_shapes_and_errors() -> None:
    payload = {"data": [synthetic_row(1), "not an object", synthetic_row(2, fatalities="x")]}
    results = list(iter_acled_json(payload))
    assert [type(r).__name__ for r in results] == ["ParsedRow", "QuarantinedRow", "QuarantinedRow"]
    assert results[1].reason_code == "bad_shape"  # type: ignore[union-attr]
    assert results[0].source_format == "acled_json"
    assert len(list(iter_acled_json([synthetic_row(3)]))) == 1
    with pytest.raises(FileFormatError, match="not valid JSON"):
        iter_acled_json(b"{not json")
    with pytest.raises(FileFormatError, match="no list of events"):
        iter_acled_json({"status": 200})


def test_swapped_or_foreign_coordinates_are_warned_not_changed(tmp_path: Path) -> None:
    rows = [synthetic_row(1, latitude="-3.5", longitude="14.0"), synthetic_row(2, latitude="48.8")]
    swapped, outside = list(iter_acled(write_acled_csv(tmp_path / "c.csv", rows)))
    assert isinstance(swapped, ParsedRow) and isinstance(outside, ParsedRow)
    assert swapped.event.location.latitude == -3.5  # kept as stated
    assert swapped.warnings == (
        "coordinates swapped: -3.5, 14.0 is outside Mali but 14.0, -3.5 is inside: swapped?",
    )
    assert outside.warnings == ("coordinates outside_mali: 48.8, -3.5 is outside Mali",)


def test_duplicate_detection_can_be_left_to_the_caller(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "dup.csv", [synthetic_row(1), synthetic_row(1)])
    results = list(iter_acled(path, detect_duplicates=False))
    assert [type(r).__name__ for r in results] == ["ParsedRow", "ParsedRow"]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    from temoin.core.intake import UnreadableFileError
    from temoin.core.intake.odk import iter_odk_export
    from temoin.core.intake.ucdp import iter_ucdp

    for parser in (iter_acled, iter_acled_json, iter_ucdp, iter_odk_export):
        with pytest.raises(UnreadableFileError) as caught:
            parser(tmp_path / "nope.csv")
        assert caught.value.code == "file_unreadable" and "nope.csv" in str(caught.value)
    with pytest.raises(UnreadableFileError):
        iter_acled(tmp_path)  # a folder
