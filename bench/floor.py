"""The benchmark's floor: the cheapest Beam pipeline that runs the limit's NER, and nothing else.

``python -m bench.floor TEXTS.jsonl [BEAM ARGS]`` reads the same texts as ``bench.limit``
(inside the pipeline), spreads them (``Reshuffle``, so that ``--direct_num_workers 2`` gives
both workers some), tags them in fixed batches of 64 with one DoFn that loads the model in
``setup`` and calls the same ``transforms.entities.ner.tag``, and writes the number of entities to a
file it reads back. No copydesk stage runs, so its cost over the limit is what the Beam
runner itself costs (import, graph, workers, hand-offs): about the most a Beam pipeline
doing the same NER can reach on this runner. Prints one JSON line like the limit's.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from typing import Iterator

BATCH = 64


def main(argv: list[str] | None = None) -> int:
    path, *beam_args = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.runners import LOCAL_RUNNER

    imported = time.perf_counter()
    handle, total_path = tempfile.mkstemp(prefix="copydesk-floor-")
    os.close(handle)

    class TagBatch(beam.DoFn):
        def setup(self) -> None:
            from transforms.entities.ner import load_ner

            self.nlp = load_ner()

        def process(self, batch: list[str]) -> Iterator[int]:
            from transforms.entities.ner import tag

            yield sum(map(len, tag(self.nlp, batch)))

    # Named, like copydesk's own runs, because the DirectRunner would first try to download
    # its Prism runner.
    options = PipelineOptions([f"--runner={LOCAL_RUNNER}", "--default_sdk_harness_log_level=WARN",
                               *beam_args])
    try:
        with beam.Pipeline(options=options) as pipeline:
            (
                pipeline
                | "Path" >> beam.Create([path], reshuffle=False)
                | "Texts" >> beam.FlatMap(_texts)
                | "Spread" >> beam.Reshuffle()
                | "Batch" >> beam.BatchElements(min_batch_size=BATCH, max_batch_size=BATCH)
                | "Tag" >> beam.ParDo(TagBatch())
                | "Total" >> beam.CombineGlobally(sum)
                | "Keep" >> beam.Map(_write, total_path)
            )
        done = time.perf_counter()
        with open(total_path, encoding="utf-8") as total:
            entities = int(total.read())
    finally:
        os.remove(total_path)
    print(json.dumps({"entities": entities,
                      "import_seconds": round(imported - started, 2),
                      "seconds": round(done - started, 2), "beam_imported": "apache_beam" in sys.modules}))
    return 0


def _texts(path: str) -> Iterator[str]:
    """Read inside the pipeline: texts given to ``Create`` would be pickled and
    bz2-compressed into the pipeline's description (seconds for a few megabytes)."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _write(total: int, path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(str(total))


if __name__ == "__main__":
    sys.exit(main())
