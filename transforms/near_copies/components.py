"""Stage 5 in Beam: the clusters of confirmed pairs, as rounds of ``GroupByKey`` over the
edges (the steps are ``clustering``'s). Nothing here holds more than one node's
neighbourhood, except ``Finish``, which holds only the edges of components still open
after ``max_rounds`` (none on the eval corpora; see ``clustering``)."""

from typing import Any, Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.near_copies import clustering
from transforms.near_copies.clustering import DONE, OPEN, Edge, Node

LABEL, POINTED = "label", "pointed"


def _large_star(element: tuple[Node, Iterable]) -> Iterator:
    for key, value in clustering.large_star_step(element[0], element[1]):
        yield beam.pvalue.TaggedOutput(DONE, value) if key == DONE else (key, value)


def _small_star(element: tuple[Node, Iterable]) -> Iterator[tuple[Node, Any]]:
    return clustering.small_star_step(element[0], element[1])


class SettleFn(beam.DoFn):
    """One node and its neighbours after the rounds: (target, (POINTED, node)), and, if
    its component is not a star yet, its edges for ``Finish``."""

    def __init__(self) -> None:
        self.open_edges = Metrics.counter("near_copies", "edges_open_after_rounds")

    def process(self, element: tuple[Node, Iterable]):
        node, neighbours = element[0], clustering.neighbours_of(element[1])
        kind, target = clustering.settle(node, neighbours)
        yield target, (POINTED, node)
        if kind == OPEN:
            for other in neighbours:
                self.open_edges.inc()
                yield beam.pvalue.TaggedOutput(OPEN, (node, other))


def _finish(element: tuple[None, Iterable[Edge]]) -> Iterator[tuple[Node, tuple]]:
    for node, label in clustering.finish(element[1]):
        yield node, (LABEL, label)


def _labels(element: tuple[Node, Iterable[tuple]]) -> Iterator[tuple[Node, Node]]:
    """One target: every node pointing at it gets its finished label, or the target."""
    target, values = element
    label = next((value for tag, value in values if tag == LABEL), target)
    for tag, value in values:
        if tag == POINTED:
            yield value, label


class ConnectedComponents(beam.PTransform):
    """Edges (node, node) -> (node, smallest node of its component), once per node."""

    def __init__(self, max_rounds: int) -> None:
        super().__init__()
        self.max_rounds = max_rounds

    def expand(self, edges):
        ends = edges | "BothEnds" >> beam.FlatMap(clustering.both_ways)
        done = []
        for r in range(self.max_rounds):
            large = (
                ends
                | f"LargeStarGroup{r}" >> beam.GroupByKey()
                | f"LargeStar{r}" >> beam.FlatMap(_large_star).with_outputs(DONE, main="ends")
            )
            done.append(large[DONE])
            ends = (
                large.ends
                | f"SmallStarGroup{r}" >> beam.GroupByKey()
                | f"SmallStar{r}" >> beam.FlatMap(_small_star)
            )
        settled = (
            ends
            | "SettleGroup" >> beam.GroupByKey()
            | "Settle" >> beam.ParDo(SettleFn()).with_outputs(OPEN, main="pointers")
        )
        # One key on purpose: only components the rounds left open get here.
        finished = (
            settled[OPEN]
            | "OneKey" >> beam.Map(lambda edge: (None, edge))
            | "GatherOpen" >> beam.GroupByKey()
            | "Finish" >> beam.FlatMap(_finish)
        )
        labelled = (
            (settled.pointers, finished)
            | "WithFinished" >> beam.Flatten()
            | "JoinTargets" >> beam.GroupByKey()
            | "Labels" >> beam.FlatMap(_labels)
        )
        return (done + [labelled]) | "AllLabels" >> beam.Flatten()
