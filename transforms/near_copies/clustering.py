"""Connected components of confirmed pairs and the canonical of each: the Beam-free core.

A node is an article's ``rank`` (a tuple ending with its id), so the smallest node of a
component is its canonical, and finding components and choosing canonicals is one job.

Components are found by alternating large-star and small-star steps (Kiveris et al.,
"Connected Components in MapReduce and Beyond", SoCC 2014). Each step looks at one node
and its neighbours only, so in Beam each is one ``GroupByKey`` (``components.py``); the
edges never outnumber the confirmed pairs. They turn every component into a star around
its smallest node: one round for a reprint cluster (its members confirm with the
original), about log2(n) rounds for a chain of n.

Convergence is found per component: in a large-star step each node says whether it is a
star's centre (all its neighbours larger; it sends its neighbourhood) or a leaf (one
smaller neighbour; it sends a mark to that centre). A centre that hears from all its
neighbours as leaves heads a finished star: it tells its leaves, and in the next round
they all leave the loop with their label. The number of rounds is bounded because a Beam
graph has no loops; what is still in the loop after it is ``settle``d per node, and only
the edges of components that are not stars yet (none, unless a component needs more
rounds than the bound) are finished with a union-find in one place (``finish``).
"""


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

# Messages among the edges, told apart by type (a node is a tuple): a leaf's mark to its
# centre, a centre's neighbourhood (a list) to itself, and "your star is finished" (None).
LEAF_MARK = True
FINISHED = None
# The key of a node leaving the loop with its label: (DONE, (node, label)).
DONE = "done"


def large_star_step(node: Node, values: Iterable) -> Iterator[tuple]:
    """Every neighbour larger than ``node`` links to the smallest of its neighbourhood
    (edges larger end first, keyed for the small-star step), plus the node's message;
    or, in a finished star, (DONE, (node, label)) and nothing else."""
    neighbours, finished = set(), False
    for value in values:
        if value is FINISHED:
            finished = True
        else:
            neighbours.add(value)
    smallest = min(min(neighbours), node)
    if finished:
        yield DONE, (node, smallest)
        return
    for other in neighbours:
        if other > node:
            yield other, smallest
    if smallest == node:
        yield node, list(neighbours)
    elif len(neighbours) == 1:
        yield smallest, LEAF_MARK


def small_star_step(node: Node, values: Iterable) -> Iterator[tuple]:
    """``node`` and its smaller neighbours all link to the smallest of them (both ways,
    keyed for the next large-star step); a centre all of whose neighbours are leaves
    tells them (and itself) that their star is finished."""
    smaller, neighbourhood, leaves = set(), None, 0
    for value in values:
        if value is LEAF_MARK:
            leaves += 1
        elif isinstance(value, list):
            neighbourhood = value
        else:
            smaller.add(value)
    if not smaller:
        if neighbourhood is not None and leaves == len(neighbourhood):
            for other in neighbourhood + [node]:
                yield other, FINISHED
        return
    smallest = min(smaller)
    for other in smaller | {node}:
        if other != smallest:
            yield other, smallest
            yield smallest, other


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


def neighbours_of(values: Iterable) -> set[Node]:
    """The nodes among a node's values after the rounds (a finished mark may be left)."""
    return {value for value in values if value is not FINISHED}


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


def _grouped(pairs: Iterable[tuple]) -> dict[Node, list]:
    groups: dict[Node, list] = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return groups


def star_round(ends: list[tuple], done: dict[Node, Node]) -> list[tuple]:
    """One large-star step and one small-star step over keyed ends (both ways); nodes
    of finished stars go to ``done``."""
    large = []
    for node, values in _grouped(ends).items():
        for key, value in large_star_step(node, values):
            if key == DONE:
                done[value[0]] = value[1]
            else:
                large.append((key, value))
    return [out for node, values in _grouped(large).items() for out in small_star_step(node, values)]


def components(edges: Iterable[Edge], max_rounds: int) -> dict[Node, Node]:
    """node -> smallest node of its component, by the same steps as the Beam rounds:
    ``max_rounds`` star rounds, ``settle``, ``finish`` on what is still open."""
    ends = [end for edge in edges for end in both_ways(edge)]
    done: dict[Node, Node] = {}
    for _ in range(max_rounds):
        ends = star_round(ends, done)
    return {**labels_after(ends), **done}


def labels_after(ends: list[tuple]) -> dict[Node, Node]:
    pointers: dict[Node, Node] = {}
    open_edges: list[Edge] = []
    for node, values in _grouped(ends).items():
        neighbours = neighbours_of(values)
        kind, target = settle(node, neighbours)
        pointers[node] = target
        if kind == OPEN:
            open_edges.extend((node, other) for other in neighbours)
    finished = dict(finish(open_edges))
    return {node: finished.get(target, target) for node, target in pointers.items()}


def rounds_to_settle(edges: Iterable[Edge], limit: int = 64) -> int:
    """How many star rounds until no node is open (for benchmarks and the bound's tests)."""
    ends = [end for edge in edges for end in both_ways(edge)]
    done: dict[Node, Node] = {}
    for rounds in range(limit + 1):
        grouped = _grouped(ends)
        if all(settle(node, neighbours_of(values))[0] == POINTER for node, values in grouped.items()):
            return rounds
        ends = star_round(ends, done)
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
