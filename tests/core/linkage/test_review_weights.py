"""The review queue shows each field's weight (Splink 5's mw_ columns), not "missing"."""

from __future__ import annotations

from temoin.core.linkage import LinkageSettings, link_persons, review_queue
from temoin.core.linkage.synthetic import synthetic_lists


def test_review_items_carry_field_weights() -> None:
    lists = synthetic_lists(persons=80, lists=3, seed=3)
    run = link_persons(lists.records, settings=LinkageSettings())
    items = review_queue(run, limit=20)
    assert items, "a synthetic run with spelling variants yields candidate pairs"
    fields = [f for item in items for f in item.fields]
    weights = [f.match_weight for f in fields if f.match_weight is not None]
    assert len(weights) * 2 >= len(fields)  # null comparisons (a value absent) carry none
    assert any(w > 0 for w in weights) and any(w < 0 for w in weights)
