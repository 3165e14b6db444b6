"""How one organisation documents one true incident: report, acts, named victims, links.

Everything an organisation gets wrong is drawn here from its :class:`OrganisationProfile`:
whether it hears of the incident at all, the date and place precision, which acts it records,
who it blames (sometimes the wrong actor), the numbers it claims (army communiqués call the
dead "terrorists"), which victims it names and how it spells them.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from temoin.core.scenario.names import strip_accents, vary_name
from temoin.core.scenario.organisations import OrganisationProfile
from temoin.core.scenario.places import MALI_BBOX, Gazetteer, GazetteerPlace
from temoin.core.scenario.records import (
    ActRecord,
    Attribution,
    Claim,
    PartialDate,
    PersonLink,
    PersonRecord,
    Place,
    Report,
    ReportLink,
    SourceInfo,
    TrueIncident,
    TruePerson,
)
from temoin.core.scenario.truth import fate_act
from temoin.core.vocabularies import Vocabulary, load_vocabulary

__all__ = ["OrganisationOutput", "document_incident"]

OrganisationOutput = tuple[Report, tuple[ActRecord, ...], tuple[PersonRecord, ...], ReportLink,
                           tuple[PersonLink, ...]]  # fmt: skip

_STATE_KINDS = frozenset({"state", "foreign_state"})
_NAMED_AS = {
    "state": ("militaires maliens", "soldats en uniforme", "Malian soldiers", "men in uniform"),
    "foreign_state": ("soldats blancs étrangers", "militaires étrangers", "white foreign soldiers",
                      "foreign military personnel"),
    "jihadist": ("hommes armés à moto", "jihadistes présumés", "armed men on motorbikes",
                 "suspected jihadists"),
    "militia": ("miliciens", "chasseurs traditionnels", "militiamen", "traditional hunters"),
    "northern_movement": ("éléments d'un mouvement armé", "combattants touareg", "armed movement fighters",
                          "Tuareg fighters"),
    "international": ("casques bleus", "soldats de la force internationale", "peacekeepers", "foreign troops"),
    "other": ("hommes armés non identifiés", "individus armés", "unidentified gunmen", "armed individuals"),
}  # fmt: skip
_METHODS = {
    "summary_execution": ("shooting", "shooting", "stabbing", "burning_to_death"),
    "massacre": ("shooting", "burning_to_death", "stabbing", "beating_to_death"),
    "killing_of_civilian": ("shooting", "shooting", "stabbing"), "killing": ("shooting", "bombing"),
    "explosion": ("bombing",), "burning_of_dwellings": ("arson",), "torture": ("beating",),
    "ill_treatment": ("beating",), "arbitrary_detention": ("held_in_military_camp", "held_without_legal_authority"),
    "rape": ("rape_method",), "physical_assault": ("beating",),
}  # fmt: skip
_STATUS = {"killed": "dead", "injured": "injured", "abducted": "missing", "disappeared": "missing",
           "detained": "detained", "raped": "injured"}  # fmt: skip
_FATE_FR = {"killed": "tués", "injured": "blessés", "abducted": "enlevés", "disappeared": "disparus",
            "raped": "victimes de viol", "detained": "détenus"}  # fmt: skip
_DESCRIBED_FR = {"civilians": "civils", "terrorists": "terroristes", "combatants": "combattants",
                 "persons": "personnes"}  # fmt: skip
_CONSENT_ORDER = ("named_partners", "un_mechanisms", "courts", "media", "public")
_PUBLIC_SOURCES = frozenset({"media", "social_media", "ngo_report", "un_report", "acled_record",
                             "ucdp_record", "official_statement"})  # fmt: skip


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _partial_date(rng: random.Random, day: dt.date, precision: str) -> PartialDate:
    if precision == "day":
        return PartialDate(day, day, "day")
    if precision == "month":
        first = day.replace(day=1)
        following = (
            first.replace(year=first.year + 1, month=1)
            if first.month == 12
            else first.replace(month=first.month + 1)
        )
        return PartialDate(first, following - dt.timedelta(days=1), "month")
    if precision == "year":
        return PartialDate(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "year")
    if precision == "range":
        return PartialDate(day - dt.timedelta(days=rng.randint(1, 5)), day + dt.timedelta(days=rng.randint(0, 5)),
                           "range")  # fmt: skip
    return PartialDate(day - dt.timedelta(days=7), day + dt.timedelta(days=7), "approximate")


def _written_place_name(rng: random.Random, place: GazetteerPlace, variation: float) -> str:
    roll = rng.random()
    latin = [a for a in place.alternatenames if a.isascii() or all(ord(c) < 0x2B0 for c in a)]
    if latin and roll < 0.1 * variation:
        return rng.choice(latin)
    if roll < 0.35 * variation:
        return strip_accents(place.name)
    return place.name


def _place(rng: random.Random, incident: TrueIncident, place: GazetteerPlace, gazetteer: Gazetteer,
           precision: str, variation: float) -> Place:  # fmt: skip
    if precision in ("exact", "near"):
        lat, lon = place.latitude, place.longitude
        if precision == "near":
            lat = min(MALI_BBOX[1], max(MALI_BBOX[0], lat + rng.uniform(-0.04, 0.04)))
            lon = min(MALI_BBOX[3], max(MALI_BBOX[2], lon + rng.uniform(-0.04, 0.04)))
        name = _written_place_name(rng, place, variation)
        return Place(
            name,
            incident.region,
            incident.cercle,
            round(lat, 5),
            round(lon, 5),
            precision,
            place.geonameid,
        )
    if precision == "cercle" and (incident.region, incident.cercle) in gazetteer.cercle_centroids:
        lat, lon = gazetteer.cercle_centroids[(incident.region, incident.cercle)]
        return Place(incident.cercle, incident.region, incident.cercle, lat, lon, "cercle", None)
    lat, lon = gazetteer.region_centroids[incident.region]
    return Place(incident.region, incident.region, "", lat, lon, "region", None)


def _claim(rng: random.Random, profile: OrganisationProfile, kind: str, truth: int, named: int,
           described_as: str) -> Claim:  # fmt: skip
    style = profile.count_style
    noisy = max(0, round(truth * profile.count_bias * rng.lognormvariate(0, profile.count_sigma)))
    noisy = max(noisy, named)
    if style == "between":
        low = max(named, round(noisy * 0.85))
        high = max(low, round(noisy * 1.1))
        return Claim(kind, low, high, "between" if high > low else "exact", described_as)
    if style == "at_least":
        low = max(named, math.floor(truth * rng.uniform(0.75, 1.0)))
        return Claim(kind, low, None, "at_least", described_as)
    if style == "about":
        rounded = noisy if noisy < 10 else max(named, int(round(noisy, -1)))
        return Claim(kind, rounded, rounded, "about", described_as)
    return Claim(kind, noisy, noisy, "exact", described_as)


def _attributions(rng: random.Random, profile: OrganisationProfile, incident: TrueIncident,
                  actors: Vocabulary, language: str) -> tuple[Attribution, ...]:  # fmt: skip
    out: list[Attribution] = []
    for position, code in enumerate(incident.perpetrators):
        kind = actors[code].extra["kind"]
        if profile.organisation.kind == "official" and kind != "state":
            if (
                kind not in _STATE_KINDS
            ):  # an army communiqué names foreign partners only vaguely, if at all
                out.append(
                    Attribution("other_jihadist_groups", "direct_perpetrator", "terroristes")
                )
            continue
        if rng.random() < profile.misattribution:
            code, kind = "unidentified_armed_group", "other"
        words = _NAMED_AS[kind]
        named_as = rng.choice(words[:2] if language == "fr" else words[2:])
        degree = "direct_perpetrator" if position == 0 or rng.random() < 0.6 else "present"
        out.append(Attribution(code, degree, named_as))
    return tuple(dict.fromkeys(out))


def _source(rng: random.Random, profile: OrganisationProfile, day: dt.date) -> SourceInfo:
    source_type = _pick(rng, profile.source_types)
    if source_type in _PUBLIC_SOURCES:
        consent = frozenset(("internal", *_CONSENT_ORDER))
    else:
        allowed = {"internal"}
        for recipient, p in zip(_CONSENT_ORDER, (0.7, 0.5, 0.35, 0.15, 0.1), strict=True):
            if rng.random() < p:
                allowed.add(recipient)
        consent = frozenset(allowed)
    return SourceInfo(
        source_type=source_type,
        reliability=_pick(rng, profile.reliability),
        credibility=_pick(rng, profile.credibility),
        language=profile.organisation.language,
        date_received=day + dt.timedelta(days=rng.randint(*profile.lag_days)),
        consent=consent,
    )


def _confidentiality(rng: random.Random, source_type: str) -> str:
    if source_type in _PUBLIC_SOURCES:
        return "public" if rng.random() < 0.7 else "internal"
    roll = rng.random()
    return "restricted" if roll < 0.6 else "strictly_confidential" if roll < 0.8 else "internal"


def _age(
    rng: random.Random, profile: OrganisationProfile, age: int
) -> tuple[int | None, int | None, int | None, str]:
    if rng.random() < profile.age_missing:
        return None, None, None, "unknown"
    if age < 15 and rng.random() < 0.4:
        return None, 0, 14, "range"
    if rng.random() < profile.age_approximate:
        approx = max(1, 5 * round(age / 5)) if age >= 10 else age
        return approx, max(0, approx - 5), approx + 5, "approximate"
    recorded = max(0, age + rng.choice((0, 0, 0, 0, 1, -1)))
    return recorded, recorded, recorded, "exact"


def _person_record(rng: random.Random, profile: OrganisationProfile, person: TruePerson, *, record_id: str,
                   report_id: str, act_id: str, village: str, name_variation: float) -> PersonRecord:  # fmt: skip
    written = vary_name(
        rng, person.given_name, person.family_name, profile.name_style.scaled(name_variation)
    )
    age, age_min, age_max, age_precision = _age(rng, profile, person.age)
    death: PartialDate | None = None
    if person.date_of_death is not None and rng.random() > 0.1:
        day = person.date_of_death
        if rng.random() < profile.death_date_off_by_one * name_variation:
            day += dt.timedelta(days=rng.choice((-1, 1)))
        death = (
            PartialDate(day, day, "day")
            if rng.random() < 0.85
            else _partial_date(rng, day, "month")
        )
    sex = person.sex if rng.random() > 0.03 else "unknown"
    return PersonRecord(
        person_record_id=record_id,
        report_id=report_id,
        act_id=act_id,
        organisation_id=profile.organisation.organisation_id,
        given_name=written.given_name,
        family_name=written.family_name,
        name_as_written=written.name_as_written,
        sex=sex,
        age=age,
        age_min=age_min,
        age_max=age_max,
        age_precision=age_precision,
        fate=person.fate,
        date_of_death=death,
        village=village,
    )


def document_incident(rng: random.Random, *, profile: OrganisationProfile, slug: str, incident: TrueIncident,
                      persons: tuple[TruePerson, ...], visibility: tuple[float, ...], place: GazetteerPlace,
                      gazetteer: Gazetteer, actors: Vocabulary, capture_scale: float, name_variation: float,
                      duplicate_rate: float) -> OrganisationOutput | None:  # fmt: skip
    """One organisation's account of ``incident``, or None if it never documents it."""
    organisation = profile.organisation
    year = incident.date.year
    if (organisation.active_from and year < organisation.active_from) or (
        organisation.active_to and year > organisation.active_to
    ):
        return None
    if profile.only_scenarios is not None and incident.scenario not in profile.only_scenarios:
        return None
    state_involved = any(actors[c].extra["kind"] in _STATE_KINDS for c in incident.perpetrators)
    logit = (profile.base_logit + profile.region_logit.get(incident.region, 0.0)
             + profile.size_coefficient * math.log1p(len(persons) + 0.3 * incident.combatants_killed)
             + (profile.state_perpetrator_logit if state_involved else 0.0) + math.log(capture_scale))  # fmt: skip
    if rng.random() >= 1 / (1 + math.exp(-logit)):
        return None

    number = incident.true_incident_id[4:]
    report_id = f"REP-{slug}-{number}"
    language = organisation.language
    date = _partial_date(rng, incident.date, _pick(rng, profile.date_precision))
    where = _place(
        rng, incident, place, gazetteer, _pick(rng, profile.geo_precision), name_variation
    )
    attributions = _attributions(rng, profile, incident, actors, language)

    act_types = [incident.act_types[0]] + [
        a for a in incident.act_types[1:] if rng.random() < profile.act_detail
    ]
    if organisation.kind == "official" and incident.scenario == "counterinsurgency_operation":
        act_types = ["armed_clash"]  # the army calls its own killings a fight with terrorists
    named: list[tuple[TruePerson, int]] = []
    if organisation.lists_victims:
        for person, visible in zip(persons, visibility, strict=True):
            p = (
                profile.person_capture
                * profile.community_access.get(person.community, 0.5)
                * (0.5 + visible)
            )
            if person.age < 15 or person.sex == "female":
                p *= profile.child_woman_factor
            if rng.random() < min(0.98, p):
                named.append((person, 1 + (rng.random() < duplicate_rate)))
    for person, _ in named:
        act = fate_act(incident, person.fate)
        if act not in act_types:
            act_types.append(act)
    act_ids = {act: f"ACT-{slug}-{number}-{k}" for k, act in enumerate(dict.fromkeys(act_types))}

    official = organisation.kind == "official"
    claims: list[Claim] = []
    claimed: dict[str, int] = {}
    for fate in ("killed", "injured", "abducted", "disappeared", "raped", "detained"):
        truth = getattr(incident, fate)
        if truth == 0 or (official and fate not in ("killed", "detained")):
            continue
        named_count = sum(1 for person, _ in named if person.fate == fate)
        described = (
            "terrorists"
            if official
            and state_involved
            or rng.random() < profile.terrorist_label * (fate == "killed" and state_involved)
            else "civilians"
        )
        claim = _claim(rng, profile, fate, truth, named_count, described)
        claims.append(claim)
        claimed[fate] = claim.minimum
    if incident.combatants_killed and (official or rng.random() < 0.5):
        claims.append(_claim(rng, profile, "killed", incident.combatants_killed, 0,
                             "terrorists" if official else "combatants"))  # fmt: skip
    if not claims:
        claims.append(Claim("killed", 0, 0, "exact", "persons"))

    acts: list[ActRecord] = []
    fate_by_act = {fate_act(incident, f): f for f in ("killed", "injured", "abducted", "disappeared", "raped",
                                                      "detained") if getattr(incident, f)}  # fmt: skip
    if organisation.kind == "official" and incident.scenario == "counterinsurgency_operation":
        fate_by_act = {"armed_clash": "killed"}
    for act, act_id in act_ids.items():
        act_fate = fate_by_act.get(act)
        methods = _METHODS.get(act, ("",))
        acts.append(ActRecord(
            act_id=act_id, report_id=report_id, organisation_id=organisation.organisation_id, act_type=act,
            victim_count=claimed.get(act_fate, 0) if act_fate else 0, method=rng.choice(methods),
            status_at_end=_STATUS.get(act_fate, "") if act_fate else "", perpetrators=attributions, date=date,
        ))  # fmt: skip

    records: list[PersonRecord] = []
    links: list[PersonLink] = []
    village = where.name if where.geo_precision in ("exact", "near") else place.name
    for person, copies in named:
        for _ in range(copies):
            record_id = f"PR-{slug}-{number}-{len(records)}"
            records.append(_person_record(
                rng, profile, person, record_id=record_id, report_id=report_id,
                act_id=act_ids[fate_act(incident, person.fate)], village=village, name_variation=name_variation,
            ))  # fmt: skip
            links.append(PersonLink(record_id, person.true_person_id, incident.true_incident_id))

    source = _source(rng, profile, incident.date)
    report = Report(
        report_id=report_id,
        organisation_id=organisation.organisation_id,
        title=_title(profile, act_types[0], where, actors, language),
        description=_description(
            incident, where, claims, attributions, language, profile.title_prefix
        ),
        date=date,
        place=where,
        act_types=tuple(act_ids),
        act_ids=tuple(act_ids.values()),
        attributions=attributions,
        claims=tuple(claims),
        source=source,
        language=language,
        confidentiality=_confidentiality(rng, source.source_type),
    )
    return (
        report,
        tuple(acts),
        tuple(records),
        ReportLink(report_id, incident.true_incident_id),
        tuple(links),
    )


def _title(
    profile: OrganisationProfile, act: str, where: Place, actors: Vocabulary, language: str
) -> str:
    if profile.organisation.kind == "official":
        return (
            f"{profile.title_prefix} Communiqué : opération contre des terroristes à {where.name}"
        )
    label = load_vocabulary("act_types").label(act, "fr" if language == "fr" else "en")
    joiner = "à" if language == "fr" else "in"
    return f"{profile.title_prefix} {label} {joiner} {where.name} ({where.admin1})"


def _description(incident: TrueIncident, where: Place, claims: list[Claim], attributions: tuple[Attribution, ...],
                 language: str, prefix: str) -> str:  # fmt: skip
    who = ", ".join(a.named_as for a in attributions) or (
        "inconnus" if language == "fr" else "unknown"
    )
    if language == "fr":
        counts = "; ".join(
            f"{c.minimum}{'+' if c.maximum is None else ''} {_FATE_FR.get(c.kind, c.kind)} "
            f"({_DESCRIBED_FR.get(c.described_as, c.described_as)})"
            for c in claims
        )
        return (f"{prefix} Données fictives générées pour les tests. Selon la source, des {who} auraient "
                f"attaqué {where.name} (région de {where.admin1}). Bilan rapporté : {counts}.")  # fmt: skip
    counts = "; ".join(
        f"{c.minimum}{'+' if c.maximum is None else ''} {c.kind} ({c.described_as})" for c in claims
    )
    return (f"{prefix} Fictional data generated for testing. According to the source, {who} attacked "
            f"{where.name} ({where.admin1} region). Reported toll: {counts}.")  # fmt: skip
