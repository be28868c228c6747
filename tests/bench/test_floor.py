import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    "Angela Merkel met Emmanuel Macron in Paris.",
    "",
    "No names here at all.",
    *(f"Reporter {n}: Vladimir Putin spoke in Moscow while NATO met in Brussels." for n in range(70)),
]


def _report(*command: str) -> dict:
    done = subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("beam_args", [(), ("--direct_num_workers", "2", "--direct_running_mode",
                                            "multi_processing")], ids=["1 worker", "2 workers"])
def test_floor_tags_what_the_limit_tags(tmp_path, beam_args):
    # More texts than one batch of 64, so the 2-worker run splits them between workers.
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TEXTS), encoding="utf-8")
    limit = _report("bench.limit", str(path))
    floor = _report("bench.floor", str(path), *beam_args)
    assert limit["entities"] >= 3 + 70 * 4
    assert floor["entities"] == limit["entities"]
    assert floor["beam_imported"] is True
