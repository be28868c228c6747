"""The batch pipeline: read, repair, language, near-copies, entities, canonical names, write.

``build`` wires the stages; ``run_files`` runs them over files and folders (``copydesk
batch``); ``RecordsPipeline`` is built once and runs them over each micro-batch of records
of the streaming worker. Both write the same dataset.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from schemas.records import RawInput
from transforms import dofn_specs
from transforms.canonical import ResolveEntities
from transforms.entities import TagEntities
from transforms.language import DetectLanguage
from transforms.near_copies import FindNearCopies
from transforms.read import DEFAULT_MAX_BYTES, DecodeInputs, InputFile, ReadInputs
from transforms.repair import RepairText
from transforms.write import WriteDatePartitions, count_rows, read_columns, written_files

log = logging.getLogger(__name__)

# The package installs it only where Beam came first (Beam's workers); a pipeline's own
# process may have imported a Beam-free transforms module before Beam.
dofn_specs.install()

STATE_FOLDER = "_state"


@dataclass(frozen=True)
class BatchConfig:
    """What a run does, apart from where it reads and writes.

    ``max_bytes``: larger inputs are rejected. ``fix_names``: correct garbled entity names in
    the text itself (recorded in ``repairs``), not only in ``canonical``. ``aliases``: an
    extra alias table merged over the packaged one.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    fix_names: bool = False
    aliases: str | None = None


@dataclass
class BatchResult:
    files: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def build(raw, config: BatchConfig, output: str, stem: str, ingested_at: datetime,
          state_dir: str | None = None):
    """Every stage after reading; ``raw`` is a PCollection of ``RawInput``."""
    decoded = raw | "Read" >> DecodeInputs(ingested_at, config.max_bytes)
    repaired = decoded["articles"] | "Repair" >> RepairText()
    articles = (
        repaired["articles"]
        | "Language" >> DetectLanguage()
        | "NearCopies" >> FindNearCopies(**_near_copy_state(state_dir))
        | "Entities" >> TagEntities()
        | "CanonicalEntities" >> ResolveEntities(
            fix_names=config.fix_names, aliases=config.aliases, **_entity_state(state_dir, stem)
        )
    )
    rejects = (decoded["rejects"], repaired["rejects"]) | "AllRejects" >> beam.Flatten()
    return {"articles": articles, "rejects": rejects} | "Write" >> WriteDatePartitions(output, stem)


def _near_copy_state(state_dir: str | None) -> dict:
    if state_dir is None:
        return {}
    from transforms.near_copy_index import SqliteNearCopyIndex

    return {"index": SqliteNearCopyIndex(os.path.join(state_dir, "near_copies.sqlite"))}


def _entity_state(state_dir: str | None, stem: str) -> dict:
    if state_dir is None:
        return {}
    from transforms.entity_stats import SqliteEntityStats

    return {"stats_store": SqliteEntityStats(os.path.join(state_dir, "entity_stats.sqlite")),
            "batch_key": stem}


def pipeline_options(pipeline_args: Sequence[str]) -> PipelineOptions:
    """Beam options as given; locally the FnApiRunner unless the user chose otherwise.

    The FnApiRunner is what Beam's DirectRunner runs a batch pipeline on; naming it directly
    matters because the DirectRunner first tries its Prism runner, which it downloads at run
    time, and nothing may be downloaded at run time.
    """
    given = PipelineOptions(list(pipeline_args)).get_all_options(drop_default=True)
    defaults = []
    if not given.get("runner"):
        defaults.append("--runner=FnApiRunner")
    if not given.get("default_sdk_harness_log_level"):
        # Worker processes otherwise log every gRPC channel they open at INFO.
        defaults.append("--default_sdk_harness_log_level=WARNING")
    return PipelineOptions([*defaults, *pipeline_args])


def run_files(files: list[InputFile], output: str, stem: str, config: BatchConfig,
              pipeline_args: Sequence[str] = (), ingested_at: datetime | None = None) -> BatchResult:
    """``copydesk batch``: files in, the dataset out, replacing what this stem wrote before."""
    ingested_at = ingested_at or datetime.now(timezone.utc)
    started = time.monotonic()
    with beam.Pipeline(options=pipeline_options(pipeline_args)) as p:
        raw = p | "ReadInputs" >> ReadInputs(files, config.max_bytes)
        build(raw, config, output, stem, ingested_at)
    return _result(output, stem, time.monotonic() - started)


class RecordsPipeline:
    """The streaming worker's pipeline: built once, run once per micro-batch.

    ``run`` spools the batch (records, stem, ``ingested_at``) where the graph's first step
    reads it at run time (``pipelines.micro_batch``), so no batch rebuilds the graph.
    With ``state_dir`` the near-copy index and the entity name statistics persist there,
    so a reprint arriving in a later batch still finds its original.
    """

    def __init__(self, output: str, config: BatchConfig, pipeline_args: Sequence[str] = (),
                 state_dir: str | None = None) -> None:
        from pipelines.micro_batch import CompiledPipeline, ReadSpool, Spool

        self.output = output
        self.spool = Spool()
        p = beam.Pipeline(options=pipeline_options(pipeline_args))
        batch = p | "Records" >> ReadSpool(self.spool.path)
        build(batch["records"], config, output, beam.pvalue.AsSingleton(batch["stem"]),
              beam.pvalue.AsSingleton(batch["ingested_at"]), state_dir=state_dir)
        self._compiled = CompiledPipeline(p)

    def run(self, records: list[RawInput], file_stem: str, ingested_at: datetime) -> BatchResult:
        from pipelines.micro_batch import SpooledBatch

        started = time.monotonic()
        self.spool.put(SpooledBatch(file_stem, ingested_at, list(records)))
        self._compiled.run()
        return _result(self.output, file_stem, time.monotonic() - started)

    def close(self) -> None:
        self.spool.close()


def _result(output: str, stem: str, seconds: float) -> BatchResult:
    files = written_files(output, stem)
    result = BatchResult(files=files, seconds=seconds)
    for path in files:
        table = _table_of_path(path)
        result.counts[table] = result.counts.get(table, 0) + count_rows(output, path)
        if table == "rejects":
            reasons = read_columns(output, path, ["reason"]).column("reason").to_pylist()
            for reason in reasons:
                kind = reason_kind(reason)
                result.rejects_by_reason[kind] = result.rejects_by_reason.get(kind, 0) + 1
    for table in ("articles", "duplicates", "rejects"):
        result.counts.setdefault(table, 0)
    return result


def _table_of_path(path: str) -> str:
    return path.replace("\\", "/").rsplit("/date=", 1)[0].rsplit("/", 1)[-1]


def reason_kind(reason: str) -> str:
    """The first clause of a reject reason, which names its kind without the details."""
    for stop in (" (", ";", "."):
        head, found, _ = reason.partition(stop)
        if found:
            reason = head
    return reason.strip()


def batch_stem(inputs: Sequence[str]) -> str:
    """The same inputs (files and folders as given, made absolute) give the same file
    names, so a rerun replaces its own rows, including those of files since deleted."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted({p if "://" in p else os.path.abspath(p) for p in inputs}):
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0")
    return f"batch-{digest.hexdigest()}"
