"""The batch pipeline: read, repair, language, near-copies, entities, canonical names, write.

``build`` wires the stages; ``run_files`` runs them over files and folders (``copydesk
batch``); ``RecordsPipeline`` is built once and runs them over each micro-batch of records
of the streaming worker. Both write the same dataset, and report what they wrote from the
pipeline's metrics.
"""

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineResult

from pipelines.runners import LOCAL_RUNNER
from pipelines.runners import pipeline_args as runner_args
from pipelines.summary import BatchResult, CountForSummary, tally
from schemas.records import RawInput
from transforms.entities.canonical import ResolveEntities
from transforms.entities.tag import TagEntities
from transforms.language.detect import DetectLanguage
from transforms.near_copies import FindNearCopies, NearCopyConfig
from transforms.reading.read import DEFAULT_MAX_BYTES, DecodeInputs, ReadInputs
from transforms.repair.repair import RepairText
from transforms.runtime import dofn_specs, progress
from transforms.state.spec import DEFAULT_NEAR_COPY_DAYS, StateSpec
from transforms.writing.write import WriteDatePartitions, WriteMicroBatch, written_rejects

log = logging.getLogger(__name__)

# The package installs it only where Beam came first (Beam's workers); a pipeline's own
# process may have imported a Beam-free transforms module before Beam.
dofn_specs.install()

STATE_FOLDER = "_state"
# Test hook: an article whose text holds this marker makes the pipeline raise after every
# stage has run (its state committed), to prove that one such record cannot stop a stream.
STAGE_FAILPOINT_ENV = "COPYDESK_STAGE_FAILPOINT"


@dataclass(frozen=True)
class BatchConfig:
    """What a run does, apart from where it reads and writes.

    ``max_bytes``: larger inputs are rejected. ``fix_names``: correct garbled entity names in
    the text itself (recorded in ``repairs``), not only in ``canonical``. ``aliases``: an
    extra alias table merged over the packaged one. ``near_copy_days``: with a state
    location, how long the near-copy index remembers an article. ``skip_entities``: leave
    out the entity and canonical-name stages (articles keep no entities), for benchmarks at
    sizes spaCy cannot reach in their time; the stages are left out of the graph itself,
    so the switch reaches any runner's workers.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    fix_names: bool = False
    aliases: str | None = None
    near_copy_days: float = DEFAULT_NEAR_COPY_DAYS
    skip_entities: bool = False


def build(raw, config: BatchConfig, output: str, stem: str, ingested_at: datetime,
          state_dir: str | None = None, micro_batch: bool = False):
    """Every stage after reading; ``raw`` is a PCollection of ``RawInput``. ``state_dir``:
    a state location (a folder or a PostgreSQL URL, see ``transforms.state.spec``).

    ``micro_batch``: the graph the streaming worker runs once per micro-batch, where each
    fused stage costs every batch the runner's set-up (docs/streaming.md): no top list of
    names (nothing prints it), near-copy clusters found by the union-find in one place
    instead of star rounds (12 stages; the answers are the same, and a micro-batch holds
    at most ``--max-batch-records`` articles), and each publisher's common lines, the
    batch's name counts and the files made in one step each instead of ten, three and
    eleven stages (the same lines, counts and files)."""
    state = StateSpec(state_dir, config.near_copy_days) if state_dir else None
    tables = prepare(raw, config, stem, ingested_at, state, micro_batch=micro_batch)
    return finish(tables, config, output, stem, state, micro_batch=micro_batch)


def prepare(raw, config: BatchConfig, stem: str, ingested_at: datetime,
            state: StateSpec | None = None, common_lines=None, micro_batch: bool = False,
            templates=None) -> dict:
    """The stages up to tagged entities: ``{"articles": Article, "rejects": Reject}``.
    A run in chunks (``pipelines.chunks``) stops here in its first pass, and gives the
    ``common_lines`` and site ``templates`` of the whole run (``transforms.state``)."""
    decoded = raw | "Read" >> DecodeInputs(ingested_at, config.max_bytes)
    repaired = decoded["articles"] | "Repair" >> RepairText(
        common_lines=common_lines, in_one_step=micro_batch)
    articles = (
        repaired["articles"]
        | "Language" >> DetectLanguage()
        | "NearCopies" >> FindNearCopies(
            NearCopyConfig(max_rounds=0) if micro_batch else NearCopyConfig(), templates)
    )
    if state is not None:
        articles = articles | "NearCopyIndex" >> _match_index(state, stem, templates)
    if not config.skip_entities:
        articles = articles | "Entities" >> TagEntities(aliases=config.aliases)
    articles = articles | "Tagged" >> beam.ParDo(progress.Tick(progress.DONE))
    rejects = (decoded["rejects"], repaired["rejects"]) | "AllRejects" >> beam.Flatten()
    return {"articles": articles, "rejects": rejects}


def finish(tables: dict, config: BatchConfig, output: str, stem: str,
           state: StateSpec | None = None, micro_batch: bool = False):
    """Canonical names, the summary's counts and the files, from ``prepare``'s tables."""
    articles = tables["articles"]
    if not config.skip_entities:
        articles = articles | "CanonicalEntities" >> ResolveEntities(
            fix_names=config.fix_names, aliases=config.aliases, **_entity_state(state, stem, micro_batch)
        )
    if os.environ.get(STAGE_FAILPOINT_ENV):
        articles = articles | "Failpoint" >> beam.Map(_fail_on, os.environ[STAGE_FAILPOINT_ENV])
    tables = {"articles": articles, "rejects": tables["rejects"]}
    _ = tables | "Summary" >> CountForSummary(top_entities=not micro_batch)
    write = WriteMicroBatch if micro_batch else WriteDatePartitions
    return tables | "Write" >> write(output, stem)


def _fail_on(article, marker: str):
    if marker in article.text:
        raise RuntimeError(f"failpoint {STAGE_FAILPOINT_ENV}: this article holds {marker!r}")
    return article


def _match_index(state: StateSpec, stem: str, templates=None) -> beam.PTransform:
    from transforms.near_copies.match_index import MatchIndex

    return MatchIndex(state.near_copy_index(), stem, near_copy_days=state.near_copy_days,
                      templates=templates)


def _entity_state(state: StateSpec | None, stem: str, micro_batch: bool) -> dict:
    if state is None:
        return {}
    return {"stats_store": state.entity_stats(), "batch_key": stem, "in_one_step": micro_batch}


class SharedViewOptions(PipelineOptions):
    """Beam's options, with one view per options class instead of one per call.

    ``view_as`` builds a fresh argument parser each time, and Beam calls it about 2,000
    times while it builds ``copydesk batch``'s graph: 0.8 of its 1.3 s of CPU
    (``bench.stage_profile``'s fixed graph cost). Views only read and write the one
    ``_all_options`` dict they share, so keeping the first view of each class changes
    nothing else.
    """

    def view_as(self, cls):
        views = self.__dict__.setdefault("_views", {})
        view = views.get(cls)
        if view is None:
            view = views[cls] = super().view_as(cls)
        return view

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_views", None)
        return state


def is_local(pipeline_args: Sequence[str]) -> bool:
    """Whether the run is on Beam's local engine (the default), which holds a run's
    collections in memory."""
    return pipeline_options(pipeline_args).view_as(StandardOptions).runner == LOCAL_RUNNER


def pipeline_options(pipeline_args: Sequence[str]) -> PipelineOptions:
    """Beam options as given, with copydesk's defaults for the runner: locally the
    FnApiRunner unless the user chose otherwise (``pipelines.runners``)."""
    return SharedViewOptions(runner_args(pipeline_args))


def run_files(inputs: Sequence[str], output: str, stem: str, config: BatchConfig,
              pipeline_args: Sequence[str] = (), ingested_at: datetime | None = None,
              chunk_size: int | None = None) -> BatchResult:
    """``copydesk batch``: files and folders in (as given: the workers list them), the
    dataset out, replacing what this stem wrote before. On the local runner, more than
    ``chunk_size`` inputs (default ``chunks.DEFAULT_CHUNK_SIZE``) go through in chunks
    of that many, with the same rows as one pass (``pipelines.chunks``)."""
    from pipelines.chunks import DEFAULT_CHUNK_SIZE, run_in_chunks

    ingested_at = ingested_at or datetime.now(timezone.utc)
    if is_local(pipeline_args):
        found = run_in_chunks(inputs, output, stem, config, pipeline_args, ingested_at,
                              chunk_size or DEFAULT_CHUNK_SIZE)
        if found is not None:
            return found
    started = time.monotonic()
    with beam.Pipeline(options=pipeline_options(pipeline_args)) as p:
        raw = p | "ReadInputs" >> ReadInputs(inputs, config.max_bytes)
        build(raw, config, output, stem, ingested_at)
    return _result(p.result, time.monotonic() - started)


class SpooledGraph:
    """A graph built once and run once per batch of records, which it reads when it runs
    from a spool (``pipelines.stream.micro_batch``): nothing batch-specific is in the graph.

    ``wire(records, stem, ingested_at)`` adds the stages; ``stem`` and ``ingested_at``
    reach them as side inputs.
    """

    def __init__(self, wire: Callable, pipeline_args: Sequence[str] = ()) -> None:
        from pipelines.stream.micro_batch import CompiledPipeline, ReadSpool, Spool

        self.spool = Spool()
        p = beam.Pipeline(options=pipeline_options(pipeline_args))
        batch = p | "Records" >> ReadSpool(self.spool.path)
        wire(batch["records"], beam.pvalue.AsSingleton(batch["stem"]),
             beam.pvalue.AsSingleton(batch["ingested_at"]))
        self._compiled = CompiledPipeline(p)

    def run(self, records: list, stem: str, ingested_at: datetime) -> PipelineResult:
        from pipelines.stream.micro_batch import SpooledBatch

        self.spool.put(SpooledBatch(stem, ingested_at, list(records)))
        return self._compiled.run()

    def close(self) -> None:
        self.spool.close()


class RecordsPipeline:
    """The streaming worker's pipeline: built once, run once per micro-batch.

    ``run`` spools the batch (records, stem, ``ingested_at``) where the graph's first step
    reads it at run time (``SpooledGraph``), so no batch rebuilds the graph.
    With ``state_dir`` (a folder or a PostgreSQL URL) the near-copy index and the entity
    name statistics persist there, so a reprint arriving in a later batch, or at the same
    moment on another worker, still finds its original.
    """

    def __init__(self, output: str, config: BatchConfig, pipeline_args: Sequence[str] = (),
                 state_dir: str | None = None) -> None:
        self.output = output
        self._graph = SpooledGraph(
            lambda records, stem, ingested_at: build(
                records, config, output, stem, ingested_at, state_dir=state_dir,
                micro_batch=True),
            pipeline_args)

    def run(self, records: list[RawInput], file_stem: str, ingested_at: datetime) -> BatchResult:
        started = time.monotonic()
        result = self._graph.run(records, file_stem, ingested_at)
        found = _result(result, time.monotonic() - started)
        if found.counts.get("rejects"):
            # The streaming worker reads its rejects back for the dead-letter topic.
            found.files = written_rejects(self.output, file_stem, ingested_at)
        return found

    def close(self) -> None:
        self._graph.close()


def _result(result: PipelineResult, seconds: float, files: Sequence[str] = ()) -> BatchResult:
    """What the run wrote, from its committed metrics: nothing written is read back."""
    found = tally(result.metrics(), seconds)
    found.files = list(files)
    return found


def batch_stem(inputs: Sequence[str]) -> str:
    """The same inputs (files and folders as given, made absolute) give the same file
    names, so a rerun replaces its own rows, including those of files since deleted."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted({p if "://" in p else os.path.abspath(p) for p in inputs}):
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0")
    return f"batch-{digest.hexdigest()}"
