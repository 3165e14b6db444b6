"""Every quarantine reason code and intake error code reads in French and in English; a
quarantined row's sentence names its row, record and field in both (synthetic rows)."""

from __future__ import annotations

import pytest
from django.utils import translation

from temoin.core.intake.errors import QUARANTINE_REASONS, error_codes
from temoin.intake.reasons import error_reasons, quarantine_message, quarantine_reasons

ALL_CODES = sorted(set(QUARANTINE_REASONS) | error_codes())


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {**quarantine_reasons(), **error_reasons()}


def test_every_code_of_the_core_has_a_french_and_an_english_label() -> None:
    french, english = _labels("fr"), _labels("en")
    assert sorted(french) == ALL_CODES  # fails when the core gains a code nobody translated
    untranslated = [code for code in ALL_CODES if english[code] == french[code]]
    assert untranslated == []  # the English catalogue (temoin/locale/en) has every label
    assert french["bad_date"] == "date illisible ou inexistante"
    assert english["bad_date"] == "unreadable or impossible date"
    assert english["signature_mismatch"].startswith("the signature does not match")


@pytest.mark.parametrize("code", sorted(QUARANTINE_REASONS))
def test_each_reason_names_row_record_and_field_in_both_languages(code: str) -> None:
    sentences = {}
    for language in ("fr", "en"):
        with translation.override(language):
            sentences[language] = quarantine_message(
                reason_code=code, row_number=7, field="event_date", upstream_id="SYN7",
                message="row 7: field 'event_date': SYNTHETIC detail",
                raw={"event_date": "2019-13-01"})
    assert sentences["fr"].startswith("Ligne 7 (identifiant « SYN7 »), champ « event_date » : ")
    assert sentences["en"].startswith("Row 7 (id “SYN7”), field “event_date”: ")
    quoted = code in ("bad_coordinate", "bad_date", "bad_number", "unknown_act_type",
                      "unknown_event_type")
    assert ("« 2019-13-01 »" in sentences["fr"]) is quoted
    assert ("“2019-13-01”" in sentences["en"]) is quoted


def test_duplicate_names_the_earlier_row_and_a_sealed_row_quotes_nothing() -> None:
    with translation.override("en"):
        duplicate = quarantine_message(
            reason_code="duplicate_id", row_number=9, field="event_id_cnty", upstream_id="SYN2",
            message="row 9: field 'event_id_cnty': id already used by row 4 of this file")
        sealed = quarantine_message(reason_code="bad_date", row_number=1,
                                    field="incident_date", upstream_id="uuid:s", raw=None)
    assert duplicate == ("Row 9 (id “SYN2”), field “event_id_cnty”: id already used by row 4 "
                         "of the same file.")
    assert sealed == "Row 1 (id “uuid:s”), field “incident_date”: unreadable or impossible date."
    with translation.override("fr"):
        group = quarantine_message(reason_code="bad_date", row_number=1, field="incident_date",
                                   upstream_id=None, raw={"testimony/incident_date": "32/01"})
    assert group == "Ligne 1, champ « incident_date » : date illisible ou inexistante " \
                    "(reçu : « 32/01 »)."
