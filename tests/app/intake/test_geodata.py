"""Geodata install from ../shared/data and geocoding during an import (warnings recorded)."""

from __future__ import annotations

import pytest

from tests.core.intake.synthetic import synthetic_row, write_acled_csv

pytestmark = pytest.mark.django_db


def test_install_from_shared_data_copies_and_checks_the_files(tmp_path):
    from temoin.intake import geodata
    from tests.app.intake.conftest import shared_data_dir

    if not (shared_data_dir() / "gazetteer").is_dir():
        pytest.skip("shared geodata not available")
    result = geodata.install_from(shared_data_dir(), target=tmp_path / "geodata")
    assert sorted(result.files) == ["geoboundaries_MLI_ADM1_simplified.geojson",
                                    "geoboundaries_MLI_ADM2_simplified.geojson",
                                    "geonames_ML.txt", "geonames_ML_admin1_codes.csv"]
    assert result.places > 15_000
    assert geodata.installed(tmp_path / "geodata")


def test_install_refuses_a_broken_folder_and_keeps_the_old_one(tmp_path):
    from temoin.core.geo import GazetteerFileError
    from temoin.intake import geodata

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "geonames_ML.txt").write_text("not\ta\tgeonames\trow\n")
    (broken / "geonames_ML_admin1_codes.csv").write_text("admin1_code,name\n")
    for name in geodata.GEOBOUNDARIES_URLS:
        (broken / name).write_text("{}")
    target = tmp_path / "geodata"
    target.mkdir()
    (target / "marker").write_text("old")
    with pytest.raises((GazetteerFileError, ValueError, KeyError)):
        geodata.install_from(broken, target=target)
    assert (target / "marker").read_text() == "old"


def test_import_geocodes_and_flags_disagreements(world, tmp_path, installed_geodata, settings):
    import shutil

    from temoin.cases.models import Event
    from temoin.intake import geodata
    from temoin.intake.models import ImportedRecord
    from temoin.intake.services import batch_import

    shutil.copytree(installed_geodata, settings.TEMOIN_HOME / "geodata")
    geodata._cache.clear()
    rows = [
        # no coordinates: the gazetteer gives the point and the geonameid
        synthetic_row(1, location="Ogossagou", admin1="Mopti", admin2="Bankass",
                      latitude="", longitude=""),
        # stated region Kayes, point near Mopti: flagged
        synthetic_row(2, location="Sévaré", admin1="Kayes", admin2="", latitude="14.53",
                      longitude="-4.10"),
        # nowhere to be found: not invented, a warning for the analyst queue
        synthetic_row(3, location="Zzyzx-Synthétique", admin1="Mopti", admin2="Bankass",
                      latitude="", longitude=""),
    ]
    path = write_acled_csv(tmp_path / "geo.csv", rows)
    batch = batch_import(actor=world.analyst, kind="acled", path=path)
    assert batch.settings["geocode"] is True and batch.settings["geocoder"]["threshold"] == 0.8
    one = ImportedRecord.objects.get(upstream_id="SYN1")
    event = Event.objects.get(pk=one.event_id)
    assert event.geonameid is not None and event.latitude is not None
    assert abs(event.latitude - 14.3) < 0.3 and event.geo_precision == "near"
    two = ImportedRecord.objects.get(upstream_id="SYN2")
    assert any(w.startswith("admin_disagrees") for w in two.warnings)
    three = ImportedRecord.objects.get(upstream_id="SYN3")
    assert Event.objects.get(pk=three.event_id).latitude is None
    assert any(w.startswith("geocode_not_found") or w.startswith("geocode_ambiguous")
               for w in three.warnings)
    assert batch.warnings == 2
    assert batch.report["warnings"]["admin_disagrees"] == 1
