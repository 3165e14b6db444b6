"""Tests of the shipped vocabulary files, the loader API and the build script."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import temoin.core.vocabularies as vocabularies
from temoin.core.vocabularies import (
    DATA_DIR,
    HierarchyError,
    ManifestMismatchError,
    Term,
    UnknownAliasError,
    UnknownTermError,
    UnknownVocabularyError,
    UnsupportedLanguageError,
    Vocabulary,
    VocabularyDataError,
    list_vocabularies,
    load_vocabulary,
    manifest,
    verify_manifest,
)
from temoin.core.vocabularies.build import main as build_main
from temoin.core.vocabularies.build import render_files
from temoin.core.vocabularies.loader import BASE_COLUMNS, file_sha256

REQUIRED = {
    "act_types",
    "violation_types",
    "source_types",
    "involvement_degrees",
    "methods",
    "consequences",
    "status_at_end_of_act",
    "languages",
    "actors_mali",
    "acled_event_types",
}
MAIN_ACT_SLUGS = (
    "killing",
    "summary_execution",
    "sexual_violence",
    "rape",
    "abduction",
    "enforced_disappearance",
    "torture",
    "ill_treatment",
    "looting",
    "destruction_of_property",
    "burning_of_dwellings",
    "arbitrary_detention",
    "attack_on_civilians",
    "forced_displacement",
    "attack_on_schools",
    "attack_on_health_care",
    "attack_on_humanitarians",
    "livestock_theft",
    "armed_clash",
    "explosion",
    "protest",
    "riot",
    "other",
)
ALL_NAMES = list_vocabularies()


def test_public_api_is_exactly_all() -> None:
    assert sorted(vocabularies.__all__) == sorted(
        name
        for name in dir(vocabularies)
        if not name.startswith("_") and name in vocabularies.__all__
    )
    for name in vocabularies.__all__:
        assert hasattr(vocabularies, name), name


def test_required_vocabularies_exist() -> None:
    assert REQUIRED <= set(ALL_NAMES)
    assert list(ALL_NAMES) == sorted(ALL_NAMES)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_file_header_starts_with_base_columns(name: str) -> None:
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header[:6]) == BASE_COLUMNS
    assert tuple(header) == manifest().files[name].columns


@pytest.mark.parametrize("name", ALL_NAMES)
def test_hierarchy_consistent_and_labels_bilingual(name: str) -> None:
    vocabulary = load_vocabulary(name)
    assert len(vocabulary) == manifest().files[name].rows > 0
    for term in vocabulary:
        assert term.label_en.strip() and term.label_fr.strip(), term.code
        assert term.source in {"esf", "temoin", "acled", "iso639"}
        if term.parent_code is None:
            assert term.level == 0
        else:
            assert term.parent_code in vocabulary
            assert vocabulary.terms[term.parent_code].level == term.level - 1
        chain = [term.code, *(a.code for a in vocabulary.ancestors(term.code))]
        assert len(chain) == len(set(chain)) == term.level + 1  # no cycle


def test_manifest_hashes_match_files() -> None:
    verify_manifest()
    for entry in manifest().files.values():
        assert file_sha256(DATA_DIR / entry.file) == entry.sha256
    assert manifest().version == "1.0.0"
    assert any("HURIDOCS" in line for line in manifest().attribution)


def test_tampered_file_is_detected(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    path = copy / "source_types.csv"
    path.write_bytes(path.read_bytes().replace(b"Victim testimony", b"Victim testimoni"))
    with pytest.raises(ManifestMismatchError) as caught:
        verify_manifest(data_dir=copy)
    assert caught.value.code == "vocabulary_manifest_mismatch"
    assert caught.value.file_name == "source_types.csv"


def test_build_is_reproducible_and_files_are_current(esf_csv: Path, tmp_path: Path) -> None:
    rendered = render_files(esf_csv)
    assert set(rendered) == {f"{n}.csv" for n in ALL_NAMES} | {"manifest.json"}
    for file_name, content in rendered.items():
        assert (DATA_DIR / file_name).read_bytes() == content, f"{file_name} is stale"
    assert render_files(esf_csv) == rendered
    assert build_main(["--esf", str(esf_csv), "--out", str(tmp_path)]) == 0
    assert build_main(["--esf", str(esf_csv), "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "languages.csv").write_text("stale", encoding="utf-8")
    assert build_main(["--esf", str(esf_csv), "--out", str(tmp_path), "--check"]) == 1


def test_act_types_have_main_slugs_and_huri_codes() -> None:
    acts = load_vocabulary("act_types")
    for slug in MAIN_ACT_SLUGS:
        assert slug in acts, slug
    for term in acts:
        assert term.extra["esf_relation"] in {"exact", "broader", "related", "none"}
        if term.source == "esf":
            assert len(term.extra["huri_code"]) == 12 and term.extra["esf_relation"] == "exact"
            if not term.code[0:4] == "esf4":
                continue
            assert term.code == f"esf4_{term.extra['huri_code']}"
    assert acts["summary_execution"].extra["huri_code"] == "010101010000"
    assert acts.label("summary_execution", "fr") == "Exécution sommaire"
    assert acts["rape"].extra["huri_code"] == "020111010000"
    assert acts.is_a("summary_execution", "killing")
    assert acts.is_a("burning_of_dwellings", "destruction_of_property")
    assert acts.is_a("livestock_theft", "looting")
    assert not acts.is_a("looting", "killing")
    assert len(acts) == 532 + 13


def test_flat_vocabularies_have_exact_codes() -> None:
    assert load_vocabulary("source_types").codes() == (
        "victim_testimony",
        "witness_testimony",
        "community_leader",
        "media",
        "social_media",
        "ngo_report",
        "un_report",
        "acled_record",
        "ucdp_record",
        "official_statement",
        "imagery",
        "medical_record",
        "other",
    )
    assert load_vocabulary("involvement_degrees").codes() == (
        "direct_perpetrator",
        "gave_orders",
        "command_responsibility",
        "complicity",
        "present",
        "unknown",
    )
    assert load_vocabulary("source_reliability").codes() == ("A", "B", "C", "D", "E", "F")
    assert load_vocabulary("information_credibility").codes() == ("1", "2", "3", "4", "5", "6")
    assert load_vocabulary("confidentiality_levels").codes() == (
        "public",
        "internal",
        "restricted",
        "strictly_confidential",
    )


def test_languages_cover_mali() -> None:
    languages = load_vocabulary("languages")
    for code in ("fr", "bm", "ff", "son", "tmh", "dogon", "snk", "ar", "en"):
        assert code in languages, code
    assert languages["bm"].extra["iso639_3"] == "bam"
    assert languages["tmh"].extra["iso639_3"] == "taq"
    assert languages.parent("ffm") == languages["ff"]


def test_acled_event_types_map_to_act_types() -> None:
    events = load_vocabulary("acled_event_types")
    acts = load_vocabulary("act_types")
    assert len(events.roots()) == 6
    assert sum(1 for t in events if t.level == 1) == 25
    for term in events:
        if term.extra["act_type"]:
            acts.validate(term.extra["act_type"])
    assert events.resolve("Strategic Developments").code == "strategic_developments"
    assert (
        events.resolve("Excessive force against protestors").code
        == "excessive_force_against_protesters"
    )


def test_actor_hierarchy_and_kinds() -> None:
    actors = load_vocabulary("actors_mali")
    kinds = {
        "state",
        "foreign_state",
        "jihadist",
        "militia",
        "northern_movement",
        "international",
        "other",
    }
    assert {t.extra["kind"] for t in actors} == kinds
    assert actors.parent("katiba_macina") == actors["jnim"]
    assert actors.parent("wagner_group") == actors["russian_forces"]
    assert actors.parent("dan_na_ambassagou") == actors["dogon_militias"]
    assert actors.is_a("fama_special_forces", "mali_defence_security_forces")
    for code in (
        "fama",
        "national_guard",
        "gendarmerie",
        "police",
        "wagner_group",
        "africa_corps",
        "operation_barkhane",
        "minusma",
        "g5_sahel_joint_force",
        "aqim",
        "al_mourabitoun",
        "mujao",
        "islamic_state_sahel",
        "dozo_militias",
        "fulani_militias",
        "cma",
        "mnla",
        "hcua",
        "platform",
        "gatia",
        "maa",
        "msa",
        "csp",
        "fla",
        "unidentified_armed_group",
        "civilians",
        "katiba_serma",
        "ansar_dine",
    ):
        assert code in actors, code


def test_frequent_acled_actor_strings_map_to_exactly_one_actor(acled_csv: Path) -> None:
    counts: Counter[str] = Counter()
    with acled_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        next(reader)  # HXL hashtag row
        for row in reader:
            for column in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
                for part in row[column].split(";"):
                    if part.strip():
                        counts[part.strip()] += 1
    actors = load_vocabulary("actors_mali")
    owners: dict[str, list[str]] = {}
    for term in actors:
        for alias in term.aliases:
            owners.setdefault(alias, []).append(term.code)
    frequent = [name for name, n in counts.items() if n >= 20]
    assert len(frequent) >= 40
    for name in frequent:
        assert len(owners.get(name, [])) == 1, name
        assert actors.resolve(name).code == owners[name][0]
    assert actors.resolve("Military Forces of Mali (2013-)").code == "fama"
    assert actors.resolve("Police Forces of Mali (2013-) Gendarmerie").code == "gendarmerie"
    assert actors.resolve("military forces of mali (2013-)").code == "fama"
    for name in (n for n, c in counts.items() if c >= 5):
        assert len(owners.get(name, [])) == 1, name


def test_validate_unknown_code_names_vocabulary_and_code() -> None:
    acts = load_vocabulary("act_types")
    assert acts.validate("rape").code == "rape"
    with pytest.raises(UnknownTermError) as caught:
        acts.validate("genocidal_banter", field="type_of_act")
    error = caught.value
    assert error.code == "unknown_term"
    assert (error.vocabulary, error.term_code, error.field) == (
        "act_types",
        "genocidal_banter",
        "type_of_act",
    )
    assert (
        "act_types" in str(error)
        and "genocidal_banter" in str(error)
        and "type_of_act" in str(error)
    )
    with pytest.raises(KeyError):
        acts["nope"]


def test_other_errors() -> None:
    with pytest.raises(UnknownVocabularyError) as caught:
        load_vocabulary("weapons")
    assert caught.value.code == "unknown_vocabulary" and "act_types" in caught.value.available
    with pytest.raises(UnsupportedLanguageError):
        load_vocabulary("act_types").label("rape", "bm")
    with pytest.raises(UnknownAliasError):
        load_vocabulary("actors_mali").resolve("Martians")


def _term(code: str, parent: str | None, level: int) -> Term:
    return Term(
        code=code, parent_code=parent, level=level, label_en=code, label_fr=code, source="temoin"
    )


def test_vocabulary_rejects_bad_hierarchies() -> None:
    with pytest.raises(HierarchyError, match="unknown parent"):
        Vocabulary("t", [_term("a", "ghost", 1)])
    with pytest.raises(HierarchyError, match="cycle"):
        Vocabulary("t", [_term("a", "b", 1), _term("b", "a", 1)])
    with pytest.raises(HierarchyError, match="level"):
        Vocabulary("t", [_term("a", None, 0), _term("b", "a", 2)])
    with pytest.raises(VocabularyDataError, match="duplicate"):
        Vocabulary("t", [_term("a", None, 0), _term("a", None, 0)])
    with pytest.raises(VocabularyDataError, match="label"):
        Vocabulary("t", [Term("a", None, 0, "A", " ", "temoin")])


def test_malformed_file_is_reported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "geo_precisions.csv").write_text("code,label\nx,y\n", encoding="utf-8")
    with pytest.raises(VocabularyDataError, match="header"):
        load_vocabulary("geo_precisions", data_dir=data)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(load_vocabulary("act_types").codes()))
def test_descendants_and_ancestors_agree(code: str) -> None:
    acts = load_vocabulary("act_types")
    for descendant in acts.descendants(code):
        assert acts.is_a(descendant.code, code)
        assert code in {a.code for a in acts.ancestors(descendant.code)}
    for child in acts.children(code):
        assert acts.parent(child.code) == acts[code]
