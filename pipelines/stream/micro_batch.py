"""The streaming worker's micro-batches: one Beam graph, built and translated once per
worker, run once per batch on data it reads when it runs.

Building a fresh graph for each micro-batch, with its records given to ``beam.Create``,
cost 0.27 s of construction, pickling and translation per batch on an idle machine
(cProfile), over a second on a loaded one (``python -m bench.micro_batch``,
docs/streaming.md), before any record was processed. Here the graph's
first step reads a spool file that the worker rewrites before each run: the records,
the batch's file stem and its ``ingested_at``. The stem and ``ingested_at`` reach the
stages that need them as side inputs, so nothing batch-specific is baked into the graph
and the file names stay those of the batch (replays rewrite the same files).
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

import apache_beam as beam
from apache_beam.internal import pickler
from apache_beam.options.pipeline_options import DebugOptions, DirectOptions, TypeOptions
from apache_beam.options.value_provider import RuntimeValueProvider
try:
    from apache_beam.runners.pipeline_utils import group_by_key_input_visitor
except ImportError:  # Beam 2.62 keeps it in runners.common
    from apache_beam.runners.common import group_by_key_input_visitor
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.runners import pipeline_context
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.transforms.environments import EmbeddedPythonEnvironment

from schemas.records import RawInput

SPOOL_NAME = "batch.pickle"
SPOOL_PREFIX = "copydesk-spool-"
OWNER_LOCK = "owner.lock"


@dataclass(frozen=True)
class SpooledBatch:
    """What one run of the graph processes."""

    stem: str
    ingested_at: datetime
    records: list[RawInput]


class Spool:
    """A private folder holding the batch the graph's next run reads.

    It lives on the worker's local disk (a temporary folder unless given): only this
    worker's pipeline reads it, and a lost spool costs nothing, since a batch whose run
    did not finish is read again from Kafka. It holds raw articles, so it goes on exit,
    and a worker starting removes those that killed workers left (``remove_orphans``):
    each spool is locked by its owner while it lives.
    """

    def __init__(self, folder: str | None = None) -> None:
        self.folder = folder or tempfile.mkdtemp(prefix=SPOOL_PREFIX)
        os.makedirs(self.folder, exist_ok=True)
        self.path = os.path.join(self.folder, SPOOL_NAME)
        self._owner = os.open(os.path.join(self.folder, OWNER_LOCK), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._owner, fcntl.LOCK_EX)

    def put(self, batch: SpooledBatch) -> None:
        temp = f"{self.path}.tmp"
        with open(temp, "wb") as handle:
            pickle.dump(batch, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, self.path)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._owner is not None:
            os.close(self._owner)
            self._owner = None


def remove_orphans(parent: str | None = None, unlocked_age: float = 60.0) -> list[str]:
    """Remove the spools under ``parent`` (the temporary folder) whose worker is gone:
    their lock is free, or they have none (an older worker's) and are older than
    ``unlocked_age`` seconds (younger ones may be being created). The removed folders."""
    parent = parent or tempfile.gettempdir()
    removed = []
    for name in os.listdir(parent):
        folder = os.path.join(parent, name)
        if not name.startswith(SPOOL_PREFIX) or os.path.islink(folder) or not os.path.isdir(folder):
            continue
        if _orphaned(folder, unlocked_age):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _orphaned(folder: str, unlocked_age: float) -> bool:
    try:
        fd = os.open(os.path.join(folder, OWNER_LOCK), os.O_RDWR | os.O_NOFOLLOW)
    except FileNotFoundError:
        try:
            return time.time() - os.stat(folder).st_mtime > unlocked_age
        except FileNotFoundError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


class LoadSpool(beam.DoFn):
    """The spooled batch's records, and its stem and ``ingested_at`` on their own outputs."""

    STEM = "stem"
    INGESTED_AT = "ingested_at"

    def process(self, path: str) -> Iterator:
        with open(path, "rb") as handle:
            batch: SpooledBatch = pickle.load(handle)
        yield beam.pvalue.TaggedOutput(self.STEM, batch.stem)
        yield beam.pvalue.TaggedOutput(self.INGESTED_AT, batch.ingested_at)
        yield from batch.records


class ReadSpool(beam.PTransform):
    """``{"records": RawInput, "stem": str, "ingested_at": datetime}``, read at run time."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def expand(self, pbegin):
        loaded = (
            pbegin
            | "Path" >> beam.Create([self.path])
            | "Load" >> beam.ParDo(LoadSpool()).with_outputs(
                LoadSpool.STEM, LoadSpool.INGESTED_AT, main="records")
        )
        return {"records": loaded.records, "stem": loaded.stem, "ingested_at": loaded.ingested_at}


PICKLED_DOFN = "beam:dofn:pickled_python_info:v1"


def with_windowing(proto) -> int:
    """Put each pickled DoFn's windowing into its payload, once; how many were changed.

    Beam pickles a DoFn without it, and the SDK worker, setting up each stage of each
    run, unpickles the DoFn, adds the windowing of its main input and pickles it again
    (``bundle_processor._create_pardo_operation``, Beam 2.62); a payload that has it is
    used as it is. Done here, every ParDo of the graph is pickled once per worker
    instead of once per micro-batch.
    """
    context = pipeline_context.PipelineContext(proto.components)
    changed = 0
    for transform in proto.components.transforms.values():
        if transform.spec.urn != common_urns.primitives.PAR_DO.urn:
            continue
        payload = beam_runner_api_pb2.ParDoPayload.FromString(transform.spec.payload)
        if payload.do_fn.urn != PICKLED_DOFN:
            continue
        fn_data = pickler.loads(payload.do_fn.payload)
        if fn_data[-1]:
            continue
        other_inputs = set(payload.side_inputs) | set(payload.timer_family_specs)
        main, = (pc for tag, pc in transform.inputs.items() if tag not in other_inputs)
        windowing = context.windowing_strategies.get_by_id(
            proto.components.pcollections[main].windowing_strategy_id)
        payload.do_fn.payload = pickler.dumps(fn_data[:-1] + (windowing,))
        transform.spec.payload = payload.SerializeToString()
        changed += 1
    return changed


class SteadyLevelLogger(logging.Logger):
    """A logger whose level is set only when it changes.

    Beam's pickler sets dill's logger's level after every unpickling
    (``dill_pickler.loads``, Beam 2.62 with dill 0.3.1.1), ~750 times a micro-batch, and
    each ``setLevel`` empties the level cache of every logger of the process (spaCy and
    Beam hold hundreds): ~0.1 s of CPU a batch under cProfile. Setting a level it already
    has changes nothing, so that call is skipped.
    """

    def setLevel(self, level) -> None:  # noqa: N802 (logging's name)
        if level != self.level:
            super().setLevel(level)


def steady_dill_logger() -> None:
    """Give dill's logger ``SteadyLevelLogger``'s ``setLevel``; once per process is enough."""
    import dill

    log = dill.dill.log
    if type(log) is logging.Logger:
        log.__class__ = SteadyLevelLogger


class CompiledPipeline:
    """A built pipeline, translated to its portable form once and run as often as asked.

    On the local FnApiRunner (in memory, one worker: the default) each run starts from
    the saved proto through the runner's ``run_via_runner_api``, which leaves only the
    runner's own per-run work (fusing stages, starting its in-process worker, unpickling
    and setting up the DoFns). Any other runner gets ``Pipeline.run()`` on the same
    graph, which translates it again each time but still never rebuilds it.
    """

    def __init__(self, pipeline: beam.Pipeline) -> None:
        self.pipeline = pipeline
        self.options = pipeline.options
        self._proto = None
        direct = self.options.view_as(DirectOptions)
        if (type(pipeline.runner) is FnApiRunner and direct.direct_num_workers in (None, 1)
                and direct.direct_running_mode == "in_memory"):
            # What FnApiRunner.run_pipeline does to a pipeline before translating it.
            experiments = self.options.view_as(DebugOptions).experiments or []
            if "beam_fn_api" not in experiments:
                self.options.view_as(DebugOptions).experiments = [*experiments, "beam_fn_api"]
            pipeline.visit(group_by_key_input_visitor(
                not self.options.view_as(TypeOptions).allow_non_deterministic_key_coders))
            self._proto = pipeline.to_runner_api(
                default_environment=EmbeddedPythonEnvironment.default())
            with_windowing(self._proto)
            steady_dill_logger()

    def run(self):
        """Run once, to the end; the result (metrics) of this run."""
        if self._proto is None:
            result = self.pipeline.run()
            result.wait_until_finish()
            return result
        RuntimeValueProvider.set_runtime_options({})
        return FnApiRunner().run_via_runner_api(self._proto, self.options)
