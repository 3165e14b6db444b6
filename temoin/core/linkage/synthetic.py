"""SYNTHETIC Malian victim lists with ground truth, for linkage tests and benchmarks.

Every name, village and date here is generated: no real person is described.  A
deterministic (seeded) population of victims is documented by several lists, each
with its own capture probability and error habits: accents dropped, transliteration
variants (Boubacar/Aboubacar, Cissé/Sissé), family name first and in capitals, typos,
missing or approximate ages, dates off by a day or known only to the month, village
spellings.  A fallback until :mod:`temoin.core.scenario` offers person lists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from temoin.core.linkage.records import PersonRecord
from temoin.core.linkage.variants import default_variants

__all__ = ["SyntheticLists", "synthetic_lists"]

_MALE = [
    "Moussa",
    "Boubacar",
    "Oumar",
    "Mamadou",
    "Amadou",
    "Issa",
    "Ibrahim",
    "Souleymane",
    "Youssouf",
    "Adama",
    "Hamadoun",
    "Ousmane",
    "Seydou",
    "Sékou",
    "Bakary",
    "Drissa",
    "Abdoulaye",
    "Yacouba",
    "Salif",
    "Alassane",
    "Modibo",
    "Lassana",
    "Mahamadou",
    "Mohamed",
    "Cheick",
    "Sidi",
    "Aliou",
    "Hamidou",
    "Boureima",
    "Idrissa",
]
_FEMALE = [
    "Aminata",
    "Fatoumata",
    "Mariam",
    "Kadidia",
    "Hawa",
    "Aïssata",
    "Oumou",
    "Ramata",
    "Rokia",
    "Assétou",
    "Djénéba",
    "Fanta",
    "Awa",
    "Safiatou",
    "Bintou",
    "Nana",
    "Salimata",
    "Korotoumou",
    "Maimouna",
    "Coumba",
]
_FAMILY = [
    "Traoré",
    "Coulibaly",
    "Diarra",
    "Keïta",
    "Konaté",
    "Koné",
    "Sangaré",
    "Diakité",
    "Camara",
    "Doumbia",
    "Diallo",
    "Barry",
    "Bah",
    "Sidibé",
    "Sow",
    "Dicko",
    "Cissé",
    "Guindo",
    "Dolo",
    "Togo",
    "Kassogué",
    "Ongoïba",
    "Sagara",
    "Tembély",
    "Karembé",
    "Maïga",
    "Touré",
    "Haïdara",
    "Dembélé",
    "Sissoko",
    "Samaké",
]
_PLACES = [
    ("Ogossagou", "Bankass"),
    ("Sobane Da", "Sangha"),
    ("Koulogon", "Bankass"),
    ("Diallassagou", "Bankass"),
    ("Dioura", "Tenenkou"),
    ("Niono", "Niono"),
    ("Boulkessi", "Mondoro"),
    ("Douentza", "Douentza"),
    ("Hombori", "Hombori"),
    ("Ménaka", "Ménaka"),
    ("Tessit", "Tessit"),
    ("Boni", "Haïré"),
    ("Mopti", "Mopti"),
    ("Djenné", "Djenné"),
    ("Macina", "Macina"),
    ("Ténenkou", "Ténenkou"),
    ("Dinangourou", "Dinangourou"),
    ("Yoro", "Yoro"),
    ("Bandiagara", "Bandiagara"),
    ("Moura", "Djenné"),
]
_PLACE_VARIANTS = {
    "Ogossagou": "Ogassagou",
    "Koulogon": "Kologon",
    "Ménaka": "Menaka",
    "Djenné": "Djenne",
    "Ténenkou": "Tenenkou",
    "Sobane Da": "Sobanou Da",
}


@dataclass(frozen=True)
class SyntheticLists:
    """Records of all lists plus the truth: record key → person id."""

    records: list[PersonRecord]
    truth: dict[tuple[str, str], str]


def _spelling_variants() -> dict[str, list[str]]:
    families: dict[str, list[str]] = {}
    for entry in default_variants().entries.values():
        families.setdefault(entry.canonical, []).append(entry.variant)
    return families


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiouklmnst") + word[i + 1 :]


def _strip_accents(word: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def synthetic_lists(
    *,
    persons: int,
    lists: int = 4,
    seed: int = 7,
    error_rate: float = 0.25,
    duplicate_rate: float = 0.03,
) -> SyntheticLists:
    """``persons`` synthetic victims documented by ``lists`` lists (each captures 30–70 %)."""
    rng = random.Random(seed)
    variants = _spelling_variants()
    capture = [0.3 + 0.4 * rng.random() for _ in range(lists)]
    records: list[PersonRecord] = []
    truth: dict[tuple[str, str], str] = {}
    counters = [0] * lists
    n_events = max(1, persons // 10)
    events = []
    for _ in range(n_events):
        village, commune = rng.choice(_PLACES)
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        events.append((village, commune, day))
    for person in range(persons):
        sex = "m" if rng.random() < 0.75 else "f"
        given = rng.choice(_MALE if sex == "m" else _FEMALE)
        if rng.random() < 0.3:
            given = given + " " + rng.choice(_MALE if sex == "m" else _FEMALE)
        family = rng.choice(_FAMILY)
        age = rng.randrange(1, 85)
        village, commune, day = rng.choice(events)
        birth_year = day.year - age
        pid = f"P{person}"
        captured = [k for k in range(lists) if rng.random() < capture[k]] or [rng.randrange(lists)]
        for k in captured:
            copies = 2 if rng.random() < duplicate_rate else 1
            for _ in range(copies):
                counters[k] += 1
                rid = f"L{k}-{counters[k]:07d}"
                records.append(
                    _noisy(
                        rng,
                        rid,
                        f"L{k}",
                        given,
                        family,
                        sex,
                        age,
                        birth_year,
                        day,
                        village,
                        commune,
                        error_rate,
                        variants,
                    )
                )
                truth[(f"L{k}", rid)] = pid
    return SyntheticLists(records=records, truth=truth)


def _noisy(
    rng: random.Random,
    rid: str,
    list_id: str,
    given: str,
    family: str,
    sex: str,
    age: int,
    birth_year: int,
    day: date,
    village: str,
    commune: str,
    error_rate: float,
    variants: dict[str, list[str]],
) -> PersonRecord:
    def maybe(p: float) -> bool:
        return rng.random() < p * error_rate * 4

    def respell(name: str) -> str:
        words = []
        for word in name.split():
            key = _strip_accents(word).lower()
            canonical = default_variants().canonical(key)
            if maybe(0.15) and len(variants.get(canonical, [])) > 1:
                word = rng.choice(variants[canonical]).capitalize()
            if maybe(0.08):
                word = _typo(rng, word)
            if maybe(0.2):
                word = _strip_accents(word)
            words.append(word)
        return " ".join(words)

    given_out, family_out = respell(given), respell(family)
    if maybe(0.05) and " " in given_out:
        given_out = given_out.split()[0]
    full = None
    if maybe(0.15):
        full = f"{family_out.upper()} {given_out}"
        given_out = family_out = ""
    elif maybe(0.05):
        given_out, family_out = family_out, given_out
    age_out: int | None = age
    approximate = False
    if maybe(0.2):
        age_out = None
    elif maybe(0.15):
        age_out, approximate = max(0, age + rng.randint(-4, 4)), True
    death: date | None = day
    precision = "day"
    if maybe(0.1):
        death = day + timedelta(days=rng.choice([-1, 1]))
    if maybe(0.08):
        precision = "month"
    if maybe(0.05):
        death = None
    village_out: str | None = village
    if maybe(0.1):
        village_out = _PLACE_VARIANTS.get(village, village.upper())
    if maybe(0.05):
        village_out = None
    return PersonRecord(
        record_id=rid,
        list_id=list_id,
        given_name=given_out or None,
        family_name=family_out or None,
        full_name=full,
        sex=None if maybe(0.1) else sex,  # type: ignore[arg-type]
        age=age_out,
        age_approximate=approximate,
        death_date=death,
        death_precision=precision,  # type: ignore[arg-type]
        birth_date=date(birth_year, 1, 1) if age_out is None and maybe(0.1) else None,
        village=village_out,
        commune=commune if not maybe(0.1) else None,
        stratum=commune,
    )
