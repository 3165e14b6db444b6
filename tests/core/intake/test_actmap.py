"""The ACLED → act-type mapping file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from temoin.core.intake import FileFormatError, load_act_type_map

REPO = Path(__file__).resolve().parents[3]


def test_every_code_is_in_the_act_vocabulary() -> None:
    vocabulary = REPO / "temoin" / "core" / "vocabularies" / "data" / "act_types.csv"
    if not vocabulary.is_file():
        pytest.skip("vocabulary file not present yet")
    codes = {row["code"] for row in csv.DictReader(vocabulary.open(encoding="utf-8"))}
    assert load_act_type_map().act_type_codes <= codes


def test_every_pair_in_the_real_file_is_mapped_exactly(acled_file: Path) -> None:
    act_map = load_act_type_map()
    with open(acled_file, encoding="utf-8") as handle:
        pairs = {
            (row["event_type"], row["sub_event_type"]) for row in list(csv.DictReader(handle))[1:]
        }
    for event_type, sub_event_type in pairs:
        mappings = act_map.lookup(event_type, sub_event_type)
        assert mappings is not None
        assert mappings[0].sub_event_type != "*", (event_type, sub_event_type)


def test_lookup_rules(tmp_path: Path) -> None:
    act_map = load_act_type_map()
    assert (
        act_map.lookup("  violence AGAINST civilians ", "sexual violence")[0].act_type_code
        == "sexual_violence"
    )  # type: ignore[index]
    assert act_map.lookup("Strategic Developments", "Arrests")[0].act_type_code == "arrest"  # type: ignore[index]
    assert act_map.lookup("Riots", None)[0].sub_event_type == "*"  # type: ignore[index]
    assert act_map.lookup("Unknown", "Attack") is None
    bad = tmp_path / "map.csv"
    bad.write_text("event_type,act\nx,y\n")
    with pytest.raises(FileFormatError):
        load_act_type_map(bad)
