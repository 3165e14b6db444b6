"""Idempotency support: fingerprints, per-field diffs, deletions (synthetic rows)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from temoin.core.intake import (
    FieldChange,
    ParsedRow,
    detect_deletions,
    diff_records,
    flatten_record,
    iter_acled,
)
from temoin.core.intake.fingerprint import flat_fingerprint
from tests.core.intake.synthetic import synthetic_row, write_acled_csv


def parse_one(path: Path) -> ParsedRow:
    (row,) = list(iter_acled(path))
    assert isinstance(row, ParsedRow)
    return row


def test_newer_export_gives_exact_field_changes(tmp_path: Path) -> None:
    old = parse_one(write_acled_csv(tmp_path / "old.csv", [synthetic_row(1)]))
    new = parse_one(write_acled_csv(tmp_path / "new.csv", [synthetic_row(
        1, fatalities="5", actor1="SYNTHETIC Militia Z", longitude="-3.6", timestamp="1700000000",
    )]))  # fmt: skip
    assert old.fingerprint != new.fingerprint
    assert old.fingerprint.startswith("v1:") and len(old.fingerprint) == 3 + 64
    assert diff_records(old, new) == (
        FieldChange("event.actors.actor1", "SYNTHETIC Militia A [4]", "SYNTHETIC Militia Z [4]"),
        FieldChange("event.casualties.killed", "3-3 best 3 by ACLED", "5-5 best 5 by ACLED"),
        FieldChange("event.location.longitude", -3.5, -3.6),
    )


def test_unchanged_record_has_no_diff_and_same_fingerprint(tmp_path: Path) -> None:
    first = parse_one(write_acled_csv(tmp_path / "a.csv", [synthetic_row(1)]))
    # the upstream timestamp alone changing is not a content change
    second = parse_one(write_acled_csv(tmp_path / "b.csv", [synthetic_row(1, timestamp="1")]))
    assert diff_records(first, second) == ()
    assert first.fingerprint == second.fingerprint


def test_diff_against_stored_flat_mapping(tmp_path: Path) -> None:
    row = parse_one(write_acled_csv(tmp_path / "a.csv", [synthetic_row(1)]))
    stored = flatten_record(row.source, row.event)
    stored.pop("event.tags")
    stored["event.description"] = "older text"
    assert diff_records(stored, row) == (
        FieldChange(
            "event.description", "older text", "SYNTHETIC note: an invented event for tests."
        ),
        FieldChange("event.tags", None, ""),
    )


def test_detect_deletions() -> None:
    report = detect_deletions(["A1", "A2", "A3"], ["A3", "A1", "A4"])
    assert report.missing_upstream_ids == ("A2",)
    assert report.new_upstream_ids == ("A4",)
    assert report.unchanged_count == 2


def test_seen_ids_grows_and_reports_first_row() -> None:
    from temoin.core.intake.tabular import SeenIds

    seen = SeenIds(capacity=4)
    for number in range(1000):
        assert seen.add(f"ID{number}", number + 2) is None
    assert len(seen) == 1000
    assert seen.add("ID0", 5000) == 2
    assert seen.add("ID999", 5001) == 1001
    assert len(seen) == 1000


def _reference_fingerprint(flat: dict) -> str:  # type: ignore[type-arg]
    """The v1 definition, written out: stored fingerprints must never change."""
    import hashlib

    payload = "\x1e".join(f"{key}\x1f{value!r}" for key, value in sorted(flat.items()))
    return "v1:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                   st.text(max_size=30))


@given(flat=st.dictionaries(st.text(max_size=20), SCALAR, min_size=1, max_size=30))
def test_flat_fingerprint_is_the_v1_definition(flat: dict) -> None:  # type: ignore[type-arg]
    assert flat_fingerprint(flat) == _reference_fingerprint(flat)


def test_parsed_rows_keep_their_v1_fingerprint(tmp_path: Path) -> None:
    rows = [synthetic_row(n) for n in range(1, 30)]
    rows[3]["assoc_actor_1"] = "SYNTHETIC a; SYNTHETIC b"
    rows[4].update(event_type="Battles", sub_event_type="Armed clash")
    parsed = [r for r in iter_acled(write_acled_csv(tmp_path / "f.csv", rows))]
    assert len(parsed) == 29
    for row in parsed:
        assert isinstance(row, ParsedRow)
        assert row.fingerprint == _reference_fingerprint(flatten_record(row.source, row.event))
    # act claims and actor names are cached: rows repeating them share equal records
    assert [a.act_type_code for a in parsed[4].event.acts] == ["armed_clash"]
    assert parsed[1].event.acts is parsed[2].event.acts
    assert [a.name for a in parsed[3].event.actors if a.role == "assoc_actor_1"] == [
        "SYNTHETIC a", "SYNTHETIC b"]
