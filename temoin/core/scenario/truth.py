"""The true incidents and victims of a synthetic scenario (what "really" happened).

Incident volume grows over the years; violence peaks in the dry season (November–May); the
north dominates until 2014, the centre (Mopti, Ségou) from 2015. Each incident follows a
pattern (``village_massacre``, ``counterinsurgency_operation``…) that fixes its act types, the
plausible perpetrators for the year and region (actors must be active that year, from
``actors_mali.csv``), the targeted community and the victims' fates, sexes and ages.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from temoin.core.scenario.names import COMMUNITIES, draw_true_name
from temoin.core.scenario.places import Gazetteer, GazetteerPlace
from temoin.core.scenario.records import TrueIncident, TruePerson
from temoin.core.vocabularies import Vocabulary

__all__ = ["PATTERNS", "Pattern", "TruthModel", "fate_act", "period_label"]

YEAR_WEIGHTS = {2012: 0.5, 2013: 0.6, 2014: 0.4, 2015: 0.5, 2016: 0.6, 2017: 0.8, 2018: 1.2, 2019: 1.6,
                2020: 1.8, 2021: 1.7, 2022: 2.2, 2023: 2.0, 2024: 1.8, 2025: 1.5}  # fmt: skip
#: Dry season (Nov–May) is more violent than the rainy season (Jun–Oct).
MONTH_WEIGHTS = (1.2, 1.25, 1.3, 1.3, 1.15, 0.9, 0.75, 0.7, 0.75, 0.9, 1.05, 1.15)
_REGIONS_BY_ERA: dict[str, dict[str, float]] = {
    "2012": {"Gao": 0.25, "Tombouctou": 0.2, "Kidal": 0.15, "Mopti": 0.15, "Ségou": 0.05, "Ménaka": 0.03,
             "Bamako": 0.07, "Koulikoro": 0.03, "Sikasso": 0.02, "Kayes": 0.02},
    "2015": {"Mopti": 0.35, "Ségou": 0.12, "Gao": 0.15, "Tombouctou": 0.12, "Kidal": 0.07, "Ménaka": 0.06,
             "Bamako": 0.04, "Koulikoro": 0.03, "Sikasso": 0.03, "Kayes": 0.03},
    "2018": {"Mopti": 0.45, "Ségou": 0.17, "Gao": 0.1, "Tombouctou": 0.08, "Ménaka": 0.08, "Kidal": 0.03,
             "Bamako": 0.03, "Koulikoro": 0.02, "Sikasso": 0.02, "Kayes": 0.02},
    "2022": {"Mopti": 0.38, "Ségou": 0.17, "Gao": 0.1, "Tombouctou": 0.1, "Ménaka": 0.1, "Kidal": 0.06,
             "Koulikoro": 0.04, "Kayes": 0.02, "Sikasso": 0.02, "Bamako": 0.01},
}  # fmt: skip
_ZONE = {"Mopti": "centre", "Ségou": "centre", "Gao": "north", "Tombouctou": "north", "Kidal": "north",
         "Ménaka": "north", "Taoudénit": "north"}  # fmt: skip
_PATTERN_WEIGHTS = {
    "centre": {"village_massacre": 0.2, "counterinsurgency_operation": 0.22, "jihadist_attack": 0.2,
               "ied_explosion": 0.1, "abduction": 0.1, "sexual_violence": 0.05, "armed_clash": 0.08,
               "attack_on_humanitarians": 0.03, "protest_repression": 0.02},
    "north": {"village_massacre": 0.05, "counterinsurgency_operation": 0.12, "jihadist_attack": 0.2,
              "ied_explosion": 0.2, "abduction": 0.12, "sexual_violence": 0.04, "armed_clash": 0.19,
              "attack_on_humanitarians": 0.06, "protest_repression": 0.02},
    "south": {"village_massacre": 0.03, "counterinsurgency_operation": 0.15, "jihadist_attack": 0.15,
              "ied_explosion": 0.05, "abduction": 0.1, "sexual_violence": 0.05, "armed_clash": 0.1,
              "attack_on_humanitarians": 0.02, "protest_repression": 0.35},
}  # fmt: skip
_COMMUNITY_BY_REGION = {
    "Mopti": {"peul": 0.4, "dogon": 0.35, "bambara": 0.1, "bozo": 0.08, "songhai": 0.07},
    "Ségou": {"bambara": 0.55, "peul": 0.3, "bozo": 0.05, "dogon": 0.05, "songhai": 0.05},
    "Tombouctou": {"songhai": 0.35, "tuareg": 0.3, "arab": 0.2, "peul": 0.1, "bozo": 0.05},
    "Gao": {"songhai": 0.5, "tuareg": 0.2, "peul": 0.2, "arab": 0.1},
    "Ménaka": {"tuareg": 0.6, "peul": 0.25, "songhai": 0.1, "arab": 0.05},
    "Kidal": {"tuareg": 0.8, "arab": 0.15, "songhai": 0.05},
    "Taoudénit": {"arab": 0.6, "tuareg": 0.4},
}
_COMMUNITY_DEFAULT = {"bambara": 0.8, "peul": 0.15, "songhai": 0.05}


@dataclass(frozen=True, slots=True)
class Pattern:
    """An incident pattern: acts, perpetrator options, victim fates and their act types."""

    primary_act: str
    fate_acts: dict[str, str]
    optional_acts: dict[str, float]
    # (actor codes, weight, targeted community or "" for the region's mix)
    perpetrators: tuple[tuple[tuple[str, ...], float, str], ...]
    male_share: float
    child_share: float


PATTERNS: dict[str, Pattern] = {
    "village_massacre": Pattern(
        "massacre", {"killed": "massacre", "injured": "attack_on_civilians", "raped": "rape"},
        {"burning_of_dwellings": 0.7, "looting": 0.6, "livestock_theft": 0.5, "forced_displacement": 0.6},
        ((("dan_na_ambassagou",), 0.3, "peul"), (("dozo_militias",), 0.15, "peul"),
         (("dogon_militias",), 0.1, "peul"), (("fulani_militias",), 0.12, "dogon"),
         (("katiba_macina",), 0.2, "dogon"), (("jnim",), 0.1, "bambara"),
         (("islamic_state_sahel",), 0.15, ""), (("fama", "wagner_group"), 0.1, "peul"),
         (("fama", "africa_corps"), 0.1, "peul"), (("mujao",), 0.05, "")),
        0.55, 0.25),
    "counterinsurgency_operation": Pattern(
        "summary_execution",
        {"killed": "summary_execution", "detained": "arbitrary_detention",
         "disappeared": "enforced_disappearance", "injured": "ill_treatment"},
        {"torture": 0.3, "looting": 0.3, "burning_of_dwellings": 0.15},
        ((("fama",), 0.5, "peul"), (("fama", "wagner_group"), 0.6, "peul"),
         (("fama", "africa_corps"), 0.6, "peul"), (("national_guard",), 0.05, "peul"),
         (("gendarmerie",), 0.05, ""), (("fama_special_forces",), 0.05, "peul"),
         (("operation_barkhane",), 0.04, ""), (("fama", "dozo_militias"), 0.06, "peul")),
        0.95, 0.03),
    "jihadist_attack": Pattern(
        "killing_of_civilian",
        {"killed": "killing_of_civilian", "injured": "attack_on_civilians", "abducted": "abduction"},
        {"looting": 0.5, "livestock_theft": 0.4, "burning_of_dwellings": 0.3, "attack_on_schools": 0.1,
         "forced_displacement": 0.3},
        ((("katiba_macina",), 0.35, ""), (("jnim",), 0.35, ""), (("islamic_state_sahel",), 0.25, ""),
         (("ansar_dine",), 0.1, ""), (("mujao",), 0.1, ""), (("aqim",), 0.05, ""),
         (("katiba_serma",), 0.05, "")),
        0.75, 0.12),
    "ied_explosion": Pattern(
        "explosion", {"killed": "killing", "injured": "explosion"}, {"attack_on_civilians": 0.4},
        ((("jnim",), 0.5, ""), (("islamic_state_sahel",), 0.2, ""), (("unidentified_armed_group",), 0.3, ""),
         (("ansar_dine",), 0.1, ""), (("aqim",), 0.1, ""), (("mujao",), 0.1, "")),
        0.7, 0.1),
    "abduction": Pattern(
        "abduction", {"abducted": "abduction", "disappeared": "enforced_disappearance"},
        {"ill_treatment": 0.2, "extortion": 0.2},
        ((("jnim",), 0.35, ""), (("katiba_macina",), 0.2, ""), (("islamic_state_sahel",), 0.15, ""),
         (("unidentified_armed_group",), 0.2, ""), (("fama",), 0.1, "peul"), (("mujao",), 0.1, ""),
         (("ansar_dine",), 0.05, "")),
        0.85, 0.08),
    "sexual_violence": Pattern(
        "rape", {"raped": "rape"}, {"sexual_violence": 0.5, "ill_treatment": 0.3, "looting": 0.2},
        ((("fama", "wagner_group"), 0.2, "peul"), (("fama",), 0.1, ""), (("jnim",), 0.15, ""),
         (("katiba_macina",), 0.15, ""), (("dan_na_ambassagou",), 0.1, "peul"), (("dozo_militias",), 0.1, "peul"),
         (("unidentified_armed_group",), 0.2, ""), (("mujao",), 0.1, ""), (("mnla",), 0.05, "")),
        0.0, 0.15),
    "armed_clash": Pattern(
        "armed_clash", {"killed": "esf4_010103030000", "injured": "attack_on_civilians"}, {"looting": 0.1},
        ((("fama", "jnim"), 0.35, ""), (("fama", "ansar_dine"), 0.2, ""), (("fama", "katiba_macina"), 0.15, ""),
         (("gatia", "islamic_state_sahel"), 0.1, ""), (("msa", "islamic_state_sahel"), 0.1, ""),
         (("cma", "platform"), 0.05, ""), (("mnla", "fama"), 0.15, ""), (("csp", "fama", "wagner_group"), 0.15, ""),
         (("fla", "fama", "africa_corps"), 0.15, ""), (("jnim", "islamic_state_sahel"), 0.1, ""),
         (("dan_na_ambassagou", "katiba_macina"), 0.1, ""), (("operation_barkhane", "islamic_state_sahel"), 0.1, ""),
         (("operation_serval", "ansar_dine"), 0.3, "")),
        0.75, 0.1),
    "attack_on_humanitarians": Pattern(
        "attack_on_humanitarians", {"abducted": "abduction", "killed": "killing", "injured": "physical_assault"},
        {"looting": 0.5, "attack_on_health_care": 0.3},
        ((("jnim",), 0.4, ""), (("islamic_state_sahel",), 0.2, ""), (("unidentified_armed_group",), 0.4, "")),
        0.8, 0.0),
    "protest_repression": Pattern(
        "protest", {"killed": "killing", "injured": "physical_assault", "detained": "arbitrary_detention"}, {},
        ((("police",), 0.4, ""), (("gendarmerie",), 0.2, ""), (("national_guard",), 0.2, ""),
         (("fama_special_forces",), 0.2, "")),
        0.8, 0.05),
}  # fmt: skip


def fate_act(incident: TrueIncident, fate: str) -> str:
    """The act type under which a victim with ``fate`` is recorded in ``incident``."""
    act = PATTERNS[incident.scenario].fate_acts.get(fate, PATTERNS[incident.scenario].primary_act)
    if act == "massacre" and "massacre" not in incident.act_types:
        return "killing_of_civilian"
    return act


def period_label(day: dt.date, period: str) -> str:
    """Stratum label of ``day``: ``2019``, ``2019-H1`` or ``2019-Q2``."""
    if period == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _lognormal_count(rng: random.Random, median: float, sigma: float, cap: int) -> int:
    return min(cap, int(rng.lognormvariate(math.log(median), sigma)))


class TruthModel:
    """Draws true incidents and victims; one instance serves a whole scenario."""

    def __init__(self, *, gazetteer: Gazetteer, actors: Vocabulary, start_year: int, end_year: int,
                 period: str, victim_scale: float) -> None:  # fmt: skip
        self.gazetteer = gazetteer
        self.period = period
        self.victim_scale = victim_scale
        self._active = {t.code: (int(t.extra["active_from"] or 1900), int(t.extra["active_to"] or 2100))
                        for t in actors}  # fmt: skip
        self._actors = actors
        self._years = list(range(start_year, end_year + 1))
        self._year_weights = [YEAR_WEIGHTS[y] for y in self._years]
        self._cum_places: dict[str, tuple[Sequence[GazetteerPlace], list[float]]] = {}
        for region, places in gazetteer.by_region.items():
            weights = [1.0 + math.log1p(p.population) / 3 for p in places]
            self._cum_places[region] = (places, list(itertools.accumulate(weights)))

    def _era(self, year: int) -> dict[str, float]:
        key = (
            "2022"
            if year >= 2022
            else "2018"
            if year >= 2018
            else "2015"
            if year >= 2015
            else "2012"
        )
        return {r: w for r, w in _REGIONS_BY_ERA[key].items() if r in self._cum_places}

    def _place(self, rng: random.Random, region: str) -> GazetteerPlace:
        places, cum = self._cum_places[region]
        return places[bisect.bisect_right(cum, rng.random() * cum[-1])]

    def _date(self, rng: random.Random) -> dt.date:
        year = rng.choices(self._years, weights=self._year_weights)[0]
        month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
        first = dt.date(year, month, 1)
        days = (
            (
                first.replace(year=year + 1, month=1)
                if month == 12
                else first.replace(month=month + 1)
            )
            - first
        ).days
        return first + dt.timedelta(days=rng.randrange(days))

    def _active_option(self, codes: tuple[str, ...], year: int) -> bool:
        return all(self._active[c][0] <= year <= self._active[c][1] for c in codes)

    def _perpetrators(
        self, rng: random.Random, pattern: Pattern, year: int
    ) -> tuple[tuple[str, ...], str]:
        options = [o for o in pattern.perpetrators if self._active_option(o[0], year)]
        if not options:
            return ("unidentified_armed_group",), ""
        chosen = rng.choices(options, weights=[o[1] for o in options])[0]
        return chosen[0], chosen[2]

    def _counts(self, rng: random.Random, name: str) -> dict[str, int]:
        s = self.victim_scale
        lc = _lognormal_count
        if name == "village_massacre":
            killed = 1 + lc(rng, 6 * s, 0.9 if rng.random() > 0.02 else 1.6, 600)
            return {
                "killed": killed,
                "injured": lc(rng, 0.3 * killed + 0.5, 0.8, 300),
                "raped": rng.choice((0, 0, 0, 1, 2)),
            }
        if name == "counterinsurgency_operation":
            killed = lc(rng, 3 * s, 1.0 if rng.random() > 0.01 else 1.8, 700)
            return {
                "killed": killed,
                "detained": lc(rng, 1.5 * s, 1.0, 120),
                "disappeared": rng.choice((0, 0, 1, 2, 3)),
                "injured": rng.choice((0, 0, 1, 2)),
            }
        if name == "jihadist_attack":
            return {
                "killed": 1 + lc(rng, 2.5 * s, 0.9, 250),
                "injured": lc(rng, 1.5 * s, 0.9, 120),
                "abducted": rng.choice((0, 0, 0, 1, 2, 4)),
            }
        if name == "ied_explosion":
            return {"killed": lc(rng, 2 * s, 0.9, 80), "injured": 1 + lc(rng, 3 * s, 0.8, 150)}
        if name == "abduction":
            count = 1 + lc(rng, 1.2 * s, 0.8, 60)
            gone = sum(rng.random() < 0.2 for _ in range(count))
            return {"abducted": count - gone, "disappeared": gone}
        if name == "sexual_violence":
            return {"raped": 1 + lc(rng, 1.0 * s, 0.8, 40)}
        if name == "armed_clash":
            return {
                "killed": rng.choice((0, 0, 0, 1, 1, 2, 3)),
                "injured": rng.choice((0, 0, 1, 2, 4)),
            }
        if name == "attack_on_humanitarians":
            return {
                "abducted": rng.choice((0, 1, 2, 3)),
                "killed": rng.choice((0, 0, 1, 2)),
                "injured": rng.choice((0, 1, 2)),
            }
        return {
            "killed": lc(rng, 1.5 * s, 1.0, 40),
            "injured": 1 + lc(rng, 6 * s, 0.9, 300),
            "detained": lc(rng, 3 * s, 1.0, 300),
        }

    def _community(self, rng: random.Random, region: str, target: str) -> str:
        mix = _COMMUNITY_BY_REGION.get(region, _COMMUNITY_DEFAULT)
        if target in COMMUNITIES and rng.random() < 0.9:
            return target
        return _pick(rng, mix)

    def _person(self, rng: random.Random, *, incident_id: str, k: int, fate: str, pattern: Pattern,
                community: str, region: str, place: str, day: dt.date) -> TruePerson:  # fmt: skip
        if rng.random() >= 0.92:
            community = _pick(rng, _COMMUNITY_BY_REGION.get(region, _COMMUNITY_DEFAULT))
        if fate == "raped":
            sex = "female"
        elif fate in ("detained", "disappeared"):
            sex = "male" if rng.random() < 0.97 else "female"
        else:
            sex = "male" if rng.random() < pattern.male_share else "female"
        if fate != "raped" and rng.random() < pattern.child_share:
            age = rng.randint(0, 14)
        elif fate == "raped":
            age = rng.randint(12, 50)
        else:
            age = min(90, 15 + int(rng.expovariate(1 / 20)))
        given, family = draw_true_name(rng, community=community, sex=sex)
        return TruePerson(
            true_person_id=f"TP-{incident_id[4:]}-{k}",
            true_incident_id=incident_id,
            given_name=given,
            family_name=family,
            sex=sex,
            age=age,
            community=community,
            fate=fate,
            date_of_death=day if fate == "killed" else None,
            village=place,
        )

    def incident(
        self, rng: random.Random, index: int
    ) -> tuple[TrueIncident, tuple[TruePerson, ...]]:
        """Draw incident ``index`` and its true victims."""
        day = self._date(rng)
        era = self._era(day.year)
        region = _pick(rng, era)
        zone = _ZONE.get(region, "south")
        name = _pick(rng, _PATTERN_WEIGHTS[zone])
        if name == "village_massacre" and day.year < 2015 and zone == "centre":
            name = "jihadist_attack"
        pattern = PATTERNS[name]
        place = self._place(rng, "Bamako" if name == "protest_repression" and rng.random() < 0.5
                            and "Bamako" in self._cum_places else region)  # fmt: skip
        region = place.region
        perpetrators, target = self._perpetrators(rng, pattern, day.year)
        community = self._community(rng, region, target)
        counts = self._counts(rng, name)
        incident_id = f"INC-{index}"
        persons: list[TruePerson] = []
        for fate in ("killed", "injured", "abducted", "disappeared", "raped", "detained"):
            for _ in range(counts.get(fate, 0)):
                persons.append(self._person(rng, incident_id=incident_id, k=len(persons), fate=fate,
                                            pattern=pattern, community=community, region=region,
                                            place=place.name, day=day))  # fmt: skip
        acts = [pattern.primary_act]
        acts += [act for fate, act in pattern.fate_acts.items() if counts.get(fate, 0) > 0]
        if name == "village_massacre" and counts["killed"] < 5:
            acts = ["killing_of_civilian" if a == "massacre" else a for a in acts]
        acts += [act for act, p in pattern.optional_acts.items() if rng.random() < p]
        combatants = _lognormal_count(rng, 6, 1.0, 300) if name == "armed_clash" else 0
        incident = TrueIncident(
            true_incident_id=incident_id,
            scenario=name,
            date=day,
            geonameid=place.geonameid,
            place_name=place.name,
            region=region,
            cercle=place.cercle,
            latitude=place.latitude,
            longitude=place.longitude,
            period=period_label(day, self.period),
            act_types=tuple(dict.fromkeys(acts)),
            perpetrators=perpetrators,
            killed=counts.get("killed", 0),
            injured=counts.get("injured", 0),
            abducted=counts.get("abducted", 0),
            raped=counts.get("raped", 0),
            detained=counts.get("detained", 0),
            disappeared=counts.get("disappeared", 0),
            combatants_killed=combatants,
            victim_community=community,
        )
        return incident, tuple(persons)
