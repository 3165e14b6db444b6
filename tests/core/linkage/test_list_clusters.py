"""Best-first clustering with the one-record-per-list rule (SYNTHETIC node ids only)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.linkage.list_clusters import cluster_pairs_by_list


def test_two_namesakes_of_one_list_are_not_chained_through_another_list() -> None:
    # A1 and A2 are two people of list A; B1 resembles both, more A1 than A2.
    lists = ["A", "A", "B"]
    out = cluster_pairs_by_list(lists, [0, 1], [2, 2], [0.95, 0.9], threshold=0.7)
    assert out.tolist() == [0, 1, 0]


def test_a_list_repeating_a_person_still_merges_through_its_own_pair() -> None:
    lists = ["A", "A", "B"]
    out = cluster_pairs_by_list(lists, [0, 1, 0], [2, 2, 1], [0.95, 0.9, 0.99], threshold=0.7)
    assert out.tolist() == [0, 0, 0]


def test_reviewed_pairs_override_and_block() -> None:
    lists = ["A", "B", "C"]
    out = cluster_pairs_by_list(
        lists, [0, 1], [1, 2], [0.99, 0.99], threshold=0.7, cannot_link=[(0, 2)]
    )
    assert out.tolist() == [0, 0, 2]
    forced = cluster_pairs_by_list(lists, [], [], [], threshold=0.7, must_link=[(0, 2)])
    assert forced.tolist() == [0, 1, 0]


def test_pairs_below_threshold_are_not_edges() -> None:
    out = cluster_pairs_by_list(["A", "B"], [0], [1], [0.69], threshold=0.7)
    assert out.tolist() == [0, 1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from("ABC"), min_size=2, max_size=8),
    st.data(),
)
def test_no_cluster_holds_two_records_of_one_list_without_their_own_edge(
    lists: list[str], data: st.DataObject
) -> None:
    n = len(lists)
    edges = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0, 1)),
            max_size=20,
        )
    )
    edges = [(a, b, p) for a, b, p in edges if a != b]
    out = cluster_pairs_by_list(
        lists,
        [a for a, _, _ in edges],
        [b for _, b, _ in edges],
        [p for *_, p in edges],
        threshold=0.5,
    )
    strong = {(min(a, b), max(a, b)) for a, b, p in edges if p >= 0.5}
    for x in range(n):
        for y in range(x + 1, n):
            if out[x] == out[y] and lists[x] == lists[y]:
                assert (x, y) in strong


def test_a_chain_is_not_closed_when_the_ends_were_never_scored_alike() -> None:
    # A1–B1 and B1–C1 are strong, A1–C1 never scored: the mean over the cross pairs of
    # {A1, B1} and {C1} is (0.8 + 0) / 2 = 0.4.
    lists = ["A", "B", "C"]
    edges = ([0, 1], [1, 2], [0.95, 0.8])
    assert cluster_pairs_by_list(lists, *edges, threshold=0.7).tolist() == [0, 0, 0]
    kept = cluster_pairs_by_list(lists, *edges, threshold=0.7, min_average=0.45)
    assert kept.tolist() == [0, 0, 2]
    # A weak but scored A1–C1 (0.2) lifts the mean to 0.5: the chain closes.
    closed = cluster_pairs_by_list(
        lists, [0, 1, 0], [1, 2, 2], [0.95, 0.8, 0.2], threshold=0.7, min_average=0.45
    )
    assert closed.tolist() == [0, 0, 0]
