"""Name normalisation and variant families (all names synthetic / common name pools)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temoin.core.linkage.errors import VariantFileError
from temoin.core.linkage.names import normalise_name, normalise_token_text
from temoin.core.linkage.variants import default_variants, load_variants


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Traoré", "traore"),
        ("MAÏGA", "maiga"),
        ("N'Diaye", "ndiaye"),
        ("N’Diaye", "ndiaye"),
        ("Cɛkɔrɔba", "cekoroba"),
        ("Ɲɛ", "nye"),
        ("Saŋa", "sanga"),
        ("Keïta-Touré", "keita toure"),
    ],
)
def test_token_text_folds_accents_bambara_letters_and_apostrophes(raw: str, expected: str) -> None:
    assert normalise_token_text(raw) == expected


def test_family_name_in_capitals_first_is_detected() -> None:
    name = normalise_name(full="TRAORÉ Moussa")
    assert (name.given_tokens, name.family_tokens, name.order_swapped) == (
        ("moussa",),
        ("traore",),
        True,
    )


def test_all_caps_string_uses_known_family_names() -> None:
    assert normalise_name(full="DIALLO BOUBACAR").family_tokens == ("diallo",)
    assert normalise_name(full="MOUSSA TRAORE").family_tokens == ("traore",)


def test_swapped_parts_are_put_back() -> None:
    name = normalise_name(given="Coulibaly", family="Moussa")
    assert (name.given, name.family, name.order_swapped) == ("moussa", "coulibaly", True)


@pytest.mark.parametrize("written", ["Iyad Ag Ghaly", "Iyad Ag-Ghaly", "IYAD AG GHALY"])
def test_ag_particle_binds_to_the_patronym(written: str) -> None:
    name = normalise_name(full=written)
    assert (name.given_tokens, name.family_tokens) == (("iyad",), ("agghaly",))


def test_ould_and_ben_particles_are_canonicalised() -> None:
    assert normalise_name(full="Mohamed Wuld Sidi").family_tokens == ("ouldsidi",)
    assert normalise_name(full="Oumar Ibn Sidi").family_tokens == ("bensidi",)


def test_titles_are_dropped_and_initials_flagged() -> None:
    assert normalise_name(full="El Hadj Oumar Tall").tokens == ("oumar", "tall")
    initial = normalise_name(full="M. Traoré")
    assert initial.tokens == ("m", "traore") and initial.has_initials


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("boubacar", "aboubacar"),
        ("boubakar", "abubakar"),
        ("oumar", "umar"),
        ("omar", "oumar"),
        ("moussa", "musa"),
        ("cisse", "sisse"),
        ("diallo", "jallo"),
        ("djallo", "diallo"),
        ("coulibaly", "kulibali"),
    ],
)
def test_known_variants_are_one_family(left: str, right: str) -> None:
    assert default_variants().same_family(left, right)


def test_mamadou_mahamadou_mohamed_are_related_but_not_the_same() -> None:
    variants = default_variants()
    assert not variants.same_family("mamadou", "mohamed")
    assert not variants.same_family("mamadou", "mahamadou")
    assert variants.related_group("mamadou") == variants.related_group("mohamed") == "muhammad"


def test_accented_spellings_normalise_to_the_same_token() -> None:
    assert (
        normalise_name(full="Moussa Traoré").tokens == normalise_name(full="MOUSSA TRAORE").tokens
    )
    assert normalise_name(full="Aïssata Maïga").tokens == ("aissata", "maiga")


def test_untransliterable_names_keep_their_own_key() -> None:
    arabic = normalise_name(full="محمد علي")
    nko = normalise_name(full="ߡߎߛߊ")
    assert arabic.tokens == () and arabic.script == "arabic" and arabic.script_key == "محمد علي"
    assert nko.tokens == () and nko.script == "nko"
    assert not arabic.transliterated
    assert arabic.script_key != normalise_name(full="محمود علي").script_key


@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x0621, max_codepoint=0x064A), min_size=1, max_size=8
    ),
    st.text(
        alphabet=st.characters(min_codepoint=0x0621, max_codepoint=0x064A), min_size=1, max_size=8
    ),
)
def test_two_different_arabic_names_never_share_a_key(left: str, right: str) -> None:
    a, b = normalise_name(full=left), normalise_name(full=right)
    assert a.tokens == b.tokens == ()
    assert (a.script_key == b.script_key) == (left.casefold() == right.casefold())


def test_empty_name() -> None:
    assert normalise_name(full="  ").is_empty
    assert normalise_name().is_empty


def test_bad_variant_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(
        "variant,canonical,kind,related_group\nmoussa,moussa,given,\nmusa,moussa,nickname,\n",
        encoding="utf-8",
    )
    with pytest.raises(VariantFileError) as error:
        load_variants(path)
    assert "data line 3" in str(error.value) and error.value.code == "invalid_variant_file"


def test_shipped_variant_file_loads_with_both_kinds() -> None:
    variants = default_variants()
    kinds = {entry.kind for entry in variants.entries.values()}
    assert kinds == {"given", "family"} and len(variants.entries) > 150


def test_names_used_as_distinct_given_names_are_only_related() -> None:
    # Awa and Hawa, Kadiatou and Kadidia are both common, distinct given names in Mali:
    # weak evidence only, while Hawa/Haoua and Kadiatou/Kadia are spellings of one name.
    variants = default_variants()
    assert not variants.same_family("awa", "hawa")
    assert variants.related_group("awa") == variants.related_group("hawa") == "hawa"
    assert not variants.same_family("kadiatou", "kadidia")
    assert variants.same_family("hawa", "haoua") and variants.same_family("kadiatou", "kadia")


def test_abbreviated_and_respelt_particles_bind_like_the_full_ones() -> None:
    assert normalise_name(given="Seydou", family="O. Mohamed").family == "ouldmohamed"
    assert normalise_name(given="Lalla", family="Wallet Attaher").family == "weletattaher"
    assert normalise_name(given="Lalla", family="Welet Attaher").family == "weletattaher"
    # In the given-name field a lone "O." stays an initial.
    assert normalise_name(given="O. Moussa", family="Traoré").given == "o moussa"
