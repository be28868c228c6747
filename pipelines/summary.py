"""The few lines a person reads at the end of a run, from the pipeline's own metrics.

``CountForSummary`` counts while the pipeline runs (languages and reasons per row, the
most frequent entities once); ``tally`` reads the committed counters back from the
pipeline result, so nothing written is read again.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter

from schemas.records import Article, Reject
from transforms.runtime import progress

TOP_ENTITIES = 8
TABLES = ("articles", "duplicates", "rejects")
# Counter namespaces; each holds a bounded set of names: the three tables, the kinds of
# reject reason, the detector's languages, and TOP_ENTITIES entity names.
ROWS = "rows"
LANGUAGES = "copydesk.languages"
REJECTS = "copydesk.rejects"
ENTITIES = "copydesk.top_entities"


@dataclass
class BatchResult:
    """What a run wrote, as its metrics tell it. ``files``: the dataset files of the run,
    where the caller lists them (the streaming worker reads its rejects back)."""

    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    entities: dict[tuple[str, str], int] = field(default_factory=dict)
    seconds: float = 0.0


def reason_kind(reason: str) -> str:
    """The first clause of a reject reason, which names its kind without the details."""
    for stop in (" (", ";", "."):
        head, found, _ = reason.partition(stop)
        if found:
            reason = head
    return reason.strip()


def entity_names(article: Article) -> set[tuple[str, str]]:
    """An entity once per article: a name repeated ten times in one story says less than
    a name found in ten stories."""
    return {(e.canonical or e.text, e.label) for e in article.entities}


class CountArticle(beam.DoFn):
    """Languages of the articles (duplicates apart); their entities for the top list."""

    def process(self, article: Article) -> Iterator[tuple[str, str]]:
        if article.duplicate_of:
            return
        Metrics.counter(LANGUAGES, article.language or "und").inc()
        yield from entity_names(article)


def count_reject(reject: Reject) -> None:
    Metrics.counter(REJECTS, reason_kind(reject.reason)).inc()
    progress.add(progress.DONE)


def report_top(top: list[tuple[int, tuple[str, str]]]) -> None:
    for n, name in top:
        Metrics.counter(ENTITIES, json.dumps(list(name))).inc(n)


class CountForSummary(beam.PTransform):
    """``{"articles": Article, "rejects": Reject}`` in; counters out, nothing else.
    ``top_entities`` (True): also count the most frequent entity names, for the summary
    ``copydesk batch`` prints."""

    def __init__(self, top_entities: bool = True) -> None:
        super().__init__()
        self.top_entities = top_entities

    def expand(self, tables):
        _ = tables["rejects"] | "Count rejects" >> beam.Map(count_reject)
        names = tables["articles"] | "Count articles" >> beam.ParDo(CountArticle())
        if not self.top_entities:
            return tables["articles"].pipeline
        _ = (
            names
            | "Count entities" >> beam.combiners.Count.PerElement()
            | "Most frequent" >> beam.combiners.Top.Of(TOP_ENTITIES, key=lambda kv: (kv[1], kv[0]))
            | "As count, name" >> beam.Map(lambda top: [(n, name) for name, n in top])
            | "Report top" >> beam.Map(report_top)
        )
        return tables["articles"].pipeline


def tally(metrics, seconds: float) -> BatchResult:
    """The committed counters of a finished run (``PipelineResult.metrics()``)."""
    found = BatchResult(counts=dict.fromkeys(TABLES, 0), seconds=seconds)
    into = {ROWS: found.counts, REJECTS: found.rejects_by_reason, LANGUAGES: found.languages}
    for result in metrics.query(MetricsFilter())["counters"]:
        namespace, name, value = result.key.metric.namespace, result.key.metric.name, result.committed
        if namespace == ENTITIES:
            found.entities[tuple(json.loads(name))] = value
        elif namespace in into and value:
            into[namespace][name] = into[namespace].get(name, 0) + value
    return found


def summarise(found: BatchResult, output: str) -> str:
    counts = found.counts
    total = sum(counts.values())
    seconds = found.seconds
    rate = total / seconds if seconds else 0.0
    lines = [
        f"copydesk wrote {output}",
        f"  articles    {counts.get('articles', 0)}",
        f"  duplicates  {counts.get('duplicates', 0)}",
        f"  rejects     {counts.get('rejects', 0)}",
    ]
    for reason, n in _ranked(found.rejects_by_reason):
        lines.append(f"    {n:>5}  {reason}")
    if found.languages:
        lines.append("  languages   " + ", ".join(f"{k} {v}" for k, v in _ranked(found.languages)))
    if found.entities:
        top = ", ".join(f"{name} ({label}) {n}" for (name, label), n in _ranked(found.entities))
        lines.append(f"  top entities {top}")
    lines.append(f"  wall time   {seconds:.1f} s ({rate:.1f} inputs/s)")
    return "\n".join(lines)


def _ranked(counts: dict) -> list:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
