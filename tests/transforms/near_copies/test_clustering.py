from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.near_copies import NearCopyConfig
from transforms.near_copies.clustering import (
    COPY,
    FOLLOW,
    OPEN,
    POINTER,
    both_ways,
    cluster,
    components,
    resolve,
    rounds_to_settle,
    settle,
    star_round,
)
from transforms.near_copies.confirm import Pair


def reference(edges) -> dict:
    """node -> smallest node of its component, by breadth-first search (not union-find)."""
    near = defaultdict(set)
    for a, b in edges:
        near[a].add(b)
        near[b].add(a)
    labels = {}
    for start in near:
        if start in labels:
            continue
        seen, frontier = {start}, [start]
        while frontier:
            frontier = [n for node in frontier for n in near[node] if n not in seen]
            seen.update(frontier)
        smallest = min(seen)
        labels.update((node, smallest) for node in seen)
    return labels


# Nodes shaped like ranks: (not indexed, no date, seconds, order, id); ids are unique.
ranks = st.builds(
    lambda known, seconds, order: (True, not known, seconds if known else 0.0, order),
    st.booleans(), st.sampled_from([0.0, 60.0, 3600.0]), st.sampled_from(["", "1", "2"]),
)


@st.composite
def graphs(draw):
    size = draw(st.integers(1, 25))
    nodes = [draw(ranks) + (f"id{i:02d}",) for i in range(size)]
    pairs = st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)).filter(lambda e: e[0] != e[1])
    return draw(st.lists(pairs, max_size=40))


@settings(max_examples=300, deadline=None)
@given(graphs(), st.integers(0, 4))
def test_components_are_the_connected_components_and_the_label_is_the_lowest_rank(edges, rounds):
    # With few rounds most graphs are finished by the union-find; with more, by the stars.
    assert components(edges, rounds) == reference(edges)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_once_settled_no_union_find_is_needed(edges):
    rounds = rounds_to_settle(edges)
    labels = components(edges, rounds)
    assert labels == reference(edges)


def chain(n: int) -> list:
    """A chain of revisions, each copying the one before: ranks in chain order."""
    return [((True, False, float(i), "", f"r{i:04d}"), (True, False, float(i + 1), "", f"r{i + 1:04d}"))
            for i in range(n - 1)]


def test_a_reprint_cluster_settles_in_one_round_and_leaves_the_loop_two_rounds_later():
    original = (True, False, 0.0, "", "a")
    copies = [(True, False, 60.0, "", f"c{i}") for i in range(20)]
    clique = [(x, y) for i, x in enumerate([original] + copies) for y in copies[i:]]
    assert rounds_to_settle(clique) == 1
    assert set(components(clique, 1).values()) == {original}
    ends, done = [end for edge in clique for end in both_ways(edge)], {}
    for _ in range(2):
        ends = star_round(ends, done)
    # Round two finds the star finished; in round three its nodes leave with their label.
    assert done == {} and ends
    ends = star_round(ends, done)
    assert ends == [] and done == {node: original for node in [original] + copies}


def test_a_chain_longer_than_the_rounds_allow_is_still_one_cluster():
    edges = chain(300)
    assert rounds_to_settle(edges) > 6
    labels = components(edges, 6)
    assert set(labels.values()) == {edges[0][0]} and len(labels) == 300


def test_a_chain_of_65_settles_within_the_default_bound():
    assert rounds_to_settle(chain(65)) <= NearCopyConfig().max_rounds < rounds_to_settle(chain(66))


@pytest.mark.parametrize(
    "node,neighbours,expected",
    [("a", {"b", "c"}, (POINTER, "a")), ("b", {"a"}, (POINTER, "a")), ("c", {"a", "d"}, (OPEN, "c"))],
)
def test_settle_knows_a_star_from_its_centre_and_leaves(node, neighbours, expected):
    assert settle(node, neighbours) == expected


def _pair(a, b, value):
    return tuple(Pair(a, b, value, (True, False, 0.0, "", a), (True, False, 0.0, "", b)))


def test_cluster_asks_for_a_direct_check_when_only_a_path_links_to_the_canonical():
    copies, unchecked = cluster([_pair("a", "b", 0.9), _pair("b", "c", 0.8), _pair("x", "y", 0.75)])
    assert copies == {"b": (COPY, "a", 0.9), "y": (COPY, "x", 0.75)}
    assert unchecked == [("c", "a")]


def test_exact_copies_follow_their_representative():
    mapping = {"r": (COPY, "c", 0.8), "f": (FOLLOW, "r", None), "g": (FOLLOW, "c", None)}
    assert resolve("f", mapping) == ("c", 0.8)
    assert resolve("g", mapping) == ("c", 1.0)
    assert resolve("c", mapping) == (None, None)
