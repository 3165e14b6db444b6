"""Deterministic, streaming generation of a synthetic Mali scenario.

:func:`generate` returns a :class:`Scenario`: a cheap description (settings + seed + loaded
gazetteer and vocabularies) whose iterators draw incidents one at a time. Incident ``i`` is
drawn from a random stream seeded by ``(seed, i)`` alone and each organisation's account of it
from ``(seed, i, organisation)``, so any iterator, restarted, yields identical records; memory
stays bounded by one incident whatever ``n_incidents`` is; and removing an organisation does
not change what the others report.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

from temoin.core.scenario.organisations import PROFILES
from temoin.core.scenario.places import Gazetteer, GazetteerPlace, load_gazetteer
from temoin.core.scenario.records import (
    FATES,
    ActRecord,
    CaptureCount,
    GroundTruth,
    IncidentBundle,
    Organisation,
    PersonLink,
    PersonRecord,
    Report,
    ReportLink,
    StratumTotal,
    TrueIncident,
    TruePerson,
)
from temoin.core.scenario.reporting import document_incident
from temoin.core.scenario.settings import ScenarioSettings
from temoin.core.scenario.truth import TruthModel
from temoin.core.vocabularies import load_vocabulary

__all__ = ["Scenario", "TotalsAccumulator", "generate"]


@functools.lru_cache(maxsize=4)
def _cached_gazetteer(path: Path | None, use_gazetteer: bool) -> Gazetteer:
    return load_gazetteer(path=path, fallback_only=not use_gazetteer)


class TotalsAccumulator:
    """Accumulates :class:`StratumTotal` rows from bundles (used by the writer and ``true_totals``)."""

    _FIELDS = ("incidents", "victims", *FATES, "reports", "person_records", "persons_documented")

    def __init__(self) -> None:
        self._totals: dict[tuple[str, str], dict[str, int]] = {}
        self._histories: dict[tuple[str, str, tuple[str, ...]], int] = {}

    def add(self, bundle: IncidentBundle) -> None:
        """Count one incident bundle into its (region, period) stratum."""
        incident = bundle.incident
        row = self._totals.setdefault(
            (incident.region, incident.period), dict.fromkeys(self._FIELDS, 0)
        )
        row["incidents"] += 1
        row["victims"] += len(bundle.true_persons)
        for fate in FATES:
            row[fate] += getattr(incident, fate)
        row["reports"] += len(bundle.reports)
        row["person_records"] += len(bundle.persons)
        row["persons_documented"] += len({link.true_person_id for link in bundle.person_links})
        lists: dict[str, set[str]] = {p.true_person_id: set() for p in bundle.true_persons}
        for record, link in zip(bundle.persons, bundle.person_links, strict=True):
            lists[link.true_person_id].add(record.organisation_id)
        for organisations in lists.values():
            key = (incident.region, incident.period, tuple(sorted(organisations)))
            self._histories[key] = self._histories.get(key, 0) + 1

    def capture_histories(self) -> tuple[CaptureCount, ...]:
        """Capture-history counts sorted by (region, period, lists)."""
        return tuple(
            CaptureCount(region, period, lists, count)
            for (region, period, lists), count in sorted(self._histories.items())
        )

    def totals(self) -> tuple[StratumTotal, ...]:
        """Totals sorted by (region, period)."""
        return tuple(
            StratumTotal(region=region, period=period, **counts)
            for (region, period), counts in sorted(self._totals.items())
        )


class Scenario:
    """A synthetic scenario: call the iterators to stream its records (each call restarts).

    Build it with :func:`generate`. ``seed``, ``settings`` and ``gazetteer`` are read-only.
    """

    __slots__ = ("_actors", "_gazetteer", "_places", "_seed", "_settings", "_truth")

    def __init__(self, *, seed: int, settings: ScenarioSettings, gazetteer: Gazetteer) -> None:
        self._seed = seed
        self._settings = settings
        self._gazetteer = gazetteer
        self._actors = load_vocabulary("actors_mali")
        self._truth = TruthModel(
            gazetteer=gazetteer,
            actors=self._actors,
            start_year=settings.start_year,
            end_year=settings.end_year,
            period=settings.period,
            victim_scale=settings.victim_scale,
        )
        self._places: dict[int, GazetteerPlace] = {p.geonameid: p for p in gazetteer.places}

    def __repr__(self) -> str:
        return f"Scenario(seed={self._seed}, n_incidents={self._settings.n_incidents}, gazetteer={self._gazetteer.source!r})"

    @property
    def seed(self) -> int:
        """The seed everything is drawn from."""
        return self._seed

    @property
    def settings(self) -> ScenarioSettings:
        """The validated settings."""
        return self._settings

    @property
    def gazetteer(self) -> Gazetteer:
        """The places incidents are drawn from (GeoNames or the fallback towns)."""
        return self._gazetteer

    # -- organisations -------------------------------------------------------------------------
    def organisations(self) -> tuple[Organisation, ...]:
        """The documenting organisations, in settings order."""
        return tuple(PROFILES[slug].organisation for slug in self.settings.organisations)

    # -- streaming -----------------------------------------------------------------------------
    def bundle(self, index: int) -> IncidentBundle:
        """Everything generated for incident ``index`` (0 ≤ index < n_incidents)."""
        if not 0 <= index < self.settings.n_incidents:
            raise IndexError(f"incident index {index} outside 0..{self.settings.n_incidents - 1}")
        incident, persons = self._truth.incident(random.Random(f"{self.seed}:{index}:truth"), index)
        visibility_rng = random.Random(f"{self.seed}:{index}:visibility")
        visibility = tuple(visibility_rng.betavariate(2, 2) for _ in persons)
        place = self._places[incident.geonameid]
        reports: list[Report] = []
        acts: list[ActRecord] = []
        records: list[PersonRecord] = []
        report_links: list[ReportLink] = []
        person_links: list[PersonLink] = []
        for slug in self.settings.organisations:
            output = document_incident(
                random.Random(f"{self.seed}:{index}:{slug}"),
                profile=PROFILES[slug],
                slug=slug,
                incident=incident,
                persons=persons,
                visibility=visibility,
                place=place,
                gazetteer=self.gazetteer,
                actors=self._actors,
                capture_scale=self.settings.capture_scale,
                name_variation=self.settings.name_variation,
                duplicate_rate=self.settings.within_list_duplicate_rate,
            )
            if output is None:
                continue
            report, report_acts, report_records, report_link, links = output
            reports.append(report)
            acts.extend(report_acts)
            records.extend(report_records)
            report_links.append(report_link)
            person_links.extend(links)
        return IncidentBundle(incident, persons, tuple(reports), tuple(acts), tuple(records),
                              tuple(report_links), tuple(person_links))  # fmt: skip

    def bundles(self, *, start: int = 0, stop: int | None = None) -> Iterator[IncidentBundle]:
        """Bundles for incidents ``start`` ≤ i < ``stop`` (default: all), in index order."""
        end = self.settings.n_incidents if stop is None else min(stop, self.settings.n_incidents)
        for index in range(start, end):
            yield self.bundle(index)

    def incidents(self) -> Iterator[TrueIncident]:
        """Ground truth: every true incident (draws only the truth, not the reports)."""
        for index in range(self.settings.n_incidents):
            yield self._truth.incident(random.Random(f"{self.seed}:{index}:truth"), index)[0]

    def true_persons(self) -> Iterator[TruePerson]:
        """Ground truth: every true victim."""
        for index in range(self.settings.n_incidents):
            yield from self._truth.incident(random.Random(f"{self.seed}:{index}:truth"), index)[1]

    def reports(self) -> Iterator[Report]:
        """Every report (all organisations), incident by incident."""
        for bundle in self.bundles():
            yield from bundle.reports

    def acts(self) -> Iterator[ActRecord]:
        """Every act record."""
        for bundle in self.bundles():
            yield from bundle.acts

    def persons(self) -> Iterator[PersonRecord]:
        """Every person record (all organisations' victim lists)."""
        for bundle in self.bundles():
            yield from bundle.persons

    def report_links(self) -> Iterator[ReportLink]:
        """Ground truth: report → true incident."""
        for bundle in self.bundles():
            yield from bundle.report_links

    def person_links(self) -> Iterator[PersonLink]:
        """Ground truth: person record → true person."""
        for bundle in self.bundles():
            yield from bundle.person_links

    def ground_truth(self) -> GroundTruth:
        """All ground truth in one object (one pass; memory grows with the number of records)."""
        accumulator = TotalsAccumulator()
        report_incident: dict[str, str] = {}
        person_record_person: dict[str, str] = {}
        for bundle in self.bundles():
            accumulator.add(bundle)
            report_incident.update((r.report_id, r.true_incident_id) for r in bundle.report_links)
            person_record_person.update(
                (p.person_record_id, p.true_person_id) for p in bundle.person_links
            )
        return GroundTruth(
            report_incident=MappingProxyType(report_incident),
            person_record_person=MappingProxyType(person_record_person),
            totals=accumulator.totals(),
            capture_histories=accumulator.capture_histories(),
        )

    def true_capture_histories(self) -> tuple[CaptureCount, ...]:
        """Ground truth: how many true persons each combination of lists named, per stratum.

        ``lists == ()`` counts the victims no organisation named — what estimation must infer.
        One full pass over the scenario.
        """
        accumulator = TotalsAccumulator()
        for bundle in self.bundles():
            accumulator.add(bundle)
        return accumulator.capture_histories()

    def true_totals(self) -> tuple[StratumTotal, ...]:
        """Ground truth: totals per (region, period) — one full pass over the scenario."""
        accumulator = TotalsAccumulator()
        for bundle in self.bundles():
            accumulator.add(bundle)
        return accumulator.totals()


def generate(seed: int, *, n_incidents: int | None = None, settings: ScenarioSettings | None = None,
             **overrides: object) -> Scenario:  # fmt: skip
    """Describe a synthetic Mali scenario; nothing is drawn until an iterator is consumed.

    ``generate(42, n_incidents=1000)`` or ``generate(42, settings=ScenarioSettings(...))``;
    keyword ``overrides`` replace fields of ``settings`` (validated all at once, raising
    :class:`~temoin.core.scenario.errors.SettingsError`).
    """
    base = settings or ScenarioSettings()
    fields = {name: getattr(base, name) for name in ScenarioSettings.__dataclass_fields__}
    if n_incidents is not None:
        fields["n_incidents"] = n_incidents
    fields.update(overrides)
    final = ScenarioSettings(**fields)
    gazetteer = _cached_gazetteer(final.gazetteer_path, final.use_gazetteer)
    return Scenario(seed=seed, settings=final, gazetteer=gazetteer)
