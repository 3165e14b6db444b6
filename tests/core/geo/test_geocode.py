"""Geocoding against the real GeoNames Mali dump and geoBoundaries polygons."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temoin.core.geo import Gazetteer, GeocodeSettings, geocode, haversine_km


def test_gazetteer_loads_real_files(gazetteer: Gazetteer) -> None:
    classes = {place.feature_class for place in gazetteer.places}
    assert classes == {"P", "L", "S", "T", "H", "V"}  # admin rows (A) are left out
    populated = [p for p in gazetteer.places if p.feature_class == "P"]
    assert len(populated) == 15296 + 152  # PPL plus other populated-place codes
    assert all(p.region is not None for p in populated if p.feature_code == "PPLA")
    bamako = next(p for p in gazetteer.places if p.feature_code == "PPLC")
    assert (bamako.name, bamako.region, bamako.cercle, bamako.admin1_name) == (
        "Bamako", "Bamako", "Bamako", "Bamako",
    )  # fmt: skip


def test_community_quarter_found_through_spelling_variant(gazetteer: Gazetteer) -> None:
    result = gazetteer.geocode("Ogossagou-Peulh", admin1="Mopti", admin2="Bankass")
    assert result.status == "found" and result.best is not None
    assert result.best.place.name == "Ogassagou-Peulh"
    assert result.best.place.cercle == "Bankass"
    assert result.best.confidence_label in {"medium", "low"}  # a fuzzy match is never "high"
    assert any("similar name" in reason for reason in result.best.reasons)


def test_bambara_letters_find_the_french_name(gazetteer: Gazetteer) -> None:
    result = gazetteer.geocode("Hɔnbori")
    assert result.found and result.best is not None
    assert result.best.place.name == "Hombori" and result.best.confidence_label == "high"


def test_accents_and_transliterations(gazetteer: Gazetteer) -> None:
    sevare = gazetteer.geocode("Sevare", admin1="Mopti", admin2="Mopti")
    assert sevare.best is not None and sevare.best.place.name == "Sévaré"
    timbuktu = gazetteer.geocode("Tombouctou", admin2="Tombouctou")
    assert timbuktu.best is not None and timbuktu.best.place.feature_code == "PPLA"


def test_namesakes_without_context_are_ambiguous_not_guessed(gazetteer: Gazetteer) -> None:
    result = gazetteer.geocode("Boni")
    assert result.status == "ambiguous" and result.best is None
    assert len(result.candidates) >= 2
    with_context = gazetteer.geocode("Boni", admin1="Mopti", admin2="Douentza")
    assert with_context.found and with_context.best is not None
    assert with_context.best.place.cercle == "Douentza"


def test_distance_to_a_known_point_disambiguates(gazetteer: Gazetteer) -> None:
    douentza_boni = gazetteer.geocode("Boni", admin2="Douentza").best
    assert douentza_boni is not None
    near = (douentza_boni.place.latitude + 0.05, douentza_boni.place.longitude)
    result = gazetteer.geocode("Boni", near=near)
    assert result.found and result.best is not None
    assert result.best.place.geonameid == douentza_boni.place.geonameid
    assert result.best.distance_to_near_km is not None and result.best.distance_to_near_km < 10


def test_missing_places_are_not_found(gazetteer: Gazetteer) -> None:
    for name, admin2 in (
        ("Zzyzx-Synthetic", None),
        ("Kologon", "Bankass"),
        ("", None),
        ("--", None),
    ):
        result = gazetteer.geocode(name, admin2=admin2)
        assert result.status == "not_found" and result.best is None, name


def test_namesake_in_wrong_cercle_is_penalised(gazetteer: Gazetteer) -> None:
    result = gazetteer.geocode("Hombori", admin1="Kayes", admin2="Kita")
    assert not result.found
    assert result.candidates and "outside stated cercle Kita" in " ".join(
        result.candidates[0].reasons
    )


def test_threshold_is_a_setting(gazetteer: Gazetteer) -> None:
    strict = GeocodeSettings(threshold=0.99)
    assert geocode(gazetteer, "Hombori", settings=strict).status == "not_found"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(max_size=40), admin=st.one_of(st.none(), st.text(max_size=20)))
def test_geocode_never_fails(gazetteer: Gazetteer, name: str, admin: str | None) -> None:
    result = gazetteer.geocode(name, admin1=admin, admin2=admin)
    assert result.status in {"found", "ambiguous", "not_found"}
    assert (result.best is not None) == (result.status == "found")
    if result.best is not None:
        assert result.best.confidence >= 0.8


def test_haversine_known_distance() -> None:
    # Bamako → Mopti centres, about 460 km
    assert haversine_km(12.65, -8.0, 14.49, -4.19) == pytest.approx(460, abs=10)


def test_unusable_near_point_is_an_error(gazetteer: Gazetteer) -> None:
    from temoin.core.geo import CoordinateError

    for near in ((float("nan"), 1.0), (95.0, 1.0), ("x", 1.0)):
        with pytest.raises(CoordinateError):
            gazetteer.geocode("Hombori", near=near)  # type: ignore[arg-type]


# --- the stated commune (admin3) and the "high" label (cases from the real ACLED rows;
# --- the places are GeoNames', the stated names are public admin names)


def test_stated_commune_turns_a_wrong_exact_match_into_ambiguous(gazetteer: Gazetteer) -> None:
    # Two villages of the Niono cercle: "Heremakono" (44 km from Siribala) and
    # "Heremakono Koura" (9 km from Siribala). Without the commune the exact name won, 52 km
    # from the event; with it, the geocoder refuses to choose.
    without = gazetteer.geocode("Heremakono", admin1="Segou", admin2="Niono")
    assert without.found and without.best is not None
    assert without.best.place.geonameid == 6879433
    with_commune = gazetteer.geocode("Heremakono", admin1="Segou", admin2="Niono",
                                     admin3="Siribala")  # fmt: skip
    assert with_commune.status == "ambiguous" and with_commune.best is None
    assert "not in stated commune Siribala" in with_commune.reason
    assert {c.place.geonameid for c in with_commune.candidates[:2]} == {6879433, 12220368}


def test_koura_is_a_qualifier_like_peulh() -> None:
    from temoin.core.geo import normalise_name

    assert normalise_name("Héréma-Kono Coura").base == "herema kono"
    assert normalise_name("Heremakono Koura").qualifier == "koura"
    assert normalise_name("Koura").qualifier is None  # a name of its own


def test_commune_seat_confirms_a_match(gazetteer: Gazetteer) -> None:
    result = gazetteer.geocode("Bansi", admin1="Mopti", admin2="Bankass", admin3="Sokoura")
    assert result.found and result.best is not None
    assert result.best.place.geonameid == 2460400
    assert result.best.confidence_label == "high"
    assert "8 km from Sokoura, seat of stated commune" in result.best.reasons


def test_unconfirmed_match_in_a_vast_cercle_is_not_high(gazetteer: Gazetteer) -> None:
    # Gao cercle is ~35,000 km²; GeoNames has one "Amasrakad" in it, ACLED's is 160 km away
    # in the commune of Anchawadi, which GeoNames does not list.
    result = gazetteer.geocode("Amasrakad", admin1="Gao", admin2="Gao", admin3="Anchawadi")
    assert result.found and result.best is not None
    assert result.best.confidence_label == "medium"
    assert result.best.confidence == pytest.approx(0.94)
    assert "not high: stated unit Gao is 34,9" in result.best.reasons[-1]
    small = gazetteer.geocode("Bansi", admin1="Mopti", admin2="Bankass")  # 6,300 km²
    assert small.best is not None and small.best.confidence_label == "high"


def test_far_from_commune_seat_lowers_but_does_not_refuse(gazetteer: Gazetteer) -> None:
    plain = gazetteer.geocode("Tamalat", admin1="Gao", admin2="Menaka")
    far = gazetteer.geocode("Tamalat", admin1="Gao", admin2="Menaka", admin3="Menaka")
    assert plain.best is not None and far.best is not None
    assert far.best.place.geonameid == plain.best.place.geonameid
    assert far.best.confidence == pytest.approx(plain.best.confidence * 0.96, abs=1e-3)
    assert any("from the seat of stated commune Menaka" in r for r in far.best.reasons)
