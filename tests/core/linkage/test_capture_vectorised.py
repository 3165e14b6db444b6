"""Capture histories (vectorised) against a plain per-cluster reference (SYNTHETIC keys)."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.linkage.capture import capture_histories
from temoin.core.linkage.run import LinkageRun
from temoin.core.linkage.settings import LinkageSettings

rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D"]),
        st.integers(0, 6),
        st.booleans(),
        st.sampled_from(["Mopti", "Gao", "Ségou", None]),
    ),
    min_size=1,
    max_size=40,
)


def _reference(
    data: list[tuple[str, int, bool, str | None]],
) -> list[tuple[int, object, tuple[str, ...], str]]:
    linked = [row for row in data if row[2]]
    lists = sorted({row[0] for row in linked})
    out = []
    for cluster in sorted({row[1] for row in linked}):
        members = [row for row in linked if row[1] == cluster]
        names = tuple(sorted({row[0] for row in members}))
        strata = Counter(row[3] for row in members if row[3] is not None)
        stratum = min(strata, key=lambda s: (-strata[s], s)) if strata else None
        pattern = "".join("1" if name in names else "0" for name in lists)
        out.append((cluster, stratum, names, pattern))
    return out


@settings(max_examples=150, deadline=None)
@given(rows)
def test_capture_histories_match_the_reference(
    data: list[tuple[str, int, bool, str | None]],
) -> None:
    record_ids = [f"r{i}" for i in range(len(data))]
    assignments = pd.DataFrame(
        {
            "list_id": [row[0] for row in data],
            "record_id": record_ids,
            "cluster_id": [row[1] for row in data],
            "linked": [row[2] for row in data],
            "unlinked_reason": None,
        }
    )
    table = pd.DataFrame(
        {
            "list_id": [row[0] for row in data],
            "record_id": record_ids,
            "stratum": [row[3] for row in data],
        }
    )
    run = LinkageRun(
        kind="persons",
        status="ok",
        settings=LinkageSettings(),
        assignments=assignments,
        pairs=pd.DataFrame(),
        splink_model=None,
        unlinked=(),
        comparison_table=table,
    )
    histories = capture_histories(run)
    got = [
        (int(c), s, tuple(lists), p)
        for c, s, lists, p in histories.individuals[
            ["cluster_id", "stratum", "lists", "pattern"]
        ].itertuples(index=False)
    ]
    assert got == _reference(data)
    assert histories.excluded == sum(1 for row in data if not row[2])
    assert int(histories.counts["count"].sum()) == len(got)
