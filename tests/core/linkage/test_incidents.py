"""Incident linkage on small SYNTHETIC reports: clusters keep every source's claims."""

from __future__ import annotations

from datetime import date

from temoin.core.linkage import IncidentRecord, LinkageSettings, incident_clusters, link_incidents


def _report(
    list_id: str,
    record_id: str,
    day: date,
    village: str | None,
    killed: tuple[int, int] | None,
    **extra: object,
) -> IncidentRecord:
    values: dict[str, object] = {
        "cercle": "Bankass",
        "region": "Mopti",
        "act_types": ("killing",),
        "perpetrators": ("dozo",),
    }
    values.update(extra)
    low, high = killed if killed else (None, None)
    return IncidentRecord(
        record_id=record_id,
        list_id=list_id,
        date=day,
        village=village,
        killed_low=low,
        killed_high=high,
        **values,
    )  # type: ignore[arg-type]


def reports() -> list[IncidentRecord]:
    day = date(2019, 3, 23)
    return [
        _report("ngo", "n1", day, "Ogossagou", (157, 160), latitude=14.28, longitude=-3.69),
        _report(
            "cndh",
            "c1",
            date(2019, 3, 24),
            "Ogassagou",
            (160, 160),
            latitude=14.28,
            longitude=-3.69,
        ),
        _report(
            "radio",
            "r1",
            date(2019, 3, 1),
            "Ogossagou",
            (130, 200),
            date_precision="month",
            perpetrators=(),
        ),
        _report(
            "ngo",
            "n2",
            date(2019, 11, 2),
            "Sobane Da",
            (35, 35),
            cercle="Bandiagara",
            latitude=14.5,
            longitude=-3.2,
            perpetrators=("jnim",),
        ),
        _report("army", "a1", day, None, None, cercle=None, region=None),
    ]


def test_reports_of_one_massacre_form_one_incident_with_all_claims() -> None:
    records = reports()
    run = link_incidents(records)
    assert run.status == "ok"
    assert (
        run.cluster_of(("ngo", "n1"))
        == run.cluster_of(("cndh", "c1"))
        == run.cluster_of(("radio", "r1"))
    )
    assert run.cluster_of(("ngo", "n2")) != run.cluster_of(("ngo", "n1"))
    clusters = {c.cluster_id: c for c in incident_clusters(run, records)}
    ogossagou = clusters[run.cluster_of(("ngo", "n1"))]
    assert ogossagou.sources == ("cndh", "ngo", "radio")
    assert sorted(ogossagou.killed_claims) == [
        ("cndh", "c1", 160, 160),
        ("ngo", "n1", 157, 160),
        ("radio", "r1", 130, 200),
    ]
    assert ogossagou.killed_range == (130, 200)
    assert ogossagou.alleged_perpetrators == {"dozo": ("n1", "c1")}


def test_report_without_place_stays_unlinked_with_reason() -> None:
    run = link_incidents(reports())
    row = run.assignments[run.assignments["record_id"] == "a1"].iloc[0]
    assert (bool(row["linked"]), row["unlinked_reason"]) == (False, "insufficient_evidence")


def test_incident_settings_are_validated_against_incident_columns() -> None:
    settings = LinkageSettings.for_incidents()
    assert settings.training == "priors" and ("cercle_key", "event_year") in settings.blocking
    run = link_incidents([], settings=settings)
    assert run.status == "empty_input"
