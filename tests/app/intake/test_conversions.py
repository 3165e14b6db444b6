"""Intake rows → case rows: dates with ACLED precision codes, actor aliases, fast folding."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temoin.core.intake import parse_acled_row
from tests.core.intake.synthetic import synthetic_row


@given(st.text(max_size=80))
def test_fast_fold_is_exactly_fold(text):
    from temoin.cases.search import fold
    from temoin.intake.importer import fast_fold

    assert fast_fold(text) == fold(text)


@pytest.mark.parametrize(("code", "earliest", "latest", "precision"), [
    ("1", dt.date(2019, 3, 23), dt.date(2019, 3, 23), "day"),
    ("2", dt.date(2019, 3, 20), dt.date(2019, 3, 26), "approximate"),
    ("3", dt.date(2019, 3, 1), dt.date(2019, 3, 31), "month"),
])
def test_acled_time_precision_widens_the_date_and_is_kept(code, earliest, latest, precision):
    from temoin.intake.conversions import PlaceAnswer, event_values

    row = parse_acled_row(synthetic_row(1, time_precision=code), row_number=2)
    values = event_values(row, PlaceAnswer(), organisation_id=1, actor_id=1)
    assert (values["start_earliest"], values["start_latest"], values["start_precision"]) == (
        earliest, latest, precision)
    assert values["start_text"] == f"2019-03-23 (précision source {code})"
    assert values["review_status"] == "submitted" and values["geo_precision"] == "exact"


def test_aliases_ignore_case_and_a_trailing_parenthesis():
    from temoin.cases.models import Actor
    from temoin.intake.conversions import ActorAliases

    fama = Actor(pk=1, code="fama", label_en="Malian Armed Forces", label_fr="FAMa",
                 aliases=["Military Forces of Mali (2013-2020)"])
    jnim = Actor(pk=2, code="jnim", label_en="JNIM", label_fr="JNIM", aliases=[])
    aliases = ActorAliases([fama, jnim])
    assert aliases.resolve("military forces of mali (2013-2020)") == 1
    assert aliases.resolve("JNIM (Mali)") == 2
    assert aliases.resolve("Malian Armed Forces (2021-) (Mali)") == 1
    assert aliases.resolve("SYNTHETIC nobody") is None
