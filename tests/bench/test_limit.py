import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_limit_tags_every_text_without_beam(tmp_path):
    texts = ["Angela Merkel met Emmanuel Macron in Paris.", "", "No names here at all."]
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bench.limit", str(path)], cwd=REPO,
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["texts"] == 3
    assert report["entities"] >= 3
    assert report["beam_imported"] is False
