"""Small SYNTHETIC fixtures for linkage tests (names from common pools, no real people)."""

from __future__ import annotations

from datetime import date

import pytest

from temoin.core.linkage.records import PersonRecord
from temoin.core.linkage.settings import LinkageSettings

DAY = date(2019, 3, 23)


def person(
    list_id: str, record_id: str, given: str | None, family: str | None, **extra: object
) -> PersonRecord:
    values: dict[str, object] = {
        "sex": "m",
        "death_date": DAY,
        "village": "Ogossagou",
        "commune": "Bankass",
        "age": 40,
        "stratum": "Mopti",
    }
    values.update(extra)
    return PersonRecord(
        record_id=record_id, list_id=list_id, given_name=given, family_name=family, **values
    )  # type: ignore[arg-type]


@pytest.fixture()
def three_lists() -> list[PersonRecord]:
    """Three lists; A1/B1/C1 one person (spelt three ways), A2/B2 another, A3 and C3 distinct."""
    return [
        person("A", "A1", "Boubacar", "Traoré"),
        person("B", "B1", "Aboubacar", "TRAORE", age=41, death_date=date(2019, 3, 24)),
        person("C", "C1", "Traore", "Boubakar", age=None),
        person("A", "A2", "Aminata", "Cissé", sex="f", age=25, village="Ogossagou-Peulh"),
        person("B", "B2", "Aminata", "Sissé", sex="f", age=26, village="Ogossagou-Peulh"),
        person(
            "A",
            "A3",
            "Hamadoun",
            "Dicko",
            age=70,
            village="Sobane Da",
            commune="Sangha",
            death_date=date(2019, 6, 10),
        ),
        person(
            "C",
            "C3",
            "Seydou",
            "Guindo",
            age=12,
            village="Koulogon",
            commune="Bankass",
            death_date=date(2019, 1, 1),
        ),
    ]


@pytest.fixture()
def priors() -> LinkageSettings:
    return LinkageSettings(training="priors", u_max_pairs=1e4)
