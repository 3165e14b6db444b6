"""Dashboard counts with casualty ranges, and the map data (precision respected)."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import signed_in
from tests.web.fixtures import build


@pytest.fixture
def cases(world):
    return build(world)


def test_dashboard_shows_ranges_not_single_numbers(cases):
    html = signed_in(cases.world, "analyst").get("/").content.decode()
    assert "<strong>3</strong>" in html
    assert "2022-03" in html and "12 – 30+" in html  # 12–15 (radio) and ≥ 30 (NGO): open-ended
    assert "Mopti" in html and "Bankass" in html
    assert "Meurtre" in html and "Forces armées maliennes (FAMa)" in html
    assert "10 – 20" in html  # FAMa: victims of the killing act, 10 to 20


def test_dashboard_filters_and_partner_view(cases):
    html = signed_in(cases.world, "analyst").get("/?region=Gao").content.decode()
    assert "<strong>1</strong>" in html
    partner = signed_in(cases.world, "partner").get("/").content.decode()
    assert "<strong>0</strong>" in partner


def test_map_data_points_and_areas(cases):
    client = signed_in(cases.world, "viewer")
    data = json.loads(client.get("/carte/donnees.json").content)
    assert data["points"] == [[cases.located.pk, 14.2, -3.6, 0, 0]]
    assert data["categories"] == ["esf4_010000000000"] and data["precisions"][0] == "exact"
    assert data["labels"] == {"esf4_010000000000": "Violations du droit à la vie"}
    assert {"level": "cercle", "name": "Bankass", "n": 1} in data["areas"]
    assert data["centres"]["cercle:Bankass"] is not None
    by_actor = json.loads(client.get("/carte/donnees.json?colour=perpetrator").content)
    assert by_actor["categories"] == ["mali_defence_security_forces"]
    filtered = json.loads(client.get("/carte/donnees.json?region=Gao").content)
    assert filtered["points"] == [] and filtered["areas"] == []


def test_map_page_and_boundaries(cases):
    client = signed_in(cases.world, "viewer")
    html = client.get("/carte/?region=Mopti").content.decode()
    assert "vendor/leaflet/leaflet.js" in html and "region=Mopti" in html
    regions = json.loads(client.get("/carte/limites-1.geojson").content)
    assert len(regions["features"]) == 9 and "geoBoundaries" in regions["attribution"]
    cercles = client.get("/carte/limites-2.geojson")
    assert len(json.loads(cercles.content)["features"]) == 50
    assert len(cercles.content) < 80_000
    assert client.get("/carte/limites-3.geojson").status_code == 404


def test_cached_counts_follow_every_write(cases):
    from temoin.cases import services

    client = signed_in(cases.world, "analyst")
    assert "<strong>3</strong>" in client.get("/").content.decode()
    before = json.loads(client.get("/carte/donnees.json").content)["points_total"]
    services.event_create(actor=cases.world.analyst, data={
        "title": "[SYNTHÉTIQUE] nouveau", "start": "2022-06", "admin1": "Gao",
        "latitude": 16.27, "longitude": -0.04, "geo_precision": "exact"})
    assert "<strong>4</strong>" in client.get("/").content.decode()
    assert json.loads(client.get("/carte/donnees.json").content)["points_total"] == before + 1


def test_map_data_is_gzipped_when_accepted(cases):
    import gzip

    client = signed_in(cases.world, "viewer")
    plain = client.get("/carte/limites-2.geojson")
    packed = client.get("/carte/limites-2.geojson", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
