"""Given/family names put back in their fields (SYNTHETIC names from common pools)."""

from __future__ import annotations

from datetime import date

from temoin.core.linkage.prepare import prepare_persons
from temoin.core.linkage.records import PersonRecord
from temoin.core.linkage.roles import NameRoles
from temoin.core.linkage.variants import default_variants


def _record(rid: str, given: str | None, family: str | None) -> PersonRecord:
    return PersonRecord(
        record_id=rid,
        list_id="A",
        given_name=given,
        family_name=family,
        sex="m",
        age=30,
        death_date=date(2019, 3, 23),
        village="Ogossagou",
    )


def _names(records: list[PersonRecord]) -> list[tuple[object, object]]:
    table = prepare_persons(records).table
    return list(zip(table["given_canon"], table["family_canon"], strict=True))


def test_a_lone_family_name_in_the_given_field_moves_to_the_family_field() -> None:
    assert _names([_record("1", "Touré", None), _record("2", None, "Moussa")]) == [
        (None, "toure"),
        ("moussa", None),
    ]


def test_a_misspelt_swapped_name_is_read_like_its_closest_frequent_name() -> None:
    # "Rookia" is unknown; it reads like the frequent given name "Rokia", and "Boly" is a
    # family name: the fields were swapped.
    records = [_record(str(i), "Rokia", "Boly") for i in range(3)]
    records.append(_record("9", "Boly", "Rookia"))
    assert _names(records)[-1] == ("rookia", "boly")


def test_names_used_both_ways_are_left_alone() -> None:
    # "Sidi" is a known given name written in the family field, but "Mohamed" in the
    # given field is a given name too: the evidence is not one-sided.
    assert _names([_record("1", "Mohamed", "Sidi")]) == [("mohamed", "sidi")]


def test_role_of_an_unknown_rare_token_is_none() -> None:
    roles = NameRoles([], default_variants())
    assert roles.token_role("zzyzx") is None
    assert roles.token_role("traore") == "family"
    assert roles.part_role("aminata traore") is None  # the two tokens disagree
