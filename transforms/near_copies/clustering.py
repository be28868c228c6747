"""Connected components of confirmed pairs and the canonical of each: the Beam-free core.

A node is an article's ``rank`` (a tuple ending with its id), so the smallest node of a
component is its canonical, and finding components and choosing canonicals is one job.

Components are found by alternating large-star and small-star steps (Kiveris et al.,
"Connected Components in MapReduce and Beyond", SoCC 2014). Each step looks at one node
and its neighbours only, so in Beam each is one ``GroupByKey`` (``components.py``); the
edges never outnumber the confirmed pairs. They turn every component into a star around
its smallest node: one round for a reprint cluster (its members confirm with the
original), about log2(n) rounds for a chain of n. The number of rounds is bounded because
a Beam graph has no loops; ``settle`` then tells per node whether its component is a
star, and only the edges of nodes that are not (none, unless a component needs more rounds
than the bound) are finished with a union-find in one place (``finish``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator

from transforms.near_copies.config import NearCopyConfig

Node = tuple
Edge = tuple[Node, Node]

# What the duplicates mapping holds per article (see ``resolve``).
COPY = "copy"
FOLLOW = "follow"

# ``settle``'s answers: the node points at itself or at its star's centre, or its
# component is not a star yet.
POINTER, OPEN = "pointer", "open"


def large_star(node: Node, neighbours: set[Node]) -> Iterator[Edge]:
    """Every neighbour larger than ``node`` links to the smallest of its neighbourhood
    (edges larger end first)."""
    smallest = min(min(neighbours), node)
    for other in neighbours:
        if other > node:
            yield other, smallest


def small_star(node: Node, smaller: set[Node]) -> Iterator[Edge]:
    """``node`` and its smaller neighbours all link to the smallest of them."""
    smallest = min(smaller)
    for other in smaller:
        if other != smallest:
            yield other, smallest
    yield node, smallest


def settle(node: Node, neighbours: set[Node]) -> tuple[str, Node]:
    """(POINTER, node) for a star's centre (all its neighbours are larger), (POINTER,
    centre) for a leaf (one neighbour, smaller), else (OPEN, node). A component whose nodes
    are all centres or leaves is a star around its smallest node: a leaf's one neighbour
    is smaller, so it is no leaf and must be a centre."""
    smallest = min(neighbours)
    if smallest > node:
        return POINTER, node
    if len(neighbours) == 1:
        return POINTER, smallest
    return OPEN, node


def both_ways(edge: Edge) -> Iterator[Edge]:
    yield edge
    yield edge[1], edge[0]


class UnionFind:
    """Union by smallest root, so ``find`` returns the smallest node of the set."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        root = x
        while (parent := self.parent.setdefault(root, root)) != root:
            root = parent
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def finish(edges: Iterable[Edge]) -> Iterator[tuple[Node, Node]]:
    """(node, smallest node of its component) for the edges the rounds left open."""
    forest = UnionFind()
    for a, b in edges:
        forest.union(a, b)
    for node in list(forest.parent):
        yield node, forest.find(node)


def _grouped(pairs: Iterable[Edge]) -> dict[Node, set[Node]]:
    groups: dict[Node, set[Node]] = defaultdict(set)
    for key, value in pairs:
        groups[key].add(value)
    return groups


def star_round(edges: Iterable[Edge]) -> list[Edge]:
    """One large-star step and one small-star step."""
    large = [
        edge
        for node, neighbours in _grouped(e for edge in edges for e in both_ways(edge)).items()
        for edge in large_star(node, neighbours)
    ]
    return [
        edge
        for node, smaller in _grouped(large).items()
        for edge in small_star(node, smaller)
    ]


def components(edges: Iterable[Edge], max_rounds: int) -> dict[Node, Node]:
    """node -> smallest node of its component, by the same steps as the Beam rounds:
    ``max_rounds`` star rounds, ``settle``, ``finish`` on what is still open."""
    edges = list(edges)
    for _ in range(max_rounds):
        edges = star_round(edges)
    return labels_after(edges)


def labels_after(edges: list[Edge]) -> dict[Node, Node]:
    pointers: dict[Node, Node] = {}
    open_edges: list[Edge] = []
    for node, neighbours in _grouped(e for edge in edges for e in both_ways(edge)).items():
        kind, target = settle(node, neighbours)
        pointers[node] = target
        if kind == OPEN:
            open_edges.extend((node, other) for other in neighbours)
    finished = dict(finish(open_edges))
    return {node: finished.get(target, target) for node, target in pointers.items()}


def rounds_to_settle(edges: Iterable[Edge], limit: int = 64) -> int:
    """How many star rounds until no node is open (for benchmarks and the bound's tests)."""
    edges = list(edges)
    for rounds in range(limit + 1):
        grouped = _grouped(e for edge in edges for e in both_ways(edge))
        if all(settle(node, near)[0] == POINTER for node, near in grouped.items()):
            return rounds
        edges = star_round(edges)
    raise ValueError(f"the edges did not settle in {limit} rounds")


def cluster(
    pairs: Iterable[tuple], max_rounds: int = NearCopyConfig.max_rounds
) -> tuple[dict[str, tuple], list[tuple[str, str]]]:
    """Confirmed ``Pair`` tuples -> (duplicates with a confirmed pair with their canonical:
    id -> (COPY, canonical, similarity); (duplicate, canonical) pairs still to check)."""
    direct: dict[tuple[str, str], float] = {}
    edges = []
    for a, b, value, rank_a, rank_b in pairs:
        edges.append((rank_a, rank_b))
        direct[ordered(a, b)] = value
    copies: dict[str, tuple] = {}
    unchecked: list[tuple[str, str]] = []
    for node, label in sorted(components(edges, max_rounds).items(), key=lambda item: item[0][-1]):
        if node == label:
            continue
        member, canonical = node[-1], label[-1]
        value = direct.get(ordered(member, canonical))
        if value is None:
            unchecked.append((member, canonical))
        else:
            copies[member] = (COPY, canonical, value)
    return copies, unchecked


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def resolve(article_id: str, mapping: dict) -> tuple[str | None, float | None]:
    """(duplicate_of, similarity) for one article from a duplicates-only mapping, where
    an exact copy follows its representative: (FOLLOW, representative, None)."""
    entry = mapping.get(article_id)
    if entry is None:
        return None, None
    kind, target, value = entry
    if kind == FOLLOW:
        followed = mapping.get(target)
        if followed is not None and followed[0] == COPY:
            return followed[1], followed[2]
        return target, 1.0
    return target, value
