"""Normalisation of West-African personal names for matching.

Turns the spellings found on victim lists into comparable tokens:

* case, accents and Bambara letters (ɛ→e, ɔ→o, ŋ→ng, ɲ→ny), apostrophes (N'Diaye →
  ndiaye), hyphens and stray punctuation; honorifics (El Hadj, Mme…) are dropped;
* patronymic particles ``Ag``/``Ould``/``Ben`` (and spellings ``Ag-``, ``Wuld``, ``Bin``,
  ``Ibn``) are bound to the following name: ``Ag Ghaly`` and ``Ag-Ghaly`` both give
  the single family token ``agghaly``;
* given / family split when a list gives one string: all-caps tokens in a mixed-case
  string are the family name ("TRAORE Moussa"), then known family names from the
  variant file, then the last token;
* single letters are initials (kept, flagged);
* names in a script we cannot transliterate (Arabic, N'Ko, Tifinagh…) produce **no**
  Latin tokens: they keep a ``script_key`` (the exact string, case-folded) so that two
  different such names never compare as equal, while the same string still matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from temoin.core.linkage.variants import NameVariants, default_variants

__all__ = ["NormalisedName", "normalise_name", "normalise_token_text", "script_of"]

_LETTER_MAP = str.maketrans(
    {
        "ɛ": "e",
        "Ɛ": "E",
        "ɔ": "o",
        "Ɔ": "O",
        "ŋ": "ng",
        "Ŋ": "NG",
        "ɲ": "ny",
        "Ɲ": "NY",
        "ɓ": "b",
        "Ɓ": "B",
        "ɗ": "d",
        "Ɗ": "D",
        "ƴ": "y",
        "Ƴ": "Y",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "đ": "d",
        "ł": "l",
    }
)
_APOSTROPHES = re.compile(r"['’ʼ‘`´ʻ]")
_SEPARATORS = re.compile(r"[\s\-_./,;:()\[\]\"«»]+")
_PARTICLES = {
    "ag": "ag",
    "agh": "ag",
    "ould": "ould",
    "uld": "ould",
    "wuld": "ould",
    "ould-": "ould",
    "ben": "ben",
    "bin": "ben",
    "ibn": "ben",
    "welet": "welet",
    "walet": "welet",
    "wallet": "welet",
    "mint": "mint",
    "bint": "mint",
}
_TITLES = frozenset(
    {
        "el",
        "hadj",
        "hadji",
        "elhadj",
        "elhadji",
        "hadja",
        "alhadji",
        "mme",
        "mlle",
        "mr",
        "m",
        "dr",
        "sgt",
        "cpl",
        "lt",
        "capt",
        "imam",
    }
)
_TITLE_PAIRS = {("el", "hadj"), ("el", "hadji"), ("al", "hadji"), ("el", "hadja")}

# Unicode blocks of scripts we do not transliterate.
_UNTRANSLITERATED = (
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x07C0, 0x07FF, "nko"),
    (0x2D30, 0x2D7F, "tifinagh"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0400, 0x04FF, "cyrillic"),
)


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """A name made comparable.  ``tokens`` are Latin, lower case, accent-free."""

    given_tokens: tuple[str, ...]
    family_tokens: tuple[str, ...]
    script: str
    script_key: str | None
    has_initials: bool
    order_swapped: bool

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.given_tokens + self.family_tokens

    @property
    def given(self) -> str | None:
        return " ".join(self.given_tokens) or None

    @property
    def family(self) -> str | None:
        return " ".join(self.family_tokens) or None

    @property
    def is_empty(self) -> bool:
        return not self.tokens and self.script_key is None

    @property
    def transliterated(self) -> bool:
        """False when (part of) the name is in a script we could not read."""
        return self.script_key is None


def script_of(char: str) -> str | None:
    """Name of the untransliterated script of ``char``, or ``None`` (Latin, digit, space…)."""
    point = ord(char)
    for low, high, name in _UNTRANSLITERATED:
        if low <= point <= high:
            return name
    return None


def normalise_token_text(text: str) -> str:
    """Lower-case, accent-free, letters and spaces only (Latin text)."""
    text = unicodedata.normalize("NFC", text).translate(_LETTER_MAP)
    text = _APOSTROPHES.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = _SEPARATORS.sub(" ", stripped.casefold())
    return " ".join(
        "".join(c for c in part if c.isascii() and c.isalpha()) for part in stripped.split()
    )


def _split_script(raw: str) -> tuple[str, str | None, str]:
    """Separate Latin text from untransliterable words; returns (latin, script_key, script)."""
    latin_words: list[str] = []
    foreign_words: list[str] = []
    scripts: set[str] = set()
    for word in unicodedata.normalize("NFC", raw).split():
        if word.isascii():
            latin_words.append(word)
            continue
        found = {s for s in (script_of(c) for c in word) if s is not None}
        if found:
            scripts |= found
            foreign_words.append(word.casefold())
        else:
            latin_words.append(word)
    script_key = " ".join(foreign_words) or None
    script = "latin" if not scripts else (sorted(scripts)[0] if len(scripts) == 1 else "mixed")
    if scripts and latin_words:
        script = "mixed"
    return " ".join(latin_words), script_key, script


def _tokens(latin: str) -> tuple[list[str], list[bool]]:
    """Normalised tokens and, for each, whether it was written in capitals in mixed text."""
    raw_words = [w for w in _SEPARATORS.split(latin) if w]
    mixed_case = any(w != w.upper() for w in raw_words) and any(
        w == w.upper() and len(w) > 1 for w in raw_words
    )
    tokens: list[str] = []
    capital_flags: list[bool] = []
    for word in raw_words:
        for part in normalise_token_text(word).split():
            tokens.append(part)
            capital_flags.append(mixed_case and word == word.upper() and len(word) > 1)
    return tokens, capital_flags


def _drop_titles(tokens: list[str], flags: list[bool]) -> tuple[list[str], list[bool]]:
    out: list[str] = []
    out_flags: list[bool] = []
    index = 0
    while index < len(tokens):
        pair = tuple(tokens[index : index + 2])
        if pair in _TITLE_PAIRS:
            index += 2
            continue
        if tokens[index] in _TITLES and len(tokens) - index > 1 and len(tokens[index]) > 1:
            index += 1
            continue
        out.append(tokens[index])
        out_flags.append(flags[index])
        index += 1
    return out, out_flags


def _bind_particles(tokens: list[str], flags: list[bool]) -> tuple[list[str], list[bool], set[int]]:
    """Join ``ag ghaly`` into ``agghaly``; return indices (in output) of patronymics."""
    out: list[str] = []
    out_flags: list[bool] = []
    patronymic: set[int] = set()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        particle = _PARTICLES.get(token)
        if particle is not None and index + 1 < len(tokens):
            patronymic.add(len(out))
            out.append(particle + tokens[index + 1])
            out_flags.append(flags[index] or flags[index + 1])
            index += 2
            continue
        out.append(token)
        out_flags.append(flags[index])
        index += 1
    return out, out_flags, patronymic


def _split_full(
    tokens: list[str], flags: list[bool], patronymic: set[int], variants: NameVariants
) -> tuple[list[str], list[str], bool]:
    """Split one string into (given, family); third value: family name came first."""
    if len(tokens) <= 1:
        return tokens, [], False
    if patronymic:
        first = min(patronymic)
        return tokens[:first], tokens[first:], False
    if any(flags) and not all(flags):
        family = [t for t, f in zip(tokens, flags, strict=True) if f]
        given = [t for t, f in zip(tokens, flags, strict=True) if not f]
        return given, family, flags[0]
    kinds = [variants.kind(t) for t in tokens]
    if kinds[0] == "family" and kinds[-1] != "family":
        return tokens[1:], tokens[:1], True
    return tokens[:-1], tokens[-1:], False


def normalise_name(
    *,
    given: str | None = None,
    family: str | None = None,
    full: str | None = None,
    variants: NameVariants | None = None,
) -> NormalisedName:
    """Normalise a name given as parts (``given``/``family``) or as one ``full`` string.

    When both parts are given but look swapped (a known family name in the given field
    and a known given name in the family field), they are swapped back.
    """
    variants = variants or default_variants()
    script_keys: list[str] = []
    scripts: set[str] = set()

    def prepare(
        text: str | None, *, family_part: bool = False
    ) -> tuple[list[str], list[bool], set[int]]:
        if not text or not text.strip():
            return [], [], set()
        latin, key, script = _split_script(text)
        if key is not None:
            script_keys.append(key)
        scripts.add(script)
        tokens, flags = _tokens(latin)
        tokens, flags = _drop_titles(tokens, flags)
        if family_part and len(tokens) > 1 and tokens[0] == "o":
            # "O. Mohamed" in a family-name field abbreviates the patronymic "Ould".
            tokens[0] = "ould"
        return _bind_particles(tokens, flags)

    swapped = False
    if given is not None or family is not None:
        given_tokens, _, _ = prepare(given)
        family_tokens, _, _ = prepare(family, family_part=True)
        given_kinds = {variants.kind(t) for t in given_tokens}
        family_kinds = {variants.kind(t) for t in family_tokens}
        if given_kinds == {"family"} and family_kinds == {"given"}:
            given_tokens, family_tokens, swapped = family_tokens, given_tokens, True
    else:
        tokens, flags, patronymic = prepare(full)
        given_tokens, family_tokens, swapped = _split_full(tokens, flags, patronymic, variants)

    script_key = " ".join(script_keys) or None
    script = "empty" if not scripts else (scripts.pop() if len(scripts) == 1 else "mixed")
    has_initials = any(len(t) == 1 for t in (*given_tokens, *family_tokens))
    return NormalisedName(
        given_tokens=tuple(given_tokens),
        family_tokens=tuple(family_tokens),
        script=script,
        script_key=script_key,
        has_initials=has_initials,
        order_swapped=swapped,
    )
