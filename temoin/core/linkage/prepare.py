"""Turn person records into the comparison table Splink reads, and set aside bad input.

Each record gets normalised name columns (exact, variant family, related group,
phonetic key), date intervals as day numbers, place keys and blocking keys.  Records
that cannot be linked responsibly are *not* sent to Splink; they come back as
:class:`UnlinkedRecord` with a reason:

* ``no_name`` — no name at all, and no document number or full birth date with an
  address or place to identify the person instead;
* ``insufficient_evidence`` — e.g. a first name only and nothing else;
* ``untransliterable_name_only`` — a name in Arabic/N'Ko script and too little else;
* ``repeated_record`` — the same (list, record id) supplied twice;
* ``duplicate_list`` — a whole list identical to another list already in the input.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jellyfish
import pandas as pd

from temoin.core.linkage.names import NormalisedName, normalise_name
from temoin.core.linkage.records import PersonRecord, date_interval, day_number
from temoin.core.linkage.roles import put_names_in_place
from temoin.core.linkage.variants import NameVariants, default_variants

__all__ = ["PreparedPersons", "UnlinkedRecord", "place_key", "prepare_persons"]

_YEAR_DAYS = 365


@dataclass(frozen=True, slots=True)
class UnlinkedRecord:
    """A record kept out of linkage, with a machine reason and a human explanation."""

    record_id: str
    list_id: str
    reason: str
    detail: str


@dataclass(frozen=True)
class PreparedPersons:
    """The table for Splink plus the records set aside."""

    table: pd.DataFrame
    unlinked: tuple[UnlinkedRecord, ...]
    duplicate_lists: dict[str, str]


@lru_cache(maxsize=65536)  # places repeat endlessly in victims' lists (3 calls per record)
def place_key(value: str | None) -> str | None:
    """Normalised place name: 'Ségou' and 'SEGOU' agree; 'Ogossagou-Peulh' keeps its quarter."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", str(value).casefold())
    key = "".join(c for c in text if c.isascii() and c.isalnum())
    return key or None


def _content_hash(record: PersonRecord) -> str:
    parts = [
        record.given_name,
        record.family_name,
        record.full_name,
        record.sex,
        record.birth_date,
        record.age,
        record.death_date,
        record.incident_date,
        record.village,
        record.commune,
        record.document_id,
        record.address,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _find_duplicate_lists(records: Sequence[PersonRecord]) -> dict[str, str]:
    """Map each list whose whole content repeats an earlier list to that earlier list."""
    by_list: dict[str, list[str]] = defaultdict(list)
    order: list[str] = []
    for record in records:
        if record.list_id not in by_list:
            order.append(record.list_id)
        by_list[record.list_id].append(_content_hash(record))
    seen: dict[tuple[str, ...], str] = {}
    duplicates: dict[str, str] = {}
    for list_id in order:
        signature = tuple(sorted(by_list[list_id]))
        if signature in seen:
            duplicates[list_id] = seen[signature]
        else:
            seen[signature] = list_id
    return duplicates


@lru_cache(maxsize=65536)
def _phonetic(token: str | None) -> str | None:
    if not token:
        return None
    return jellyfish.metaphone(token.replace(" ", "")) or None


def _birth_interval(record: PersonRecord) -> tuple[int | None, int | None]:
    if record.birth_date is not None:
        return date_interval(record.birth_date, record.birth_precision)
    if record.age is None:
        return None, None
    # An age is relative to the death date; without one it cannot become a birth interval.
    reference = record.death_date or record.incident_date
    if reference is None:
        return None, None
    spread = 5 if record.age_approximate else 0
    oldest = reference.year - record.age - spread - 1
    youngest = reference.year - record.age + spread
    return day_number(date(oldest, 1, 1)), day_number(date(youngest, 12, 31))


def _evidence_count(row: dict[str, object]) -> int:
    fields = ("death_low", "birth_low", "document_id", "sex")
    count = sum(row[name] is not None for name in fields)
    if any(row[name] is not None for name in ("village_key", "commune_key", "lat", "address_key")):
        count += 1
    return count


def prepare_persons(
    records: Sequence[PersonRecord],
    *,
    min_evidence_fields: int = 2,
    variants: NameVariants | None = None,
) -> PreparedPersons:
    """Build the comparison table; records set aside are returned with their reason."""
    variants = variants or default_variants()
    duplicate_lists = _find_duplicate_lists(records)
    unlinked: list[UnlinkedRecord] = []
    rows: list[dict[str, object]] = []
    seen_ids: set[tuple[str, str]] = set()
    # Lists repeat names (many victims are "Amadou Traoré"): normalise each spelling once.
    names_seen: dict[tuple[str | None, str | None, str | None], NormalisedName] = {}
    for record in records:
        key = (record.list_id, record.record_id)
        if key in seen_ids:
            unlinked.append(
                UnlinkedRecord(
                    record.record_id,
                    record.list_id,
                    "repeated_record",
                    "the same list and record id appear twice; the second copy was ignored",
                )
            )
            continue
        seen_ids.add(key)
        if record.list_id in duplicate_lists:
            unlinked.append(
                UnlinkedRecord(
                    record.record_id,
                    record.list_id,
                    "duplicate_list",
                    f"list {record.list_id!r} repeats list {duplicate_lists[record.list_id]!r} record for record; it was not linked again",
                )
            )
            continue
        name_key = (record.given_name, record.family_name, record.full_name)
        name = names_seen.get(name_key)
        if name is None:
            if record.given_name is not None or record.family_name is not None:
                name = normalise_name(
                    given=record.given_name, family=record.family_name, variants=variants
                )
            else:
                name = normalise_name(full=record.full_name, variants=variants)
            names_seen[name_key] = name
        row = _row(record, name, variants)
        evidence = _evidence_count(row)
        full_latin_name = bool(name.given_tokens) and bool(name.family_tokens)
        if name.is_empty and not _identified_without_name(row):
            unlinked.append(
                UnlinkedRecord(record.record_id, record.list_id, "no_name", "no usable name")
            )
            continue
        if not name.tokens and evidence < min_evidence_fields:
            unlinked.append(
                UnlinkedRecord(
                    record.record_id,
                    record.list_id,
                    "untransliterable_name_only",
                    f"name in {name.script} script that could not be transliterated, and fewer than {min_evidence_fields} other identifying fields",
                )
            )
            continue
        if not full_latin_name and name.script_key is None and evidence < min_evidence_fields:
            unlinked.append(
                UnlinkedRecord(
                    record.record_id,
                    record.list_id,
                    "insufficient_evidence",
                    f"a single name part and fewer than {min_evidence_fields} other identifying fields (date, age, place, document, sex)",
                )
            )
            continue
        rows.append(row)
    put_names_in_place(rows, variants)
    table = pd.DataFrame(rows, columns=_COLUMNS)
    table["given_known"] = _known_spellings(table["given_norm"], variants)
    table["family_known"] = _known_spellings(table["family_norm"], variants)
    table["given_initials"] = _variant_initials(table["given_norm"], variants)
    table["unique_id"] = range(len(table))
    return PreparedPersons(table=table, unlinked=tuple(unlinked), duplicate_lists=duplicate_lists)


_COLUMNS = [
    "record_id",
    "list_id",
    "stratum",
    "given_norm",
    "family_norm",
    "given_canon",
    "family_canon",
    "given_first_canon",
    "given_related",
    "given_phon",
    "family_phon",
    "given_first_letter",
    "family_first_letter",
    "name_script_key",
    "sex",
    "death_low",
    "death_high",
    "death_year",
    "birth_low",
    "birth_high",
    "birth_year",
    "birth_text",
    "village_key",
    "commune_key",
    "cercle_key",
    "lat",
    "lon",
    "document_id",
    "document_sorted",
    "address_key",
    "name_min",
    "name_max",
]


def _row(record: PersonRecord, name: NormalisedName, variants: NameVariants) -> dict[str, object]:
    given_canon = " ".join(variants.canonical(t) for t in name.given_tokens) or None
    family_canon = " ".join(variants.canonical(t) for t in name.family_tokens) or None
    related = [variants.related_group(t) for t in name.given_tokens]
    all_canon = [variants.canonical(t) for t in name.tokens if len(t) > 1]
    # The date of death, else the incident date: victims are compared on when it happened.
    event_date: date | None
    if record.death_date is not None:
        event_date, event_precision = record.death_date, record.death_precision
    else:
        event_date, event_precision = record.incident_date, record.incident_precision
    death_low, death_high = date_interval(event_date, event_precision)
    birth_low, birth_high = _birth_interval(record)
    birth_text = (
        record.birth_date.isoformat()
        if record.birth_date is not None and record.birth_precision == "day"
        else None
    )
    return {
        "record_id": record.record_id,
        "list_id": record.list_id,
        "stratum": record.stratum,
        "given_norm": name.given,
        "family_norm": name.family,
        "given_canon": given_canon,
        "family_canon": family_canon,
        "given_first_canon": variants.canonical(name.given_tokens[0])
        if name.given_tokens
        else None,
        "given_related": next((r for r in related if r is not None), None),
        "given_phon": _phonetic(given_canon),
        "family_phon": _phonetic(family_canon),
        "given_first_letter": name.given[:1] if name.given else None,
        "family_first_letter": name.family[:1] if name.family else None,
        "name_script_key": name.script_key,
        "sex": record.sex,
        "death_low": death_low,
        "death_high": death_high,
        "death_year": event_date.year if event_date is not None else None,
        "birth_low": birth_low,
        "birth_high": birth_high,
        "birth_year": record.birth_date.year if record.birth_date is not None else None,
        "birth_text": birth_text,
        "village_key": place_key(record.village),
        "commune_key": place_key(record.commune),
        "cercle_key": place_key(record.cercle),
        "lat": record.latitude,
        "lon": record.longitude,
        "document_id": (record.document_id or "").strip() or None,
        "document_sorted": _sorted_document(record.document_id),
        "address_key": _address_key(record.address),
        "name_min": min(all_canon) if all_canon else None,
        "name_max": max(all_canon) if all_canon else None,
    }


def _known_spellings(names: pd.Series, variants: NameVariants) -> pd.Series:
    """ "y" where every token of the name is a spelling the variant file knows, else "n".

    Two *different* names that are both known ("Koné" and "Konaté", "Madou" and "Alou")
    are two names, not a typo of one: the fuzzy name levels need an unknown spelling.
    """
    verdict = {
        value: bool(value) and all(token in variants.entries for token in value.split())
        for value in names.dropna().unique()
    }
    # "y"/"n" text, never NULL: the same SQL runs on DuckDB and Spark (which reads every
    # column it does not know as numeric as a string).
    known: pd.Series = names.map(verdict).eq(True).map({True: "y", False: "n"})
    return known


def _variant_initials(names: pd.Series, variants: NameVariants) -> pd.Series:
    """First letters of the first given name and of its known variants ("ou" for Oumar,
    also written Umar): an initial "U." agrees with it.  NULL without a given name."""
    letters: dict[str, set[str]] = defaultdict(set)
    for entry in variants.entries.values():
        letters[entry.canonical].add(entry.variant[:1])
    verdict = {}
    for value in names.dropna().unique():
        first = value.split()[0] if value.split() else ""
        if first:
            found = {first[:1]} | letters.get(variants.canonical(first), set())
            verdict[value] = "".join(sorted(found))
    initials: pd.Series = names.map(verdict).astype(object)
    return initials.where(initials.notna(), None)


def _address_key(value: str | None) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", value.casefold())
    words = ["".join(c for c in word if c.isascii() and c.isalnum()) for word in text.split()]
    return " ".join(w for w in words if w) or None


def _sorted_document(value: str | None) -> str | None:
    """Characters of a document number in sorted order: a key that survives transposed digits."""
    text = "".join(c for c in (value or "") if c.isalnum())
    return "".join(sorted(text)) if len(text) >= 5 else None


def _identified_without_name(row: dict[str, object]) -> bool:
    """A nameless record still identifies someone by a document number or birth date + place."""
    if row["document_id"] is not None:
        return True
    has_place = row["address_key"] is not None or row["village_key"] is not None
    return row["birth_text"] is not None and has_place
