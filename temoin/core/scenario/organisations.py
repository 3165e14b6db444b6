"""Built-in fictional documenting organisations and how each one covers, counts and spells.

Coverage is deliberately heterogeneous so that list dependence exists: the probability that an
organisation documents an incident depends on the region, the incident's size and whether
state forces are among the perpetrators; the probability that it names a given victim depends
on the victim's community, sex/age and a latent "visibility" shared by all organisations.
All organisation names are fictional and marked synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from temoin.core.scenario.names import NameStyle
from temoin.core.scenario.records import Organisation

__all__ = ["PROFILES", "OrganisationProfile"]


@dataclass(frozen=True, slots=True)
class OrganisationProfile:
    """How one organisation behaves. Probabilities are in [0, 1]; logits are additive."""

    organisation: Organisation
    base_logit: float
    size_coefficient: float
    region_logit: dict[str, float]
    state_perpetrator_logit: float
    only_scenarios: frozenset[str] | None
    person_capture: float
    community_access: dict[str, float]
    child_woman_factor: float
    act_detail: float
    count_style: str  # "about", "exact", "between", "at_least", "official"
    count_sigma: float
    count_bias: float
    terrorist_label: float
    date_precision: dict[str, float]
    geo_precision: dict[str, float]
    lag_days: tuple[int, int]
    source_types: dict[str, float]
    reliability: dict[str, float]
    credibility: dict[str, float]
    name_style: NameStyle
    age_missing: float
    age_approximate: float
    death_date_off_by_one: float
    misattribution: float
    title_prefix: str = field(default="[SYNTHÉTIQUE]")


_CENTRE_BIAS = {"Mopti": 1.2, "Ségou": 0.7, "Bamako": 0.6, "Koulikoro": 0.0, "Sikasso": -0.2,
                "Kayes": -0.5, "Tombouctou": -0.6, "Gao": -0.9, "Ménaka": -1.6, "Kidal": -2.2,
                "Taoudénit": -2.5}  # fmt: skip
_NATIONAL = {"Bamako": 0.8, "Koulikoro": 0.4, "Ségou": 0.3, "Sikasso": 0.3, "Kayes": 0.3, "Mopti": 0.2,
             "Tombouctou": -0.4, "Gao": -0.3, "Ménaka": -1.2, "Kidal": -1.8, "Taoudénit": -2.0}  # fmt: skip
_RADIO = {"Mopti": 1.8, "Ségou": 1.0, "Tombouctou": 0.2, "Bamako": 0.0, "Koulikoro": -0.8,
          "Sikasso": -1.2, "Kayes": -1.5, "Gao": -0.8, "Ménaka": -1.5, "Kidal": -2.0,
          "Taoudénit": -2.5}  # fmt: skip
_NORTH_TOO = {"Mopti": 0.5, "Ségou": 0.2, "Gao": 0.5, "Ménaka": 0.6, "Tombouctou": 0.4, "Kidal": 0.0,
              "Bamako": -0.2, "Koulikoro": -0.6, "Sikasso": -0.8, "Kayes": -0.8, "Taoudénit": -1.0}  # fmt: skip
_EVEN = {"Bamako": 0.3}

_DAYFIRST = {"day": 0.88, "month": 0.05, "range": 0.04, "approximate": 0.03}
_TESTIMONY = {"day": 0.68, "month": 0.14, "range": 0.08, "approximate": 0.09, "year": 0.01}
_GEO_LOCAL = {"exact": 0.72, "near": 0.14, "cercle": 0.10, "region": 0.04}
_GEO_REMOTE = {"exact": 0.5, "near": 0.2, "cercle": 0.2, "region": 0.1}

PROFILES: dict[str, OrganisationProfile] = {
    "osdh": OrganisationProfile(
        organisation=Organisation(
            "ORG-osdh",
            "[SYNTHÉTIQUE] Observatoire sahélien des droits humains (ONG malienne fictive)",
            "malian_ngo",
            "fr",
            "witness_testimony",
            True,
            None,
            None,
        ),
        base_logit=-1.2,
        size_coefficient=0.55,
        region_logit=_CENTRE_BIAS,
        state_perpetrator_logit=0.0,
        only_scenarios=None,
        person_capture=0.72,
        community_access={
            "dogon": 1.0,
            "bambara": 1.0,
            "bozo": 0.9,
            "peul": 0.55,
            "songhai": 0.7,
            "tuareg": 0.3,
            "arab": 0.3,
        },
        child_woman_factor=0.8,
        act_detail=0.85,
        count_style="about",
        count_sigma=0.25,
        count_bias=1.0,
        terrorist_label=0.0,
        date_precision=_TESTIMONY,
        geo_precision=_GEO_LOCAL,
        lag_days=(2, 60),
        source_types={"witness_testimony": 0.5, "victim_testimony": 0.3, "community_leader": 0.2},
        reliability={"B": 0.4, "C": 0.4, "D": 0.1, "F": 0.1},
        credibility={"2": 0.45, "3": 0.35, "1": 0.1, "4": 0.1},
        name_style=NameStyle(0.3, 0.25, 0.2, 0.3, 0.15, 0.05, 0.03, 0.03),
        age_missing=0.25,
        age_approximate=0.35,
        death_date_off_by_one=0.06,
        misattribution=0.08,
    ),
    "cndh": OrganisationProfile(
        organisation=Organisation(
            "ORG-cndh",
            "[SYNTHÉTIQUE] Commission nationale fictive des droits de l'homme",
            "national_commission",
            "fr",
            "ngo_report",
            True,
            None,
            None,
        ),
        base_logit=-1.4,
        size_coefficient=0.5,
        region_logit=_NATIONAL,
        state_perpetrator_logit=-1.3,
        only_scenarios=None,
        person_capture=0.6,
        community_access={
            "dogon": 0.9,
            "bambara": 1.0,
            "bozo": 0.8,
            "peul": 0.5,
            "songhai": 0.85,
            "tuareg": 0.5,
            "arab": 0.5,
        },
        child_woman_factor=0.7,
        act_detail=0.75,
        count_style="exact",
        count_sigma=0.2,
        count_bias=0.9,
        terrorist_label=0.05,
        date_precision=_TESTIMONY,
        geo_precision=_GEO_REMOTE,
        lag_days=(10, 120),
        source_types={"witness_testimony": 0.4, "community_leader": 0.3, "official_statement": 0.3},
        reliability={"B": 0.5, "C": 0.4, "D": 0.1},
        credibility={"2": 0.5, "3": 0.4, "1": 0.1},
        name_style=NameStyle(0.15, 0.2, 0.15, 0.2, 0.35, 0.02, 0.02, 0.02),
        age_missing=0.15,
        age_approximate=0.3,
        death_date_off_by_one=0.05,
        misattribution=0.1,
    ),
    "radio": OrganisationProfile(
        organisation=Organisation(
            "ORG-radio",
            "[SYNTHÉTIQUE] Radio Delta Centre FM (station fictive)",
            "radio",
            "fr",
            "media",
            True,
            None,
            None,
        ),
        base_logit=-0.6,
        size_coefficient=0.35,
        region_logit=_RADIO,
        state_perpetrator_logit=-0.3,
        only_scenarios=None,
        person_capture=0.22,
        community_access={
            "dogon": 1.0,
            "bambara": 1.0,
            "bozo": 1.0,
            "peul": 0.8,
            "songhai": 0.9,
            "tuareg": 0.5,
            "arab": 0.5,
        },
        child_woman_factor=0.5,
        act_detail=0.55,
        count_style="about",
        count_sigma=0.4,
        count_bias=1.1,
        terrorist_label=0.1,
        date_precision=_DAYFIRST,
        geo_precision=_GEO_LOCAL,
        lag_days=(0, 3),
        source_types={"media": 0.7, "community_leader": 0.2, "social_media": 0.1},
        reliability={"C": 0.5, "D": 0.3, "B": 0.1, "F": 0.1},
        credibility={"3": 0.5, "2": 0.25, "4": 0.25},
        name_style=NameStyle(0.6, 0.35, 0.35, 0.4, 0.05, 0.12, 0.06, 0.1),
        age_missing=0.6,
        age_approximate=0.5,
        death_date_off_by_one=0.1,
        misattribution=0.15,
    ),
    "sahelwatch": OrganisationProfile(
        organisation=Organisation(
            "ORG-sahelwatch",
            "[SYNTHETIC] Sahel Rights Monitor (fictional international NGO)",
            "international_ngo",
            "en",
            "ngo_report",
            True,
            None,
            None,
        ),
        base_logit=-4.0,
        size_coefficient=1.3,
        region_logit=_NORTH_TOO,
        state_perpetrator_logit=0.8,
        only_scenarios=None,
        person_capture=0.8,
        community_access={
            "dogon": 0.8,
            "bambara": 0.8,
            "bozo": 0.8,
            "peul": 1.0,
            "songhai": 0.8,
            "tuareg": 0.8,
            "arab": 0.7,
        },
        child_woman_factor=1.0,
        act_detail=0.95,
        count_style="between",
        count_sigma=0.12,
        count_bias=1.0,
        terrorist_label=0.0,
        date_precision={"day": 0.78, "range": 0.12, "month": 0.1},
        geo_precision=_GEO_REMOTE,
        lag_days=(20, 150),
        source_types={
            "victim_testimony": 0.35,
            "witness_testimony": 0.45,
            "imagery": 0.1,
            "medical_record": 0.1,
        },
        reliability={"A": 0.15, "B": 0.6, "C": 0.25},
        credibility={"1": 0.3, "2": 0.55, "3": 0.15},
        name_style=NameStyle(0.9, 0.3, 0.45, 0.3, 0.1, 0.03, 0.02, 0.02),
        age_missing=0.1,
        age_approximate=0.25,
        death_date_off_by_one=0.03,
        misattribution=0.04,
        title_prefix="[SYNTHETIC]",
    ),
    "digest": OrganisationProfile(
        organisation=Organisation(
            "ORG-digest",
            "[SYNTHETIC] Conflict Press Digest (fictional ACLED-like compilation)",
            "press_compilation",
            "en",
            "acled_record",
            False,
            None,
            None,
        ),
        base_logit=-0.2,
        size_coefficient=0.6,
        region_logit=_EVEN,
        state_perpetrator_logit=-0.2,
        only_scenarios=None,
        person_capture=0.0,
        community_access={},
        child_woman_factor=1.0,
        act_detail=0.45,
        count_style="exact",
        count_sigma=0.3,
        count_bias=0.95,
        terrorist_label=0.25,
        date_precision={"day": 0.9, "range": 0.07, "month": 0.03},
        geo_precision={"exact": 0.62, "near": 0.3, "region": 0.08},
        lag_days=(1, 14),
        source_types={"acled_record": 1.0},
        reliability={"C": 0.6, "B": 0.3, "D": 0.1},
        credibility={"3": 0.5, "2": 0.3, "4": 0.2},
        name_style=NameStyle(1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        age_missing=1.0,
        age_approximate=0.0,
        death_date_off_by_one=0.0,
        misattribution=0.2,
        title_prefix="[SYNTHETIC]",
    ),
    "unhrd": OrganisationProfile(
        organisation=Organisation(
            "ORG-unhrd",
            "[SYNTHETIC] UN Human Rights Division of a fictional mission",
            "un_mission",
            "fr",
            "un_report",
            True,
            2013,
            2023,
        ),
        base_logit=-3.0,
        size_coefficient=0.9,
        region_logit=_NORTH_TOO,
        state_perpetrator_logit=0.4,
        only_scenarios=None,
        person_capture=0.55,
        community_access={
            "dogon": 0.9,
            "bambara": 0.9,
            "bozo": 0.9,
            "peul": 0.9,
            "songhai": 0.9,
            "tuareg": 0.9,
            "arab": 0.9,
        },
        child_woman_factor=0.9,
        act_detail=0.9,
        count_style="at_least",
        count_sigma=0.1,
        count_bias=0.9,
        terrorist_label=0.0,
        date_precision={"day": 0.6, "month": 0.25, "range": 0.15},
        geo_precision=_GEO_REMOTE,
        lag_days=(30, 200),
        source_types={"un_report": 1.0},
        reliability={"A": 0.3, "B": 0.6, "C": 0.1},
        credibility={"1": 0.4, "2": 0.5, "3": 0.1},
        name_style=NameStyle(0.4, 0.2, 0.2, 0.2, 0.5, 0.05, 0.02, 0.04),
        age_missing=0.3,
        age_approximate=0.3,
        death_date_off_by_one=0.05,
        misattribution=0.05,
    ),
    "army": OrganisationProfile(
        organisation=Organisation(
            "ORG-army",
            "[SYNTHÉTIQUE] Communiqués fictifs d'un état-major",
            "official",
            "fr",
            "official_statement",
            False,
            None,
            None,
        ),
        base_logit=0.4,
        size_coefficient=0.2,
        region_logit={},
        state_perpetrator_logit=0.0,
        only_scenarios=frozenset({"counterinsurgency_operation", "armed_clash", "ied_explosion"}),
        person_capture=0.0,
        community_access={},
        child_woman_factor=1.0,
        act_detail=0.3,
        count_style="official",
        count_sigma=0.35,
        count_bias=0.7,
        terrorist_label=0.95,
        date_precision={"day": 0.95, "month": 0.05},
        geo_precision={"near": 0.5, "cercle": 0.3, "region": 0.2},
        lag_days=(0, 2),
        source_types={"official_statement": 1.0},
        reliability={"D": 0.5, "C": 0.3, "E": 0.2},
        credibility={"4": 0.5, "3": 0.3, "5": 0.2},
        name_style=NameStyle(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        age_missing=1.0,
        age_approximate=0.0,
        death_date_off_by_one=0.0,
        misattribution=0.0,
    ),
}
