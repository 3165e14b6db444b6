"""Plain frozen dataclasses produced by the synthetic Mali scenario generator.

Everything here is **synthetic**: every record has ``synthetic = True``; organisation names,
report titles and descriptions start with ``[SYNTHÉTIQUE]`` / ``[SYNTHETIC]``; person names are
drawn from common Malian name pools and do not describe real people. Codes refer to the
vocabularies in :mod:`temoin.core.vocabularies` (file name in brackets).

Identifiers are strings, unique within one scenario and stable for a given seed and settings:
``ORG-<slug>``, ``INC-<n>`` (true incident), ``TP-<incident n>-<k>`` (true person),
``REP-<org slug>-<incident n>`` (report), ``ACT-<org slug>-<incident n>-<k>``,
``PR-<org slug>-<incident n>-<k>`` (person record).

Records an organisation would hold (what Témoin stores)
-----------------------------------------------------
:class:`Organisation` — a documenting organisation (one "list" for estimation):
    ``organisation_id``; ``name`` (starts with ``[SYNTHÉTIQUE]``); ``kind``
    (``malian_ngo``, ``national_commission``, ``radio``, ``international_ngo``,
    ``press_compilation``, ``un_mission``, ``official``); ``language`` (code in [languages]);
    ``default_source_type`` ([source_types]); ``lists_victims`` (False: it publishes counts
    only, never person records); ``active_from`` / ``active_to`` (years, inclusive; None = open);
    ``synthetic``.

:class:`PartialDate` — a date known to some precision: ``earliest`` and ``latest``
    (``datetime.date``, inclusive bounds, equal when the day is known); ``precision`` in
    [date_precisions] (``day``, ``month``, ``year``, ``range``, ``approximate``, ``unknown``).
    The true date always lies within [earliest, latest] except when a report is deliberately
    wrong (``date_of_death`` off by a day — ground truth tells).

:class:`Place` — where a report says the incident happened: ``name`` (as written by the
    organisation: may be the ASCII or an alternate GeoNames spelling, or the cercle/region name
    when precision is coarser); ``admin1`` (region, e.g. ``Mopti``); ``admin2`` (cercle, e.g.
    ``Bankass``; empty when unknown); ``latitude`` / ``longitude`` (WGS84; the GeoNames point for
    ``exact``, a point within ~5 km for ``near``, the cercle/region centroid for coarser
    precisions — always inside Mali's bounding box); ``geo_precision`` in [geo_precisions];
    ``geonameid`` (the real GeoNames id of the true place for ``exact``/``near``, None otherwise).

:class:`Claim` — a casualty figure as one source states it: ``kind`` (``killed``, ``injured``,
    ``abducted``, ``disappeared``, ``raped``, ``detained``, ``displaced``); ``minimum`` and
    ``maximum`` (ints, ``minimum <= maximum``; ``maximum`` None for "at least");
    ``qualifier`` (``exact``, ``at_least``, ``about``, ``between``); ``described_as``
    (``civilians``, ``terrorists``, ``combatants``, ``persons``): how the source labels the
    victims — an army communiqué says ``terrorists``.

:class:`Attribution` — a perpetrator as the report names it: ``actor_code`` ([actors_mali]);
    ``degree`` ([involvement_degrees]); ``named_as`` (the words used, e.g. "hommes armés non
    identifiés"). The attributed actor may differ from the true one (ground truth tells).

:class:`SourceInfo` — the source behind a report: ``source_type`` ([source_types]);
    ``reliability`` (``A``–``F``, [source_reliability]); ``credibility`` (``1``–``6``,
    [information_credibility]); ``language`` ([languages]); ``date_received`` (date the
    organisation received it, on or after the incident); ``consent`` (frozenset of
    [consent_recipients] codes the source allows; always contains ``internal``).

:class:`Report` — one organisation's account of one incident = one Témoin *Event* candidate:
    ``report_id``; ``organisation_id``; ``title`` (starts with ``[SYNTHÉTIQUE]`` or
    ``[SYNTHETIC]``); ``description`` (synthetic text in the organisation's language);
    ``date`` (:class:`PartialDate`); ``place`` (:class:`Place`); ``act_types`` (tuple of
    [act_types] codes, as this report classifies the incident); ``act_ids`` (ids of this
    report's :class:`ActRecord`); ``attributions`` (tuple of :class:`Attribution`);
    ``claims`` (tuple of :class:`Claim`; at least one); ``source`` (:class:`SourceInfo`);
    ``language``; ``confidentiality`` ([confidentiality_levels]: ``public``, ``internal``,
    ``restricted``, ``strictly_confidential`` — testimonies mostly restricted, published
    sources mostly public); ``synthetic``. A report does **not** carry its true incident id —
    see :class:`ReportLink`.

:class:`ActRecord` — one act in a report (ESF *Act*, victim = a group with a count and the named
    persons linked to it): ``act_id``; ``report_id``; ``organisation_id``; ``act_type``
    ([act_types]); ``victim_count`` (number of victims of this act as the report states it,
    ≥ 0; 0 for acts against property); ``method`` ([methods] code or empty);
    ``status_at_end`` ([status_at_end_of_act] code or empty); ``perpetrators`` (tuple of
    :class:`Attribution`); ``date`` (:class:`PartialDate`); ``synthetic``. Named victims point to
    their act through :attr:`PersonRecord.act_id`.

:class:`PersonRecord` — one named victim in one report (one row of one organisation's list):
    ``person_record_id``; ``report_id``; ``act_id``; ``organisation_id`` (= the list id for
    estimation); ``given_name`` / ``family_name`` (as this organisation wrote them — may be
    swapped, misspelt, an initial, or empty); ``name_as_written`` (the full string, e.g.
    ``"TRAORE Moussa"``); ``sex`` (``male``, ``female``, ``unknown``); ``age`` (int or None),
    ``age_min`` / ``age_max`` (bounds, None if unknown), ``age_precision`` (``exact``,
    ``approximate``, ``range``, ``unknown``); ``fate`` (``killed``, ``injured``, ``abducted``,
    ``disappeared``, ``raped``, ``detained``); ``date_of_death`` (:class:`PartialDate` or None
    when not killed or not stated); ``village`` (place name as written); ``synthetic``.
    It does **not** carry the true person id — see :class:`PersonLink`.

Ground truth (kept beside the records; never shown to linkage or estimation code under test)
--------------------------------------------------------------------------------------------
:class:`TruePerson` — a real (synthetic) victim: ``true_person_id``; ``true_incident_id``;
    ``given_name``, ``family_name`` (canonical spelling, with accents), ``sex``, ``age``,
    ``community`` (``bambara``, ``peul``, ``dogon``, ``songhai``, ``tuareg``, ``arab``,
    ``bozo``), ``fate``, ``date_of_death`` (date or None), ``village``; ``synthetic``.

:class:`TrueIncident` — what really happened: ``true_incident_id``; ``scenario`` (incident
    pattern, e.g. ``village_massacre``, ``counterinsurgency_operation``); ``date`` (true day);
    ``geonameid``, ``place_name``, ``region``, ``cercle``, ``latitude``, ``longitude`` (the real
    GeoNames place); ``period`` (stratum label, e.g. ``2019`` or ``2019-Q2``); ``act_types``
    (true act types); ``perpetrators`` (true actor codes); ``killed``, ``injured``,
    ``abducted``, ``raped``, ``detained``, ``disappeared`` (true counts = number of
    :class:`TruePerson` with that fate); ``combatants_killed`` (armed-clash deaths among
    fighters: not victims, never in the totals, but claimed by some sources);
    ``victim_community``; ``synthetic``.

:class:`ReportLink` — ``report_id`` → ``true_incident_id``.
:class:`PersonLink` — ``person_record_id`` → ``true_person_id`` and ``true_incident_id``.

:class:`StratumTotal` — true totals for one stratum (``region``, ``period``): ``incidents``,
    ``victims`` (distinct true persons), ``killed``, ``injured``, ``abducted``, ``raped``,
    ``detained``, ``disappeared``, ``reports``, ``person_records``, ``persons_documented``
    (true persons named by at least one organisation).

:class:`CaptureCount` — ground-truth capture histories for multiple-systems estimation:
    ``region``, ``period``, ``lists`` (sorted tuple of organisation ids that named the person;
    empty = never documented) and ``count`` (number of true persons with that history).

:class:`GroundTruth` — all ground truth of a scenario in one object (built by
    :meth:`Scenario.ground_truth`; holds one entry per report and per person record in memory —
    for millions of records stream :meth:`Scenario.person_links` instead):
    ``report_incident`` (report id → true incident id); ``person_record_person`` (person record
    id → true person id); ``totals`` (:class:`StratumTotal` rows); ``capture_histories``
    (:class:`CaptureCount` rows). Methods: ``same_incident(a, b)``, ``same_person(a, b)``,
    ``incident_clusters()`` and ``person_clusters()`` (true id → sorted record ids).

:class:`IncidentBundle` — everything generated for one true incident: ``incident``,
    ``true_persons``, ``reports``, ``acts``, ``persons`` (records), ``report_links``,
    ``person_links``. The unit of streaming.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "FATES",
    "ActRecord",
    "Attribution",
    "CaptureCount",
    "Claim",
    "GroundTruth",
    "IncidentBundle",
    "Organisation",
    "PartialDate",
    "PersonLink",
    "PersonRecord",
    "Place",
    "Report",
    "ReportLink",
    "SourceInfo",
    "StratumTotal",
    "TrueIncident",
    "TruePerson",
]

#: Fates of victims, also the claim kinds (plus ``displaced`` for claims only).
FATES: tuple[str, ...] = ("killed", "injured", "abducted", "disappeared", "raped", "detained")


@dataclass(frozen=True, slots=True)
class Organisation:
    organisation_id: str
    name: str
    kind: str
    language: str
    default_source_type: str
    lists_victims: bool
    active_from: int | None
    active_to: int | None
    synthetic: bool = True


@dataclass(frozen=True, slots=True)
class PartialDate:
    earliest: dt.date
    latest: dt.date
    precision: str

    def contains(self, day: dt.date) -> bool:
        """True if ``day`` lies within [earliest, latest]."""
        return self.earliest <= day <= self.latest


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    admin1: str
    admin2: str
    latitude: float
    longitude: float
    geo_precision: str
    geonameid: int | None


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str
    minimum: int
    maximum: int | None
    qualifier: str
    described_as: str


@dataclass(frozen=True, slots=True)
class Attribution:
    actor_code: str
    degree: str
    named_as: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    source_type: str
    reliability: str
    credibility: str
    language: str
    date_received: dt.date
    consent: frozenset[str]


@dataclass(frozen=True, slots=True)
class Report:
    report_id: str
    organisation_id: str
    title: str
    description: str
    date: PartialDate
    place: Place
    act_types: tuple[str, ...]
    act_ids: tuple[str, ...]
    attributions: tuple[Attribution, ...]
    claims: tuple[Claim, ...]
    source: SourceInfo
    language: str
    confidentiality: str
    synthetic: bool = True


@dataclass(frozen=True, slots=True)
class ActRecord:
    act_id: str
    report_id: str
    organisation_id: str
    act_type: str
    victim_count: int
    method: str
    status_at_end: str
    perpetrators: tuple[Attribution, ...]
    date: PartialDate
    synthetic: bool = True


@dataclass(frozen=True, slots=True)
class PersonRecord:
    person_record_id: str
    report_id: str
    act_id: str
    organisation_id: str
    given_name: str
    family_name: str
    name_as_written: str
    sex: str
    age: int | None
    age_min: int | None
    age_max: int | None
    age_precision: str
    fate: str
    date_of_death: PartialDate | None
    village: str
    synthetic: bool = True


@dataclass(frozen=True, slots=True)
class TruePerson:
    true_person_id: str
    true_incident_id: str
    given_name: str
    family_name: str
    sex: str
    age: int
    community: str
    fate: str
    date_of_death: dt.date | None
    village: str
    synthetic: bool = True


@dataclass(frozen=True, slots=True)
class TrueIncident:
    true_incident_id: str
    scenario: str
    date: dt.date
    geonameid: int
    place_name: str
    region: str
    cercle: str
    latitude: float
    longitude: float
    period: str
    act_types: tuple[str, ...]
    perpetrators: tuple[str, ...]
    killed: int
    injured: int
    abducted: int
    raped: int
    detained: int
    disappeared: int
    combatants_killed: int
    victim_community: str
    synthetic: bool = True


@dataclass(frozen=True, slots=True)
class ReportLink:
    report_id: str
    true_incident_id: str


@dataclass(frozen=True, slots=True)
class PersonLink:
    person_record_id: str
    true_person_id: str
    true_incident_id: str


@dataclass(frozen=True, slots=True)
class StratumTotal:
    region: str
    period: str
    incidents: int
    victims: int
    killed: int
    injured: int
    abducted: int
    raped: int
    detained: int
    disappeared: int
    reports: int
    person_records: int
    persons_documented: int


@dataclass(frozen=True, slots=True)
class CaptureCount:
    region: str
    period: str
    lists: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class GroundTruth:
    report_incident: Mapping[str, str]
    person_record_person: Mapping[str, str]
    totals: tuple[StratumTotal, ...]
    capture_histories: tuple[CaptureCount, ...]

    def same_incident(self, report_a: str, report_b: str) -> bool:
        """True if both reports describe the same true incident (KeyError if unknown)."""
        return self.report_incident[report_a] == self.report_incident[report_b]

    def same_person(self, record_a: str, record_b: str) -> bool:
        """True if both person records are the same true person (KeyError if unknown)."""
        return self.person_record_person[record_a] == self.person_record_person[record_b]

    def incident_clusters(self) -> dict[str, tuple[str, ...]]:
        """True incident id → sorted ids of the reports describing it."""
        return _clusters(self.report_incident)

    def person_clusters(self) -> dict[str, tuple[str, ...]]:
        """True person id → sorted ids of the person records naming them."""
        return _clusters(self.person_record_person)


def _clusters(mapping: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for record_id, true_id in mapping.items():
        groups.setdefault(true_id, []).append(record_id)
    return {true_id: tuple(sorted(ids)) for true_id, ids in sorted(groups.items())}


@dataclass(frozen=True, slots=True)
class IncidentBundle:
    incident: TrueIncident
    true_persons: tuple[TruePerson, ...]
    reports: tuple[Report, ...]
    acts: tuple[ActRecord, ...]
    persons: tuple[PersonRecord, ...]
    report_links: tuple[ReportLink, ...]
    person_links: tuple[PersonLink, ...]
