"""Where a ``copydesk batch`` run's CPU goes, stage by stage, Beam's own work included.

``python -m bench.stage_profile CORPUS [--skip-entities] [--json PATH]`` runs ``copydesk
batch`` over CORPUS in this one process (the default runner: Beam's FnApiRunner in memory,
one worker) under a sampling profiler woken by the process's CPU time (``ITIMER_PROF``,
every 2 ms of it). Each sample charges the main thread's CPU since the last one to what
the thread is doing then:

* the stage: Beam's state tracker names the step being run ("Repair/CleanCharacters"),
  whose first part is the stage's label in ``pipelines.batch.build``; within "Entities",
  the knowledge recogniser's own code and copydesk's entity rules are counted apart from
  spaCy's;
* Beam's work between stages, from the Python frames on the stack: decoding a fused
  stage's input or encoding its output (``bundle_processor``'s data operations, the
  records' ``__reduce__``), the runner grouping encoded records by key (the shuffle), or
  Beam's frames inside a step (DoFn dispatch, its own joins and combiners);
* work outside any step: imports, loading models and indexes, building and translating
  the graph.

A long call into C (a spaCy forward pass) delays the next sample; its CPU is still charged
to it, as the charge is the thread's CPU time since the previous sample. Prints the table
(CPU milliseconds per article) and writes it as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import time
from collections import Counter
from typing import Sequence

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
INTERVAL = 0.002

# A step's first label (the stage composites of ``pipelines.batch.build``) -> its row.
STAGES = {
    "ReadInputs": "read + decode", "Read": "read + decode", "Repair": "repair",
    "Language": "language", "NearCopies": "near-copies", "NearCopyIndex": "near-copies",
    "Entities": "entities: spaCy", "CanonicalEntities": "entities: canonical names",
    "Write": "write", "AllRejects": "write", "Summary": "summary and progress",
    "Tagged": "summary and progress",
}
KNOWLEDGE_MODULES = ("gazetteer.py", "name_context.py", "knowledge.py")
MODEL_PACKAGES = ("spacy", "thinc")
ROWS = (
    "read + decode", "repair", "language", "near-copies", "entities: spaCy",
    "entities: knowledge", "entities: rules and glue", "entities: canonical names", "write",
    "summary and progress",
    "Beam: encode and decode between stages", "Beam: shuffle (the runner grouping by key)",
    "Beam: dispatch, joins and combiners inside steps",
    "fixed: imports", "fixed: model and index loading", "fixed: graph, translation, runner set-up",
)
PER_ARTICLE = ROWS[:13]
# Functions that only encode or decode a record, whoever called them.
CODING = {("records.py", "__reduce__"), ("<string>", "__init__"), ("copyreg.py", "__reduce_ex__"),
          ("copyreg.py", "__newobj__"), ("dataclasses.py", "_dataclass_getstate"),
          ("dataclasses.py", "_dataclass_setstate"), ("dataclasses.py", "fields"),
          ("dataclasses.py", "<genexpr>")}
# Of those, the ones that only encode: innermost under a DoFn's own frame, a record is
# being pickled where Beam samples the size of what a step emits.
ENCODING = {("records.py", "__reduce__"), ("copyreg.py", "__reduce_ex__"),
            ("dataclasses.py", "_dataclass_getstate")}
LOADING = frozenset({"load_model", "load_ner", "load_knowledge", "load_recogniser", "setup",
                     "load_profiles"})


class StageProfiler:
    """CPU of the main thread by row (``ROWS``) and by Beam step, from samples."""

    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self.rows: Counter = Counter()
        self.steps: Counter = Counter()
        self.samples = 0
        self._last = 0.0

    def start(self) -> None:
        self._last = time.thread_time()
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        # Ignored, not the default: a tick already raised but not yet delivered (another
        # thread may hold it blocked) would otherwise kill the process.
        signal.signal(signal.SIGPROF, signal.SIG_IGN)
        self._sample(signal.SIGPROF, sys._getframe(1))

    def _sample(self, _signum, frame) -> None:
        now = time.thread_time()
        spent, self._last = now - self._last, now
        self.samples += 1
        step = _current_step() or _decoding_for(frame)
        row = classify(_stack(frame), step)
        self.rows[row] += spent
        if step:
            self.steps[(step, row)] += spent


def _stack(frame) -> list[tuple[str, str]]:
    """(file, function) of every frame, innermost first."""
    found = []
    while frame is not None:
        found.append((frame.f_code.co_filename, frame.f_code.co_name))
        frame = frame.f_back
    return found


def _current_step() -> str | None:
    """The Beam step this thread is running, from Beam's state tracker (None outside one)."""
    sampler = sys.modules.get("apache_beam.runners.worker.statesampler")
    # A tick can land while that module is still being imported, before it defines this.
    current = getattr(sampler, "get_current_tracker", None)
    tracker = current() if current else None
    if tracker is None:
        return None
    try:
        context = tracker.current_state().name_context
    except Exception:  # a tracker between bundles has no state to give
        return None
    return getattr(context, "user_name", None) or getattr(context, "step_name", None)


def _decoding_for(frame) -> str | None:
    """The step whose input is being decoded: Beam decodes a fused stage's input before it
    enters the state of the step that consumes it."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "process_encoded" and code.co_filename.endswith("bundle_processor.py"):
            consumers = getattr(frame.f_locals.get("self"), "consumer", None) or []
            for consumer in consumers:
                context = getattr(consumer, "name_context", None)
                return getattr(context, "user_name", None) or getattr(context, "step_name", None)
            return None
        frame = frame.f_back
    return None


def classify(stack: list[tuple[str, str]], step: str | None) -> str:
    """The row a sample belongs to; ``stack`` innermost first."""
    if any(name in LOADING for path, name in stack if "apache_beam" not in path):
        return "fixed: model and index loading"
    if any(name == "_find_and_load" for _, name in stack):
        return "fixed: imports"
    in_bundle = any(os.path.basename(path) == "bundle_processor.py" for path, _ in stack)
    if step is None and not in_bundle:
        if any("fn_api_runner" in path and name in ("append", "partition", "__iter__")
               and os.path.basename(path) == "execution.py" for path, name in stack):
            return "Beam: shuffle (the runner grouping by key)"
        return "fixed: graph, translation, runner set-up"
    sized = bool(stack) and (os.path.basename(stack[0][0]), stack[0][1]) in ENCODING
    for path, name in stack:
        base = os.path.basename(path)
        if (base, name) in CODING:
            continue
        if base == "bundle_processor.py" and name in ("process", "process_encoded"):
            return "Beam: encode and decode between stages"
        if "apache_beam" in path:
            if base in ("coders.py", "coder_impl.py"):
                return "Beam: encode and decode between stages"
            return "Beam: dispatch, joins and combiners inside steps"
        if sized:
            return "Beam: encode and decode between stages"
        if step is None:  # a stage's DoFns being unpickled and set up
            return "fixed: graph, translation, runner set-up"
        row = STAGES.get(step.split("/")[0], "summary and progress")
        if row == "entities: spaCy":
            return _entities_row(stack)
        return row
    return "fixed: graph, translation, runner set-up"


def _entities_row(stack: list[tuple[str, str]]) -> str:
    """Inside the entity stage: spaCy (or thinc) below the innermost copydesk frame, else
    the knowledge recogniser's modules, else copydesk's own rules and the glue around the
    model (consistency, sports tables, companies, turning spans into entities)."""
    for path, _ in stack:
        if any(f"{os.sep}{package}{os.sep}" in path for package in MODEL_PACKAGES):
            return "entities: spaCy"
        if path.startswith(REPO_ROOT) and "site-packages" not in path:
            if os.path.basename(path) in KNOWLEDGE_MODULES:
                return "entities: knowledge"
            return "entities: rules and glue"
    return "entities: spaCy"


def table(profile: dict) -> str:
    """The profile as a markdown table: CPU ms per article, and as a share of spaCy NER."""
    articles = max(profile["articles"], 1)
    ner = profile["cpu_seconds"]["entities: spaCy"] or None
    lines = ["| where | CPU s | ms per article | of spaCy NER |", "|---|---|---|---|"]
    for row in ROWS:
        seconds = profile["cpu_seconds"][row]
        share = f"{100 * seconds / ner:.0f}%" if ner and row != "entities: spaCy" else ""
        per = f"{1000 * seconds / articles:.2f}" if row in PER_ARTICLE else "(fixed)"
        lines.append(f"| {row} | {seconds:.2f} | {per} | {share} |")
    lines.append(f"| **everything but spaCy NER, per article** | {profile['beyond_ner_seconds']:.2f} | "
                 f"{profile['beyond_ner_ms_per_article']:.2f} | "
                 f"{profile['beyond_ner_share_of_ner'] if ner else '-'} |")
    return "\n".join(lines)


def summarise(profiler: StageProfiler, articles: int, cpu_seconds: float) -> dict:
    rows = {row: round(profiler.rows.get(row, 0.0), 3) for row in ROWS}
    beyond = sum(rows[row] for row in PER_ARTICLE if row != "entities: spaCy")
    ner = rows["entities: spaCy"]
    steps: Counter = Counter()
    beam_by_stage: Counter = Counter()
    for (step, row), seconds in profiler.steps.items():
        steps[f"{row} | {step}"] += seconds
        if row.startswith("Beam"):
            beam_by_stage[_stage_label(step)] += seconds
    return {
        "articles": articles,
        "cpu_seconds": rows,
        "ms_per_article": {row: round(1000 * rows[row] / max(articles, 1), 3) for row in PER_ARTICLE},
        "beyond_ner_seconds": round(beyond, 3),
        "beyond_ner_ms_per_article": round(1000 * beyond / max(articles, 1), 3),
        "beyond_ner_share_of_ner": f"{100 * beyond / ner:.0f}%" if ner else None,
        "beyond_ner_ratio": round(beyond / ner, 4) if ner else None,
        "profiled_seconds": round(sum(rows.values()), 3),
        "process_cpu_seconds": round(cpu_seconds, 3),
        "samples": profiler.samples,
        "beam_by_stage": {key: round(value, 3) for key, value in beam_by_stage.most_common()},
        "top_steps": {key: round(value, 3) for key, value in steps.most_common()},
    }


def _stage_label(step: str) -> str:
    """A step's stage, with the canonical-name stage's two parts apart (its name evidence
    and the join of each article with it)."""
    parts = step.split("/")
    return "/".join(parts[:2]) if parts[0] == "CanonicalEntities" else parts[0]


def write_corpus(folder: str, articles: int, seed: int = 0, other_share: float = 0.15) -> str:
    """Real-size articles in several languages under ``folder``: ``bench.corpus``'s English
    news of 2-3 KB (with its reprints, exact copies, damaged and bad inputs) and, for
    ``other_share`` of them, articles of three or four ``bench.content_articles`` stories in
    one of its seven other languages."""
    from bench.content_articles import LANGUAGES, content_article
    from bench.corpus import CorpusConfig, build

    others = round(articles * other_share)
    build(os.path.join(folder, "en"), CorpusConfig(articles=articles - others, seed=seed, mean_bytes=2500))
    languages = sorted(set(LANGUAGES) - {"en"})
    os.makedirs(os.path.join(folder, "other"), exist_ok=True)
    for number in range(others):
        language = languages[number % len(languages)]
        stories = [content_article(seed * 100_000 + number * 4 + part, language, furniture=0).text
                   for part in range(3 + number % 2)]
        path = os.path.join(folder, "other", f"{language}-{number:05d}.txt")
        with open(path, "w", encoding="utf-8") as out:
            out.write("\n\n".join(stories))
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="+", help="files and folders, as copydesk batch takes them")
    parser.add_argument("--output", help="the dataset folder (default: a temporary one)")
    parser.add_argument("--skip-entities", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    profiler = StageProfiler()
    profiler.start()
    import tempfile

    from pipelines.batch import BatchConfig, batch_stem, run_files

    with tempfile.TemporaryDirectory(prefix="copydesk-stages-") as scratch:
        result = run_files(args.corpus, args.output or scratch, batch_stem(args.corpus),
                           BatchConfig(skip_entities=args.skip_entities))
        profiler.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    articles = result.counts.get("articles", 0) + result.counts.get("duplicates", 0)
    profile = summarise(profiler, articles, usage.ru_utime + usage.ru_stime)
    profile["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(table(profile))
    print("\nBeam's rows by the stage whose records they carry (CPU s): " + ", ".join(
        f"{stage} {seconds}" for stage, seconds in profile["beam_by_stage"].items()))
    print(f"\n{articles} articles; process CPU {profile['process_cpu_seconds']} s, "
          f"{profile['profiled_seconds']} s of it profiled on the main thread; load average "
          f"{profile['load_average']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(profile, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
