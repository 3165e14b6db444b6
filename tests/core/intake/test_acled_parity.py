"""The fast path of the ACLED parser gives exactly the records of the reference path.

``iter_acled`` runs ``_plain_acled_row`` first and ``parse_acled_row`` (the reference, which
also builds every quarantine and its message) when the fast path declines a row. Here both
are compared row by row on the real export (read from the shared data folder, never
copied), on SYNTHETIC files and on hypothesis-generated cells meant to sit on every edge
of the checks (spaces, Unicode digits and spaces, "nan", "1e400", "3.0", swapped points…).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temoin.core.intake import ParsedRow, QuarantinedRow, RowResult, iter_acled
from temoin.core.intake.acled import (
    ACLED_REQUIRED_COLUMNS,
    _default_map,
    _plain_acled_row,
    parse_acled_row,
)
from temoin.core.intake.tabular import iter_dict_rows, quarantine_duplicates
from tests.core.intake.synthetic import synthetic_row, write_acled_csv

REPO = Path(__file__).resolve().parents[3]


def reference_results(path: Path) -> Iterator[RowResult]:
    """What ``iter_acled`` yielded before the fast path: the reference parser on every row."""
    rows = iter_dict_rows(path, required_columns=ACLED_REQUIRED_COLUMNS,
                          source_format="acled_csv", kind_label="an ACLED export")
    act_map = _default_map()
    return quarantine_duplicates(
        (item if isinstance(item, QuarantinedRow)
         else parse_acled_row(item[1], row_number=item[0], act_map=act_map) for item in rows),
        id_field="event_id_cnty")


def assert_same(fast: RowResult, reference: RowResult) -> None:
    assert type(fast) is type(reference)
    assert fast == reference  # every field (fingerprint and warnings included) but raw
    assert fast.raw == reference.raw


def compare_files(path: Path) -> tuple[int, int]:
    """(rows, rows that went through the fast path) after checking every row."""
    fast_hits = 0
    act_map = _default_map()
    rows = iter_dict_rows(path, required_columns=ACLED_REQUIRED_COLUMNS,
                          source_format="acled_csv", kind_label="an ACLED export")
    for item in rows:
        if not isinstance(item, QuarantinedRow):
            fast = _plain_acled_row(dict(item[1]), item[0], act_map)
            if fast is not None:
                fast_hits += 1
                assert_same(fast, parse_acled_row(item[1], row_number=item[0]))
    count = 0
    for count, (new, old) in enumerate(  # noqa: B007
            zip(iter_acled(path), reference_results(path), strict=True), start=1):
        assert_same(new, old)
    return count, fast_hits


def test_real_file_fast_path_gives_the_reference_records(acled_file: Path) -> None:
    rows, fast_hits = compare_files(acled_file)
    assert rows == 3990
    assert fast_hits == 3990  # a clean export never needs the reference path


def test_synthetic_benchmark_file_gives_the_reference_records(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from intake_acled import make_synthetic

    path = tmp_path / "synthetic.csv"
    make_synthetic(path, 3000)
    rows, fast_hits = compare_files(path)
    assert (rows, fast_hits) == (3000, 3000)


def test_edge_rows_give_the_reference_records_and_quarantines(tmp_path: Path) -> None:
    edges = [
        {}, {"fatalities": "3.0"}, {"fatalities": "-0"}, {"fatalities": "nan"},
        {"fatalities": "99999999999999999999"}, {"fatalities": "٣"}, {"fatalities": " 12 "},
        {"latitude": "14,5", "longitude": "-3,5"}, {"latitude": "-3.5", "longitude": "14.0"},
        {"latitude": "0", "longitude": "0"}, {"latitude": "", "longitude": ""},
        {"latitude": "14.0", "longitude": ""}, {"latitude": "nan"}, {"longitude": "1e400"},
        {"latitude": "48.85", "longitude": "2.35"}, {"country": "Niger", "latitude": "48.8"},
        {"country": " MALI "}, {"country": "MALI", "latitude": "48.8", "longitude": "2.3"},
        {"country": "mali", "latitude": "-3.5", "longitude": "14.0"}, {"event_date": "31 July 2020"}, {"event_date": "1er mars 2019"},
        {"event_date": "2019-02-30"}, {"event_date": ""}, {"event_id_cnty": "  "},
        {"event_type": "Alien landing"}, {"event_type": " Battles ", "sub_event_type": ""},
        {"time_precision": "9"}, {"time_precision": " 2 "}, {"geo_precision": "7"},
        {"actor1": "", "assoc_actor_1": " ; ;", "actor2": "\u00a0SYNTHETIC X\u00a0"},
        {"notes": "\u2003", "source": " ", "source_scale": "\tNational\n"},
        {"event_id_cnty": "SYN1"},  # a duplicate id: quarantined by the shared check
    ]
    rows = [synthetic_row(100 + n, **edge) for n, edge in enumerate(edges)]
    path = write_acled_csv(tmp_path / "edges.csv", rows, hxl=True)
    compared, fast_hits = compare_files(path)
    assert compared == len(edges)
    assert 0 < fast_hits < len(edges)
    quarantined = [r for r in iter_acled(path) if isinstance(r, QuarantinedRow)]
    assert {r.reason_code for r in quarantined} >= {"bad_number", "bad_coordinate", "bad_date",
                                                    "missing_id", "unknown_event_type"}


CELLS = st.one_of(
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e400", "3", "3.0", "-1", "007", "٣",
                     "0", "14.0", "-3.5", "14,5", "90.0001", "-180", " 2019-03-23 ",
                     "23 March 2019", "2019-13-01", "Battles", "Armed clash", "Protests",
                     "Violence against civilians", "Civilian targeting", "Mali", "mali ",
                     "1", "2", "3", "SYN1", "a;b; ;c", "\u00a0", "\u2028x"]),
    st.text(max_size=12),
)
COLUMNS = ["event_id_cnty", "event_date", "event_type", "sub_event_type", "latitude",
           "longitude", "fatalities", "time_precision", "geo_precision", "country",
           "civilian_targeting", "actor1", "inter1", "assoc_actor_1", "actor2", "tags",
           "source", "notes", "location", "admin1"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.dictionaries(st.sampled_from(COLUMNS), CELLS, max_size=len(COLUMNS)))
def test_random_rows_fast_path_equals_the_reference(cells: dict[str, str]) -> None:
    raw = {**synthetic_row(1), **cells}
    reference = parse_acled_row(raw, row_number=5)
    fast = _plain_acled_row(dict(raw), 5, _default_map())
    if fast is not None:
        assert isinstance(reference, ParsedRow)
        assert_same(fast, reference)
