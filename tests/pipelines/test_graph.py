"""The batch pipeline's graph holds nothing that grows with the corpus on one worker.

A global combine (``CombineGlobally`` and what is built on it: ``ToList``, ``ToDict``,
``Count.Globally``, ``Top.Of``) gathers a whole collection onto one worker; a side input is
sent whole to every worker. Either is allowed only where the collection is bounded by
design, and ``BOUNDED`` says by what. The graph is built, not run.
"""

from datetime import datetime, timezone
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.pipeline import PipelineVisitor

from pipelines.batch import BatchConfig, build, pipeline_options
from transforms.reading.read import ReadInputs

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
WHEN = datetime(2023, 3, 1, tzinfo=timezone.utc)

# Full label of the step -> what bounds the collection it gathers or broadcasts.
BOUNDED = {
    "Write/Shard articles": "row counts per (table, date): one entry per date",
    "Write/Shard rejects": "row counts per (table, date): one entry per date",
    "Write/RemoveUnwritten": "the folders this run wrote: tables x dates",
}


class Gathers(PipelineVisitor):
    """Collects the labels of global combines and of steps fed by side inputs."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}
        self._combines: list[str] = []

    def enter_composite_transform(self, node) -> None:
        self._check(node)

    def visit_transform(self, node) -> None:
        self._check(node)

    def _check(self, node) -> None:
        label = node.full_label
        if any(label.startswith(combine + "/") for combine in self._combines):
            return  # A combine's own plumbing (its default value is a side input).
        if isinstance(node.transform, beam.CombineGlobally):
            self._combines.append(label)
            self.found[label] = "global combine"
        for side in node.side_inputs:
            self.found[label] = f"side input {type(side).__name__}"


def batch_graph() -> beam.Pipeline:
    pipeline = beam.Pipeline(options=pipeline_options([]))
    raw = pipeline | "ReadInputs" >> ReadInputs([str(SEEDS)])
    build(raw, BatchConfig(), "/nonexistent/output", "batch-graph", WHEN)
    return pipeline


def gathers(pipeline: beam.Pipeline) -> dict[str, str]:
    visitor = Gathers()
    pipeline.visit(visitor)
    return visitor.found


def _allowed(label: str) -> bool:
    return any(label == key or label.startswith(key + "/") for key in BOUNDED)


def test_no_stage_gathers_the_corpus_onto_one_worker():
    unbounded = {label: kind for label, kind in gathers(batch_graph()).items()
                 if not _allowed(label)}
    assert unbounded == {}


def test_the_walk_finds_a_global_combine_and_a_side_input():
    """The check itself can fail: a pipeline with both is caught."""
    pipeline = beam.Pipeline(options=pipeline_options([]))
    numbers = pipeline | beam.Create([1, 2, 3])
    total = numbers | "Total" >> beam.CombineGlobally(sum)
    numbers | "Scale" >> beam.Map(lambda x, t: x / t, t=beam.pvalue.AsSingleton(total))
    numbers | "All" >> beam.combiners.ToList()
    found = gathers(pipeline)
    assert found["Total"] == "global combine"
    assert found["Scale"].startswith("side input")
    assert [label for label in found if label.startswith("All")] == ["All/All"]


@pytest.mark.parametrize("label", sorted(BOUNDED))
def test_every_allowed_step_exists(label):
    """An allow-list entry whose step is gone would let a new one through unseen."""
    found = gathers(batch_graph())
    assert any(f == label or f.startswith(label + "/") for f in found), sorted(found)
