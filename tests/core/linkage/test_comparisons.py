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
    assert weight[frozenset(("A1", "B1"))] > weight[frozenset(("A2", "B2"))]
