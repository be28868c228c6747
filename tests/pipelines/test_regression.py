"""The whole batch pipeline gives the same rows as the recorded run, on the seeds and on a
generated corpus of every kind of input (reprints, damage, legacy encodings, bad inputs).

The recorded rows live in ``tests/pipelines/golden/``. A change that means to alter them
rewrites them with ``python -m tests.pipelines.test_regression`` and says why in its commit;
any other difference is a regression.
"""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from bench.corpus import CorpusConfig, build
from pipelines.batch import BatchConfig, batch_stem, run_files
from schemas.arrow import dataset_schema

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"
WHEN = datetime(2026, 12, 1, tzinfo=timezone.utc)
CORPUS = CorpusConfig(articles=80, seed=7)

pytestmark = pytest.mark.slow


def rows(output: Path) -> dict[str, list[dict]]:
    """Every table's rows, in id order, as JSON-ready values (bytes as hex)."""
    found = {}
    for table in ("articles", "duplicates", "rejects"):
        path = output / table
        if not path.is_dir():
            found[table] = []
            continue
        read = ds.dataset(str(path), schema=dataset_schema(table), format="parquet",
                          partitioning="hive").to_table().to_pylist()
        found[table] = sorted((_plain(row) for row in read), key=lambda r: (r["id"], r["source"]))
    return found


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 5)
    return value


def run(inputs: list[str], output: Path) -> dict[str, list[dict]]:
    # Sources are named relative to the inputs given, so the rows do not depend on where
    # the run happens; the stem (file names) does, and is not part of the rows.
    run_files(inputs, str(output), batch_stem(inputs), BatchConfig(), ingested_at=WHEN)
    return rows(output)


def seeds_rows(work: Path) -> dict[str, list[dict]]:
    return run([str(SEEDS)], work / "seeds-out")


def corpus_rows(work: Path) -> dict[str, list[dict]]:
    folder = work / "corpus"
    build(str(folder), CORPUS)
    return run([str(folder)], work / "corpus-out")


CASES = {"seeds": seeds_rows, "corpus": corpus_rows}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rows_are_the_recorded_rows(name, tmp_path):
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    got = CASES[name](tmp_path)
    assert {t: len(r) for t, r in got.items()} == {t: len(r) for t, r in expected.items()}
    for table, table_rows in expected.items():
        for want, have in zip(table_rows, got[table]):
            assert have == want, f"{table} row {want['id']} ({want['source']}) changed"


def main() -> int:
    """Rewrite the recorded rows from this code."""
    import tempfile

    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name, make in CASES.items():
            (GOLDEN / f"{name}.json").write_text(
                json.dumps(make(Path(work)), ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                encoding="utf-8")
            print(f"wrote {GOLDEN / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
