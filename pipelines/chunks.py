"""``copydesk batch`` over a corpus larger than memory: its inputs in chunks, in rank order.

Beam's local runner holds every collection of a run in memory, so a whole-corpus run
grows with the corpus (about 41 MB per 1,000 articles). A run of more than
``chunk_size`` inputs instead goes through them ``chunk_size`` at a time, with one graph
built once and run once per chunk (``SpooledGraph``), and keeps between chunks the state
the streaming worker keeps between micro-batches (``transforms.state``, SQLite files in
``OUT/_state/chunks-STEM``). Its rows are those of a whole-corpus run:

* Near-copies: an article already in the index stays canonical, and a whole-corpus run
  makes the lowest ``rank`` canonical (earliest ``published_at``, then ``order``, then
  id). So the chunks follow that rank: a first pass reads every input once and files it,
  under its rank, in a SQLite table on disk (``ChunkPlan``), which hands them back in
  that order; no later chunk holds an article that ranks before one already indexed.
* Canonical names use the counts of the whole corpus. With entities each chunk runs
  twice: the first graph tags it (NER once), adds its mention counts to the store and
  spills the tagged articles to disk; once every chunk is counted, the second graph
  resolves each chunk's names against the store, which then holds every chunk's counts,
  and writes it.
* Boilerplate: the lines a publisher repeats are counted over the whole run in the first
  pass (``transforms.state.common_lines``), and each chunk's repair removes those.
* Site templates: once the lines are counted, each publisher's template is learnt from
  the sample a whole-corpus run takes (the articles whose ids hash lowest), repaired as
  the chunks will repair them (``transforms.state.site_templates``); each chunk's
  near-copy confirmation and the near-copy index both compare shingles without them, so
  a copy of an earlier chunk's article has the ``similarity`` of a whole-corpus run.

A run of at most ``chunk_size`` inputs, and a run on any runner other than the local
one, is one pass as before (``batch.run_files``).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import shutil
import sqlite3
import tempfile
import time
import uuid
from contextlib import closing
from itertools import islice
from datetime import datetime
from typing import Iterable, Iterator, Sequence

import apache_beam as beam

from pipelines.batch import (
    STATE_FOLDER,
    BatchConfig,
    SpooledGraph,
    _result,
    finish,
    prepare,
)
from pipelines.summary import BatchResult
from schemas.records import Article, RawInput, Reject, stable_id
from transforms.entities.canonical import batch_counts, store_counts
from transforms.near_copies import NearCopyConfig, minhash
from transforms.near_copies.fingerprints import fingerprints, publisher, rank
from transforms.near_copies.templates import sample_digest, template_of
from transforms.reading.envelope import InvalidInput
from transforms.reading.paths import open_input
from transforms.reading.read import InputFile, ReadFiles, is_lines, list_inputs, to_article
from transforms.repair.repair import RepairConfig, counted_lines, repair_text
from transforms.state.common_lines import SqliteCommonLines
from transforms.state.site_templates import SqliteTemplates
from transforms.state.spec import StateSpec
from transforms.writing.write import chunk_stem, filesystem, stale_files, stem_pattern

log = logging.getLogger(__name__)

# At about 41 MB per 1,000 articles (``bench.memory_growth``), a chunk stays near 200 MB
# over the process's own; the tests, the seeds and the golden rows are one chunk.
DEFAULT_CHUNK_SIZE = 5_000
PLAN_FILE = "plan.sqlite"
LINES_FILE = "common_lines.sqlite"
TEMPLATES_FILE = "templates.sqlite"
NEAR_COPIES = NearCopyConfig()
REPAIR = RepairConfig()
SPILL_FOLDER = "spill"
TABLES = ("articles", "rejects")


def count_inputs(files: Iterable[InputFile]) -> int:
    """How many inputs the files hold: one per file, one per line of a JSON Lines file
    (counted from its newlines, without decoding it)."""
    total = 0
    for item in files:
        if not is_lines(item.source):
            total += 1
            continue
        last = b"\n"
        try:
            with open_input(item.path) as handle:
                while block := handle.read(1 << 20):
                    total += block.count(b"\n")
                    last = block[-1:]
        except Exception:  # noqa: BLE001 - a damaged archive: its reject is one input more
            last = b""
        total += last != b"\n"
    return total


NO_SITE = ("", b"")


def survey(item: RawInput, ingested_at: datetime,
           max_bytes: int) -> tuple[tuple, tuple | None, tuple[str, bytes]]:
    """The input decoded as the pipeline will decode it: its ``rank`` without the index
    flag (no date, seconds, order, id), what the run's count of common lines keeps of
    it (``repair.counted_lines``), and its place in its publisher's template sample
    (publisher, ``sample_digest``); None and ``NO_SITE`` for an input that will be
    rejected, which ranks by what it has and is never a copy."""
    try:
        article = to_article(item, ingested_at, max_bytes)
    except InvalidInput:
        article = Article(id=stable_id(item.source, item.raw), source=item.source, text="",
                          ingested_at=ingested_at, order=item.order or item.source)
        return rank(article)[1:], None, NO_SITE
    site = publisher(article)
    return (rank(article)[1:], counted_lines(article, REPAIR.boilerplate),
            (site, sample_digest(article.id)) if site else NO_SITE)


def repaired(item: RawInput, lines: SqliteCommonLines, ingested_at: datetime,
             max_bytes: int) -> Article | None:
    """The article as a chunk's repair will leave it; None if it will be rejected."""
    try:
        article = to_article(item, ingested_at, max_bytes)
    except InvalidInput:
        return None
    site, _, short = counted_lines(article, REPAIR.boilerplate)
    _, text, _ = repair_text(article.text, REPAIR, lines.common(site, short), article.title)
    return dataclasses.replace(article, text=text) if text.strip() else None


class ChunkPlan:
    """Every input of a run, on disk in a SQLite table, handed back in rank order."""

    def __init__(self, path: str) -> None:
        self.path = path
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS inputs (undated INTEGER, seconds REAL,"
                       " ord TEXT, id TEXT, record BLOB, site TEXT, digest BLOB)")
            # Reading in this index's order needs no sort in memory.
            db.execute("CREATE INDEX IF NOT EXISTS by_rank ON inputs (undated, seconds, ord, id)")
            db.execute("CREATE INDEX IF NOT EXISTS by_site ON inputs (site, digest)")

    def add(self, ranked: Iterable[tuple[tuple, RawInput]],
            sites: Iterable[tuple[str, bytes]] | None = None) -> None:
        """(rank, input) pairs, and each one's (publisher, sample digest) if it has one."""
        ranked = list(ranked)
        sites = [NO_SITE] * len(ranked) if sites is None else list(sites)
        rows = [(*key, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL), *site)
                for (key, item), site in zip(ranked, sites, strict=True)]
        with closing(sqlite3.connect(self.path)) as db, db:
            db.executemany("INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def __len__(self) -> int:
        with closing(sqlite3.connect(self.path)) as db:
            return db.execute("SELECT count(*) FROM inputs").fetchone()[0]

    def chunks(self, size: int) -> Iterator[list[RawInput]]:
        with closing(sqlite3.connect(self.path)) as db:
            cursor = db.execute("SELECT record FROM inputs ORDER BY undated, seconds, ord, id")
            while rows := cursor.fetchmany(size):
                yield [pickle.loads(row[0]) for row in rows]

    def sites(self, at_least: int) -> list[str]:
        """The publishers with at least this many inputs."""
        with closing(sqlite3.connect(self.path)) as db:
            return [row[0] for row in db.execute(
                "SELECT site FROM inputs WHERE site != '' GROUP BY site HAVING count(*) >= ?"
                " ORDER BY site", (at_least,))]

    def of_site(self, site: str) -> Iterator[RawInput]:
        """A publisher's inputs, lowest sample digest first."""
        with closing(sqlite3.connect(self.path)) as db:
            cursor = db.execute("SELECT record FROM inputs WHERE site = ? ORDER BY digest", (site,))
            while rows := cursor.fetchmany(100):
                yield from (pickle.loads(row[0]) for row in rows)


def file_inputs(items: Iterable[RawInput], plan: ChunkPlan, lines: SqliteCommonLines,
                ingested_at: datetime, max_bytes: int) -> int:
    """Decode every input once: file it in the plan under its rank, count its lines."""
    items = iter(items)
    while part := list(islice(items, 1000)):
        surveyed = [survey(item, ingested_at, max_bytes) for item in part]
        plan.add(((key, item) for (key, _, _), item in zip(surveyed, part)),
                 (site for _, _, site in surveyed))
        lines.add(found for _, found, _ in surveyed if found is not None)
    lines.settle(REPAIR.boilerplate)
    return len(plan)


def learn_templates(plan: ChunkPlan, lines: SqliteCommonLines, templates: SqliteTemplates,
                    ingested_at: datetime, max_bytes: int,
                    config: NearCopyConfig = NEAR_COPIES) -> int:
    """Each publisher's site template from the sample ``FindNearCopies`` takes in a run in
    one pass (its ``template_sample`` repaired articles whose ids hash lowest), into
    ``templates``; how many publishers have one. Needs the run's lines settled."""
    found: list[tuple[str, bytes]] = []
    if config.template_share is not None:
        hasher = minhash.MinHasher(config.bands, config.rows, config.seed)
        for site in plan.sites(config.template_min_articles):
            articles = (repaired(item, lines, ingested_at, max_bytes) for item in plan.of_site(site))
            sample = list(islice(filter(None, articles), config.template_sample))
            prints = fingerprints(sample, config, hasher)
            found.extend(template_of((site, [(None, fp.shingles) for fp in prints]), config))
    templates.add(found)
    return len(found)


def read_inputs(files: Iterable[InputFile], max_bytes: int) -> Iterator[RawInput]:
    """The inputs exactly as the pipeline's ``ReadInputs`` reads them, on this machine."""
    reader = ReadFiles(max_bytes)
    for item in files:
        yield from reader.process(item)


class SpillRecords(beam.DoFn):
    """A chunk's records into a pickle file per bundle under ``folder/STEM/table``, where
    the chunk's second pass reads them; the stem comes at run time."""

    def __init__(self, folder: str, table: str) -> None:
        self.folder = folder
        self.table = table

    def start_bundle(self) -> None:
        self._handle = None

    def process(self, record, stem: str) -> None:
        if self._handle is None:
            folder = os.path.join(self.folder, stem, self.table)
            os.makedirs(folder, exist_ok=True)
            self._handle = open(os.path.join(folder, f"{uuid.uuid4().hex}.pickle"), "wb")
        pickle.dump(record, self._handle, protocol=pickle.HIGHEST_PROTOCOL)

    def finish_bundle(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def load_spilled(folder: str, table: str, stem: str) -> Iterator[Article | Reject]:
    """What ``SpillRecords`` wrote for one chunk and table."""
    where = os.path.join(folder, stem, table)
    for name in sorted(os.listdir(where)) if os.path.isdir(where) else ():
        with open(os.path.join(where, name), "rb") as handle:
            while True:
                try:
                    yield pickle.load(handle)
                except EOFError:
                    break


class ChunkedRun:
    """The graphs of a chunked run, built once, and the state and spill they share."""

    def __init__(self, output: str, config: BatchConfig, pipeline_args: Sequence[str],
                 state_dir: str, lines: SqliteCommonLines, templates: SqliteTemplates) -> None:
        self.output = output
        self.config = config
        self.lines = lines
        self.templates = templates
        state = StateSpec(state_dir, config.near_copy_days)
        self.spill = os.path.join(state_dir, SPILL_FOLDER)
        if config.skip_entities:
            # Nothing waits for the whole corpus: one graph reads, marks and writes.
            self.tag = SpooledGraph(
                lambda records, stem, at: finish(
                    prepare(records, config, stem, at, state, lines, templates=templates),
                    config, output, stem, state),
                pipeline_args)
            self.resolve = None
            return
        self.tag = SpooledGraph(lambda records, stem, at: self._tag(records, stem, at, state),
                                pipeline_args)
        self.resolve = SpooledGraph(
            lambda records, stem, at: self._resolve(records, stem, state), pipeline_args)

    def _tag(self, records, stem, ingested_at, state: StateSpec) -> None:
        tables = prepare(records, self.config, stem, ingested_at, state, self.lines,
                         templates=self.templates)
        _ = batch_counts(tables["articles"]) | "Store counts" >> beam.Map(
            store_counts, state.entity_stats(), stem)
        for table in TABLES:
            _ = tables[table] | f"Spill {table}" >> beam.ParDo(
                SpillRecords(self.spill, table), stem)

    def _resolve(self, records, stem, state: StateSpec) -> None:
        # The spool holds no records here: the chunk's tagged articles are in its spill.
        tables = {
            table: records.pipeline
            | f"Start {table}" >> beam.Create([self.spill])
            | f"Spilled {table}" >> beam.FlatMap(load_spilled, table, stem)
            for table in TABLES
        }
        finish(tables, self.config, self.output, stem, state)

    def run(self, chunks: Iterable[list[RawInput]], stem: str,
            ingested_at: datetime) -> tuple[BatchResult, list[str]]:
        """Every chunk through the graphs; the counts of them all, and the chunks' stems."""
        stems: list[str] = []
        found = BatchResult()
        for number, records in enumerate(chunks, start=1):
            stems.append(chunk_stem(stem, number))
            result = self.tag.run(records, stems[-1], ingested_at)
            log.info("chunk %d: %d inputs %s", number, len(records),
                     "written" if self.resolve is None else "tagged")
            if self.resolve is None:
                add(found, _result(result, 0.0))
        if self.resolve is not None:
            for number, chunk in enumerate(stems, start=1):
                add(found, _result(self.resolve.run([], chunk, ingested_at), 0.0))
                shutil.rmtree(os.path.join(self.spill, chunk), ignore_errors=True)
                log.info("chunk %d: names resolved and written", number)
        return found, stems

    def close(self) -> None:
        for graph in (self.tag, self.resolve):
            if graph is not None:
                graph.close()


def add(total: BatchResult, part: BatchResult) -> None:
    """Sum one chunk's counts into the run's. The top entities are the sum of each chunk's
    own top list: a name frequent in every chunk tops it, as in a whole-corpus run."""
    for into, counts in ((total.counts, part.counts), (total.languages, part.languages),
                         (total.rejects_by_reason, part.rejects_by_reason),
                         (total.entities, part.entities)):
        for key, n in counts.items():
            into[key] = into.get(key, 0) + n


def chunk_state_dir(output: str, stem: str) -> str:
    """Where a chunked run keeps its state: under the output when it is a local folder,
    else in the temporary folder (SQLite needs a local disk)."""
    if "://" in output:
        return os.path.join(tempfile.gettempdir(), f"copydesk-chunks-{stem}")
    return os.path.join(output, STATE_FOLDER, f"chunks-{stem}")


def run_in_chunks(inputs: Sequence[str], output: str, stem: str, config: BatchConfig,
                  pipeline_args: Sequence[str], ingested_at: datetime,
                  chunk_size: int) -> BatchResult | None:
    """The run in chunks of ``chunk_size`` inputs; None when the inputs are one chunk."""
    files = list_inputs(inputs)
    if count_inputs(files) <= chunk_size:
        return None
    state_dir = chunk_state_dir(output, stem)
    # A run killed before the end left its state: it must not count twice.
    shutil.rmtree(state_dir, ignore_errors=True)
    os.makedirs(state_dir)
    try:
        started = time.monotonic()
        plan = ChunkPlan(os.path.join(state_dir, PLAN_FILE))
        lines = SqliteCommonLines(os.path.join(state_dir, LINES_FILE))
        total = file_inputs(read_inputs(files, config.max_bytes), plan, lines, ingested_at,
                            config.max_bytes)
        templates = SqliteTemplates(os.path.join(state_dir, TEMPLATES_FILE))
        learnt = learn_templates(plan, lines, templates, ingested_at, config.max_bytes)
        log.info("%d inputs ranked, %d site templates learnt in %.1f s; %d chunks of up to %d",
                 total, learnt, time.monotonic() - started, -(-total // chunk_size), chunk_size)
        run = ChunkedRun(output, config, pipeline_args, state_dir, lines, templates)
        try:
            found, stems = run.run(plan.chunks(chunk_size), stem, ingested_at)
        finally:
            run.close()
        remove_unwritten(output, stem, stems)
        found.seconds = time.monotonic() - started
        return found
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def remove_unwritten(output: str, stem: str, chunks: Sequence[str]) -> None:
    """Delete the files of this stem that are no chunk's of this run: an earlier run's
    chunks beyond this one's last, or its files from a run in one pass. (Each chunk's
    writer already replaced that chunk's earlier files.)"""
    fs, root = filesystem(output)
    ours = [stem_pattern(chunk) for chunk in chunks]
    for path in stale_files(fs, root, stem, keep=set(), temporary=True):
        name = path.rsplit("/", 1)[-1]
        if not any(pattern.fullmatch(name) for pattern in ours):
            fs.delete_file(path)
