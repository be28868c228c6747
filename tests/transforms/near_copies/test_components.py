import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.near_copies.clustering import components
from transforms.near_copies.components import ConnectedComponents


def node(name: str, minutes: float) -> tuple:
    return (True, False, minutes * 60.0, "", name)


def graph() -> list:
    # A reprint cluster whose original was published first but has the largest id.
    original = node("z-original", 0)
    cluster = [(original, node(f"copy{i}", 10 + i)) for i in range(5)]
    cluster.append((node("copy0", 10), node("copy1", 11)))
    # A chain of revisions, each copying the one before, longer than two rounds settle.
    revisions = [(node(f"rev{i:02d}", 100 + i), node(f"rev{i + 1:02d}", 101 + i)) for i in range(40)]
    return cluster + revisions + [(node("x", 5), node("y", 1))]


def open_edges(result) -> int:
    query = result.metrics().query(MetricsFilter().with_name("edges_open_after_rounds"))
    return sum(counter.committed for counter in query["counters"])


def run(edges, max_rounds: int):
    p = TestPipeline()
    labels = p | beam.Create(edges) | ConnectedComponents(max_rounds)
    assert_that(labels, equal_to(sorted(components(edges, max_rounds).items())))
    result = p.run()
    result.wait_until_finish()
    return result


def test_beam_rounds_give_the_core_answer_once_per_node():
    edges = graph()
    expected = components(edges, 0)
    assert expected[node("copy3", 13)] == node("z-original", 0)
    assert expected[node("rev40", 140)] == node("rev00", 100)
    assert expected[node("x", 5)] == node("y", 1)
    assert components(edges, 2) == expected
    result = run(edges, 2)
    # Two rounds settle the cluster, not the chain: its open edges were finished in one place.
    assert open_edges(result) > 0


def test_enough_rounds_leave_nothing_to_finish():
    result = run(graph(), 8)
    assert open_edges(result) == 0
