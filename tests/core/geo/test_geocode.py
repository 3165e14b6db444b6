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
