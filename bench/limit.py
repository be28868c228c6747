"""The benchmark's limit: spaCy's NER-only pipeline alone over the corpus's texts, in one process.

``python -m bench.limit TEXTS.jsonl`` reads one JSON string per line (the texts copydesk
decodes from the corpus, written by ``bench.run``), loads the model and tags them all, then
prints one JSON line of timings. It imports neither Beam nor copydesk's Beam transforms:
it is what a spaCy script over the same texts would cost.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    [path] = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    with open(path, encoding="utf-8") as lines:
        texts = [json.loads(line) for line in lines]
    read = time.perf_counter()
    from transforms.entities.ner import load_ner, tag

    nlp = load_ner()
    loaded = time.perf_counter()
    entities = tag(nlp, texts)
    done = time.perf_counter()
    print(json.dumps({"texts": len(texts), "entities": sum(map(len, entities)),
                      "read_seconds": round(read - started, 2),
                      "load_seconds": round(loaded - read, 2),
                      "tag_seconds": round(done - loaded, 2),
                      "beam_imported": "apache_beam" in sys.modules}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
