"""Malian name pools by community and the spelling variation organisations introduce.

Pools follow the Témoin Mali primer (common, not exclusive, family names per community).
Variation (:func:`vary_name`) reproduces what a name matcher meets: accents dropped
(Maïga/Maiga), French vs English transliteration (Cissé/Sissé, Diallo/Jallo), several forms
of Arabic-origin given names (Boubacar/Boubakar/Aboubacar), "Ag"/"Ould" particle spellings,
family name written first, initials, and one-character typos.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

__all__ = [
    "COMMUNITIES",
    "FAMILY_NAMES",
    "FAMILY_VARIANTS",
    "GIVEN_NAMES",
    "GIVEN_VARIANTS",
    "NameStyle",
    "WrittenName",
    "draw_true_name",
    "strip_accents",
    "vary_name",
]

COMMUNITIES: tuple[str, ...] = ("bambara", "peul", "dogon", "songhai", "tuareg", "arab", "bozo")

FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "bambara": ("Traoré", "Coulibaly", "Diarra", "Keïta", "Konaté", "Koné", "Sangaré", "Diakité",
                "Camara", "Doumbia", "Samaké", "Dembélé", "Sissoko", "Kanté", "Fofana", "Bagayoko"),
    "peul": ("Diallo", "Barry", "Bah", "Sidibé", "Sow", "Dicko", "Cissé", "Sangaré", "Tall",
             "Boly", "Bocoum", "Diakité"),
    "dogon": ("Guindo", "Dolo", "Togo", "Kassogué", "Ongoïba", "Sagara", "Tembely", "Karembé",
              "Saye", "Tapily", "Ouologuem", "Poudiougo"),
    "songhai": ("Maïga", "Touré", "Cissé", "Haïdara", "Yattara", "Traoré"),
    "bozo": ("Nientao", "Tanapo", "Kanta", "Djenepo", "Karabenta", "Kampo"),
    "tuareg": ("Mohamed", "Ahmed", "Alhassane", "Attaher", "Assaleh", "Mossa", "Bilal",
               "Elmehdi", "Ousmane", "Hamma"),
    "arab": ("Sidi Mohamed", "Mohamed", "Ahmed", "Sidati", "Boubacar", "Cheikh", "Hamoud"),
}  # fmt: skip

GIVEN_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "male": {
        "common": ("Moussa", "Mamadou", "Mahamadou", "Boubacar", "Oumar", "Amadou", "Ibrahim",
                   "Souleymane", "Adama", "Seydou", "Issa", "Yacouba", "Abdoulaye", "Bakary",
                   "Sekou", "Ousmane", "Aliou", "Youssouf", "Idrissa", "Hamidou", "Modibo"),
        "peul": ("Hamadoun", "Allaye", "Hama", "Boureima", "Hassane", "Sambo", "Ali"),
        "dogon": ("Ogobara", "Amagana", "Antimé", "Anaye", "Atimé", "Yaya", "Dramane"),
        "songhai": ("Boureima", "Hamma", "Alhousseini", "Almoustapha", "Baba", "Mahamane"),
        "tuareg": ("Mohamed", "Ahmed", "Alhassane", "Attaher", "Bilal", "Mossa", "Ibrahim"),
        "arab": ("Mohamed", "Ahmed", "Sidi", "Cheikh", "Baba", "Mahmoud"),
        "bozo": ("Bourama", "Karim", "Hamadi", "Sidiki"),
        "bambara": ("Lassana", "Siaka", "Drissa", "Madou", "Alou", "Salif", "Fousseyni"),
    },
    "female": {
        "common": ("Aminata", "Fatoumata", "Mariam", "Awa", "Kadiatou", "Oumou", "Aïssata", "Hawa",
                   "Djeneba", "Assitan", "Rokia", "Kadidia", "Salimata", "Fanta", "Bintou",
                   "Safiatou", "Ramata", "Nana"),
        "peul": ("Dikko", "Fanta", "Oumou", "Kadidia", "Hadja"),
        "dogon": ("Yadié", "Yatimé", "Yapérou", "Pendé"),
        "songhai": ("Haoua", "Zeinabou", "Mariama", "Tata"),
        "tuareg": ("Fadimata", "Tina", "Lalla", "Aïcha", "Mariama"),
        "arab": ("Aïcha", "Lalla", "Mariem", "Khadija"),
        "bozo": ("Sira", "Tenin", "Korotoumou"),
        "bambara": ("Sitan", "Kadiatou", "Nakani", "Mah"),
    },
}  # fmt: skip

FAMILY_VARIANTS: dict[str, tuple[str, ...]] = {
    "Traoré": ("Traore", "Trawore"), "Maïga": ("Maiga", "Mayga"), "Cissé": ("Cisse", "Sissé", "Sisse"),
    "Diallo": ("Jallo", "Djallo", "Dialo"), "Coulibaly": ("Kulibali", "Koulibaly", "Coulibali"),
    "Keïta": ("Keita", "Keyta"), "Touré": ("Toure", "Ture"), "Diarra": ("Jara", "Diara"),
    "Sidibé": ("Sidibe",), "Sangaré": ("Sangare", "Sangari"), "Diakité": ("Diakite", "Jakite"),
    "Konaté": ("Konate",), "Koné": ("Kone",), "Doumbia": ("Dumbia",), "Camara": ("Kamara",),
    "Barry": ("Bari",), "Bah": ("Ba",), "Sow": ("So",), "Dicko": ("Diko", "Dikko"),
    "Guindo": ("Guindou", "Gindo"), "Kassogué": ("Kassogue", "Kasogué"), "Ongoïba": ("Ongoiba",),
    "Tembely": ("Tembélé", "Tembele"), "Karembé": ("Karembe", "Karambé"), "Haïdara": ("Haidara", "Haydara"),
    "Samaké": ("Samake",), "Dembélé": ("Dembele",), "Sissoko": ("Cissoko",), "Bocoum": ("Bokoum",),
    "Yattara": ("Yatara",), "Djenepo": ("Dienepo",), "Nientao": ("Nyentao",), "Ouologuem": ("Wologuem",),
    "Tapily": ("Tapili",), "Fofana": ("Fofanah",),
}  # fmt: skip

GIVEN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Boubacar": ("Boubakar", "Aboubacar", "Abubakar"), "Oumar": ("Umar", "Omar"),
    "Moussa": ("Musa", "Mousa"), "Mamadou": ("Mamadu",), "Mahamadou": ("Mahamadu", "Mohamadou"),
    "Amadou": ("Ahmadou", "Amadu"), "Ibrahim": ("Ibrahima", "Brahima"),
    "Souleymane": ("Suleyman", "Souleimane"), "Seydou": ("Seidou", "Sedou"),
    "Yacouba": ("Yakuba", "Yacoub"), "Abdoulaye": ("Abdullahi", "Ablaye"), "Bakary": ("Bakari",),
    "Sekou": ("Sékou", "Seku"), "Ousmane": ("Usman", "Ousman"), "Aliou": ("Aliyu", "Alio"),
    "Youssouf": ("Yusuf", "Youssoufa"), "Hamidou": ("Hamidu",), "Mohamed": ("Mohammed", "Mahamed"),
    "Idrissa": ("Idrisa",), "Hamadoun": ("Hamadou", "Amadoun"), "Boureima": ("Bourema", "Boureyma"),
    "Fatoumata": ("Fatimata", "Fatouma"), "Aminata": ("Aminatou", "Amina"), "Mariam": ("Mariame", "Maryam"),
    "Kadiatou": ("Kadiatu", "Kadia"), "Aïssata": ("Aissata", "Assata"), "Djeneba": ("Jeneba", "Djénéba"),
    "Oumou": ("Umu",), "Hawa": ("Haoua",), "Kadidia": ("Kadidiatou",), "Salimata": ("Salamata",),
    "Bintou": ("Bintu",), "Safiatou": ("Safiatu",), "Fadimata": ("Fadimatou",), "Aïcha": ("Aicha", "Aisha"),
}  # fmt: skip

_PARTICLE_VARIANTS: dict[str, tuple[str, ...]] = {
    "Ag": ("ag", "AG", "Agh"),
    "Ould": ("ould", "Ould-", "O."),
    "Walet": ("Welet", "Wallet"),
}


def strip_accents(text: str) -> str:
    """Remove combining accents (Maïga → Maiga, Sévaré → Severe)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def draw_true_name(rng: random.Random, *, community: str, sex: str) -> tuple[str, str]:
    """Draw a canonical (given name, family name) for a person of ``community`` and ``sex``."""
    pools = GIVEN_NAMES["female" if sex == "female" else "male"]
    own = pools.get(community, ())
    given = rng.choice(own) if own and rng.random() < 0.45 else rng.choice(pools["common"])
    family = rng.choice(FAMILY_NAMES[community])
    if community == "tuareg":
        family = ("Walet " if sex == "female" else "Ag ") + family
    elif community == "arab":
        family = ("Mint " if sex == "female" else "Ould ") + family
    return given, family


@dataclass(frozen=True, slots=True)
class NameStyle:
    """Per-organisation probabilities of each kind of variation (each in [0, 1])."""

    drop_accents: float
    given_variant: float
    family_variant: float
    particle_variant: float
    family_first: float
    initial: float
    typo: float
    missing_given: float

    def scaled(self, factor: float) -> NameStyle:
        """The same style with every probability multiplied by ``factor`` (capped at 1)."""
        return NameStyle(*(min(1.0, getattr(self, f) * factor) for f in self.__slots__))


@dataclass(frozen=True, slots=True)
class WrittenName:
    """A name as one organisation recorded it, and which variations were applied."""

    given_name: str
    family_name: str
    name_as_written: str
    variations: frozenset[str]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # deletion
        return word[:i] + word[i + 1 :]
    if kind == 1:  # doubling
        return word[:i] + word[i] + word[i:]
    if kind == 2:  # transposition
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    neighbours = "aeiouy" if word[i].lower() in "aeiouy" else "bcdfgklmnprst"
    return word[:i] + rng.choice(neighbours) + word[i + 1 :]


def _vary_family(rng: random.Random, family: str, style: NameStyle, applied: set[str]) -> str:
    parts = family.split(" ", 1)
    if len(parts) == 2 and parts[0] in ("Ag", "Ould", "Walet", "Mint"):
        particle, rest = parts
        if particle in _PARTICLE_VARIANTS and rng.random() < style.particle_variant:
            particle = rng.choice(_PARTICLE_VARIANTS[particle])
            applied.add("particle_variant")
        joiner = "" if particle.endswith("-") else " "
        return f"{particle}{joiner}{rest}"
    if family in FAMILY_VARIANTS and rng.random() < style.family_variant:
        applied.add("family_variant")
        return rng.choice(FAMILY_VARIANTS[family])
    return family


def vary_name(rng: random.Random, given: str, family: str, style: NameStyle) -> WrittenName:
    """Write ``given`` ``family`` the way an organisation with ``style`` would."""
    applied: set[str] = set()
    written_given = given
    if given in GIVEN_VARIANTS and rng.random() < style.given_variant:
        written_given = rng.choice(GIVEN_VARIANTS[given])
        applied.add("given_variant")
    written_family = _vary_family(rng, family, style, applied)
    if rng.random() < style.typo:
        if rng.random() < 0.5:
            written_given = _typo(rng, written_given)
        else:
            written_family = _typo(rng, written_family)
        applied.add("typo")
    if rng.random() < style.drop_accents:
        stripped_given, stripped_family = (
            strip_accents(written_given),
            strip_accents(written_family),
        )
        if (stripped_given, stripped_family) != (written_given, written_family):
            applied.add("drop_accents")
        written_given, written_family = stripped_given, stripped_family
    if rng.random() < style.missing_given:
        written_given = ""
        applied.add("missing_given")
    elif rng.random() < style.initial:
        written_given = written_given[0] + "."
        applied.add("initial")
    if rng.random() < style.family_first:
        applied.add("family_first")
        as_written = f"{written_family.upper()} {written_given}".strip()
        # A list that writes the family name first is often parsed with the fields swapped.
        return WrittenName(
            written_family, written_given, as_written, frozenset(applied | {"swapped"})
        )
    as_written = f"{written_given} {written_family}".strip()
    return WrittenName(written_given, written_family, as_written, frozenset(applied))
