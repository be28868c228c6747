"""The end-of-run summary comes from the pipeline's metrics: a real pipeline writes real
Parquet, and the counts it reports match what was written."""

from datetime import datetime, timezone

import apache_beam as beam
import pyarrow.dataset as ds
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.runners import LOCAL_RUNNER
from pipelines.summary import TOP_ENTITIES, CountForSummary, reason_kind, summarise, tally
from schemas.records import Article, Entity, Reject
from transforms.writing.write import WriteDatePartitions

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)


def article(n, language, names, duplicate_of=None):
    entities = [Entity(name, label, 0, 1, canonical=None, kb_id=None) for name, label in names]
    return Article(id=f"a{n:03d}", source=f"{n}.txt", text="x", ingested_at=NOW, language=language,
                   entities=entities, duplicate_of=duplicate_of, similarity=0.9 if duplicate_of else None)


def run(articles, rejects, output):
    p = beam.Pipeline(options=PipelineOptions([f"--runner={LOCAL_RUNNER}"]))
    tables = {"articles": p | "A" >> beam.Create(articles), "rejects": p | "R" >> beam.Create(rejects)}
    _ = tables | CountForSummary()
    _ = tables | WriteDatePartitions(str(output), "batch-t")
    result = p.run()
    result.wait_until_finish()
    return tally(result.metrics(), seconds=2.0)


def test_the_summary_counts_what_was_written_without_reading_it(tmp_path):
    kyiv, nato = ("Kyiv", "GPE"), ("NATO", "ORG")
    articles = [
        article(1, "en", [kyiv, kyiv, nato]),  # a name twice in one article counts once
        article(2, "en", [kyiv]),
        article(3, "uk", [kyiv, nato]),
        article(4, "en", [kyiv, nato], duplicate_of="a001"),  # duplicates are not counted
    ] + [article(10 + i, "de", [(f"Person {i}", "PERSON")]) for i in range(TOP_ENTITIES)]
    rejects = [Reject("r1", "e.txt", "The input is empty or only whitespace, so there is no article.",
                      b"", NOW),
               Reject("r2", "b.json", "The input is not valid JSON (Expecting value at line 1 column 1); "
                      "fix it or remove it.", b"{", NOW),
               Reject("r3", "c.json", "The input is not valid JSON (Unterminated string at line 1 "
                      "column 9); fix it or remove it.", b'{"a', NOW)]
    found = run(articles, rejects, tmp_path)
    written = {t: ds.dataset(tmp_path / t, format="parquet").count_rows()
               for t in ("articles", "duplicates", "rejects")}
    assert found.counts == written == {"articles": 11, "duplicates": 1, "rejects": 3}
    assert found.rejects_by_reason == {"The input is not valid JSON": 2,
                                       "The input is empty or only whitespace, so there is no article": 1}
    assert found.languages == {"en": 2, "uk": 1, "de": TOP_ENTITIES}
    assert len(found.entities) == TOP_ENTITIES
    assert found.entities[kyiv] == 3 and found.entities[nato] == 2
    text = summarise(found, str(tmp_path))
    assert "articles    11" in text and "languages   de 8, en 2, uk 1" in text
    assert "top entities Kyiv (GPE) 3, NATO (ORG) 2, Person" in text
    assert "wall time   2.0 s (7.5 inputs/s)" in text


def test_reason_kind_is_the_first_clause():
    assert reason_kind("The file type is not supported; give articles as .txt.") == \
        "The file type is not supported"
    assert reason_kind("The input is larger than the 5 MiB limit; raise --max-bytes (raw keeps ...).") == \
        "The input is larger than the 5 MiB limit"
