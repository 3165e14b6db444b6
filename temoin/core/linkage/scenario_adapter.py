"""Adapter: the synthetic Mali scenario (:mod:`temoin.core.scenario`) as linkage input.

Turns the scenario's person records (one organisation = one list) into
:class:`PersonRecord` and its reports into :class:`IncidentRecord`, with the ground
truth (record key → true person / true incident id) kept beside them.  The linkage
code never sees the truth; tests and benchmarks use it to score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from temoin.core.linkage.records import DatePrecision, IncidentRecord, PersonRecord

__all__ = ["ScenarioLists", "scenario_incidents", "scenario_persons"]


@dataclass(frozen=True)
class ScenarioLists:
    """Linkage records plus truth: (list_id, record_id) → true entity id."""

    records: list[Any]
    truth: dict[tuple[str, str], str]


def _interval(partial: Any) -> tuple[date | None, DatePrecision]:
    if partial is None or partial.precision == "unknown":
        return None, "day"
    earliest, latest = partial.earliest, partial.latest
    if earliest == latest:
        return earliest, "day"
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return earliest, "month"
    return earliest, "year"


_SEX = {"male": "m", "female": "f"}


def scenario_persons(scenario: Any) -> ScenarioLists:
    """Person records of every list in ``scenario`` (a :class:`temoin.core.scenario.Scenario`)."""
    records: list[PersonRecord] = []
    truth: dict[tuple[str, str], str] = {}
    for bundle in scenario.bundles():
        reports = {report.report_id: report for report in bundle.reports}
        links = {link.person_record_id: link.true_person_id for link in bundle.person_links}
        for person in bundle.persons:
            report = reports[person.report_id]
            place = report.place
            death, precision = _interval(person.date_of_death)
            incident, incident_precision = _interval(report.date)
            age = person.age
            approximate = person.age_precision in ("approximate", "range")
            if age is None and person.age_min is not None and person.age_max is not None:
                age, approximate = (person.age_min + person.age_max) // 2, True
            has_parts = bool(person.given_name or person.family_name)
            precise_place = place.geo_precision in ("exact", "near")
            records.append(
                PersonRecord(
                    record_id=person.person_record_id,
                    list_id=person.organisation_id,
                    given_name=(person.given_name or None) if has_parts else None,
                    family_name=(person.family_name or None) if has_parts else None,
                    full_name=None if has_parts else (person.name_as_written or None),
                    sex=_SEX.get(person.sex),  # type: ignore[arg-type]  # 'm', 'f' or None
                    age=age,
                    age_approximate=approximate,
                    death_date=death,
                    death_precision=precision,
                    incident_date=incident,
                    incident_precision=incident_precision,
                    village=person.village or None,
                    cercle=place.admin2 or None,
                    region=place.admin1 or None,
                    latitude=place.latitude if precise_place else None,
                    longitude=place.longitude if precise_place else None,
                    stratum=place.admin1 or None,
                )
            )
            truth[(person.organisation_id, person.person_record_id)] = links[
                person.person_record_id
            ]
    return ScenarioLists(records=records, truth=truth)


def scenario_incidents(scenario: Any) -> ScenarioLists:
    """Reports of ``scenario`` as incident records (event coreference input)."""
    records: list[IncidentRecord] = []
    truth: dict[tuple[str, str], str] = {}
    for bundle in scenario.bundles():
        links = {link.report_id: link.true_incident_id for link in bundle.report_links}
        for report in bundle.reports:
            day, precision = _interval(report.date)
            killed = [c for c in report.claims if c.kind == "killed"]
            low = min((c.minimum for c in killed), default=None)
            high_values = [c.maximum if c.maximum is not None else c.minimum * 2 for c in killed]
            place = report.place
            precise_place = place.geo_precision in ("exact", "near")
            records.append(
                IncidentRecord(
                    record_id=report.report_id,
                    list_id=report.organisation_id,
                    date=day,
                    date_precision=precision,
                    village=place.name if precise_place else None,
                    cercle=place.admin2 or None,
                    region=place.admin1 or None,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    act_types=tuple(sorted(set(report.act_types))),
                    perpetrators=tuple(sorted({a.actor_code for a in report.attributions})),
                    killed_low=low,
                    killed_high=max(high_values) if high_values else None,
                )
            )
            truth[(report.organisation_id, report.report_id)] = links[report.report_id]
    return ScenarioLists(records=records, truth=truth)
