"""Comparison levels that keep information the coarse levels lost (SYNTHETIC records)."""

from __future__ import annotations

from temoin.core.linkage import LinkageSettings, ReviewItem, link_persons, review_queue
from tests.core.linkage.conftest import person

SETTINGS = LinkageSettings(training="priors", review_low=1e-12, review_high=0.99999999)


def _birth_level(items: list[ReviewItem], left: str, right: str) -> str:
    for item in items:
        if {item.left[1], item.right[1]} == {left, right}:
            return next(f.level for f in item.fields if f.comparison == "birth")
    raise AssertionError(f"pair {left}/{right} not scored")


def test_about_40_and_about_41_agree_more_than_about_40_and_about_45() -> None:
    records = [
        person("A", "A1", "Moussa", "Traoré", age=40, age_approximate=True),
        person("B", "B1", "Moussa", "Traoré", age=41, age_approximate=True),
        person("A", "A2", "Seydou", "Guindo", age=40, age_approximate=True),
        person("B", "B2", "Seydou", "Guindo", age=46, age_approximate=True),
    ]
    run = link_persons(records, settings=SETTINGS)
    items = review_queue(run, limit=None, include_decided_above=1.1)
    assert _birth_level(items, "A1", "B1") == "intervals overlap, centres within 3 years"
    assert _birth_level(items, "A2", "B2") == "intervals overlap (imprecise date)"
    weight = {
        frozenset((i.left[1], i.right[1])): next(
            f.match_weight for f in i.fields if f.comparison == "birth"
        )
        for i in items
    }
    close, apart = weight[frozenset(("A1", "B1"))], weight[frozenset(("A2", "B2"))]
    assert close is not None and apart is not None and close > apart


def test_two_known_family_names_are_two_names_not_a_typo() -> None:
    # Koné and Konaté are both in the variant file: different names.  "Konatte" is not:
    # it may be a misspelling of Konaté and keeps the fuzzy level.
    records = [
        person("A", "A1", "Lassana", "Koné"),
        person("B", "B1", "Lassana", "Konaté"),
        person("C", "C1", "Lassana", "Konatte"),
    ]
    run = link_persons(records, settings=SETTINGS)
    items = review_queue(run, limit=None, include_decided_above=1.1)
    levels = {
        frozenset((i.left[1], i.right[1])): next(
            f.level for f in i.fields if f.comparison == "name"
        )
        for i in items
    }
    assert levels[frozenset(("A1", "B1"))] == "given name only agrees"
    assert levels[frozenset(("B1", "C1"))].startswith("given agrees, family")
    table = run.comparison_table
    assert table is not None
    known = dict(zip(table["record_id"], table["family_known"], strict=True))
    assert known == {"A1": "y", "B1": "y", "C1": "n"}


def test_an_initial_agrees_with_a_variant_of_the_given_name() -> None:
    # Oumar is also written Umar (variant file): "U. Kanté" may be Oumar Kanté.
    records = [
        person("A", "A1", "Oumar", "Kanté"),
        person("B", "B1", "U.", "Kanté"),
        person("C", "C1", "B.", "Kanté"),
    ]
    run = link_persons(records, settings=SETTINGS)
    table = run.comparison_table
    assert table is not None
    initials = dict(zip(table["record_id"], table["given_initials"], strict=True))
    assert initials["A1"] == "ou"
    items = review_queue(run, limit=None, include_decided_above=1.1)
    levels = {
        frozenset((i.left[1], i.right[1])): next(
            f.level for f in i.fields if f.comparison == "name"
        )
        for i in items
    }
    assert levels[frozenset(("A1", "B1"))] == "family agrees, given initial agrees"
    assert levels[frozenset(("A1", "C1"))] == "family name only agrees"


def test_a_misspelt_family_name_with_the_given_name_missing_still_compares() -> None:
    records = [
        person("A", "A1", "Adama", "Samaké"),
        person("B", "B1", None, "Smaaké"),
        person("C", "C1", None, "Coulibaly"),
    ]
    run = link_persons(records, settings=SETTINGS)
    items = review_queue(run, limit=None, include_decided_above=1.1)
    levels = {
        frozenset((i.left[1], i.right[1])): next(
            f.level for f in i.fields if f.comparison == "name"
        )
        for i in items
    }
    assert levels[frozenset(("A1", "B1"))] == "family similar, given initial or missing"
    assert levels[frozenset(("A1", "C1"))] == "different"
