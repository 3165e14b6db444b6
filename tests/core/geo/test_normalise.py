"""Place-name normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temoin.core.geo import NormalisedName, normalise_name, phonetic_key


@pytest.mark.parametrize(
    ("raw", "base", "qualifier"),
    [
        ("Ogossagou-Peulh", "ogossagou", "peulh"),
        ("OGOSSAGOU PEUL", "ogossagou", "peulh"),
        ("Sobane-Dogon", "sobane", "dogon"),
        ("Hɔnbori", "honbori", None),
        ("Kulikɔrɔ", "kulikoro", None),
        ("Ɲɔgɔn", "nyogon", None),
        ("Dɔŋɔ", "dongo", None),
        ("Cercle de Yélimané", "yelimane", None),
        ("Cercle d’ Abeïbara", "abeibara", None),
        ("Région de Ségou", "segou", None),
        ("Douentza Cercle", "douentza", None),
        ("Commune rurale de Dioura", "dioura", None),
        ("I-n-Déliman", "i n deliman", None),
        ("  Tombouctou  ", "tombouctou", None),
        ("Peulh", "peulh", None),  # a qualifier alone is a name
    ],
)
def test_normalise_name(raw: str, base: str, qualifier: str | None) -> None:
    assert normalise_name(raw) == NormalisedName(base, qualifier)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Djenné", "Jenne"),
        ("Hombori", "Hɔnbori"),
        ("Ségou", "Segu"),
        ("Koutiala", "Kutiala"),
        ("Tin-Essako", "Ti-n-Essako"),
        ("Koulikoro", "Kulikɔrɔ"),
        ("Ogossagou-Peulh", "Ogosagou"),
        ("Ntillit", "I-n-Tillit"),
        ("In Tillit", "I-n-Tillit"),
    ],
)
def test_phonetic_key_merges_variants(left: str, right: str) -> None:
    assert phonetic_key(left) == phonetic_key(right)


@pytest.mark.parametrize(
    ("left", "right"), [("Gao", "Kayes"), ("Mopti", "Bamako"), ("Boni", "Bara")]
)
def test_phonetic_key_keeps_different_names_apart(left: str, right: str) -> None:
    assert phonetic_key(left) != phonetic_key(right)


@given(st.text(max_size=60))
def test_normalise_never_fails_and_is_idempotent(text: str) -> None:
    first = normalise_name(text)
    assert normalise_name(first.full) == first or first.qualifier is None
    assert isinstance(phonetic_key(text), str)
