"""The upstream coding an import keeps as real fields (synthetic rows): the source's own
reporting text and scale, precision codes and ids, the best estimate of a claim, "victims
unknown" on imported acts — stored, shown by the API, and covered by idempotency."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.core.intake.synthetic import synthetic_row, write_acled_csv
from tests.core.intake.test_ucdp import ged_row, write

pytestmark = pytest.mark.django_db


def test_acled_row_keeps_source_text_scale_precision_codes_and_unknown_victims(world, tmp_path):
    from temoin.cases.models import Act, Claim, Event, Source, Version
    from temoin.intake.services import batch_import

    row = synthetic_row(1, time_precision="2", geo_precision="2")
    path = write_acled_csv(tmp_path / "a.csv", [row])
    batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    source = Source.objects.get()
    assert (source.source_text, source.source_scale, source.url) == (
        "SYNTHETIC Radio", "National", "")
    event = Event.objects.get()
    assert event.upstream_meta == {
        "kind": "acled", "upstream_id": "SYN1", "date_precision": "week",
        "date_precision_code": "2", "geo_precision_code": "2", "geo_precision": "near"}
    assert list(Act.objects.values_list("victims_unknown", flat=True)) == [True]
    claim = Claim.objects.get()
    assert (claim.count_min, claim.count_max, claim.count_best) == (3, 3, 3)

    versions = Version.objects.count()
    again = batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert Version.objects.count() == versions


def test_newer_export_updates_scale_and_precision_codes(world, tmp_path):
    from temoin.cases.models import Event, Source
    from temoin.intake.models import RowChange
    from temoin.intake.services import batch_import

    first = write_acled_csv(tmp_path / "v1.csv", [synthetic_row(1)])
    batch_import(actor=world.admin, kind="acled", path=first, geocode=False)
    second = write_acled_csv(tmp_path / "v2.csv", [synthetic_row(
        1, source_scale="Local partner-National", geo_precision="3",
        source="SYNTHETIC Radio; SYNTHETIC NGO")])
    batch = batch_import(actor=world.admin, kind="acled", path=second, geocode=False)
    assert (batch.new, batch.updated) == (0, 1)
    source = Source.objects.get()
    assert (source.source_text, source.source_scale) == (
        "SYNTHETIC Radio; SYNTHETIC NGO", "Local partner-National")
    meta = Event.objects.get().upstream_meta
    assert (meta["geo_precision_code"], meta["geo_precision"]) == ("3", "region")
    fields = {c["field"] for c in RowChange.objects.get(batch=batch).fields}
    assert {"source.source_scale", "source.source_text",
            "event.location.geo_precision_code"} <= fields


def test_ucdp_best_estimate_is_stored_with_low_and_high(world, tmp_path):
    from temoin.cases.models import Claim, Event
    from temoin.intake.services import batch_import

    row = ged_row()
    row.update(low="2", best="5", high="9", deaths_civilians="2")
    batch_import(actor=world.analyst, kind="ucdp", path=write(tmp_path / "g.csv", [row]),
                 geocode=False)
    killed = Claim.objects.filter(kind="killed", remarks__startswith="selon UCDP").first()
    assert killed is not None
    assert (killed.count_min, killed.count_best, killed.count_max, killed.qualifier) == (
        2, 5, 9, "range")
    meta = Event.objects.get().upstream_meta
    assert meta["kind"] == "ucdp_ged" and meta["upstream_id"] == row["id"]
    assert meta["geo_precision_code"] == row["where_prec"]


def test_api_shows_the_upstream_fields(world, tmp_path):
    from temoin.cases.models import Event
    from temoin.intake.services import batch_import

    path = write_acled_csv(tmp_path / "a.csv", [synthetic_row(1)])
    batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    event = Event.objects.get()
    client = APIClient()
    client.force_authenticate(world.analyst)
    response = client.get(f"/api/events/{event.pk}/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["upstream_id"] == "SYN1"
    assert data["upstream_meta"]["geo_precision_code"] == "1"
    assert data["claims"][0]["by_source"][0]["count_best"] == 3
    assert data["acts"][0]["victims_unknown"] is True
    source = data["sources"][0]
    assert (source["source_text"], source["source_scale"], source["url"]) == (
        "SYNTHETIC Radio", "National", "")
