import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.stage_profile import PER_ARTICLE, ROWS, classify

REPO = Path(__file__).resolve().parents[2]
BEAM = "/venv/lib/python3.11/site-packages/apache_beam"
RUNNER = f"{BEAM}/runners/portability/fn_api_runner"
OWN = str(REPO / "transforms")


def frames(*pairs):
    return [(path, name) for path, name in pairs]


def test_beams_data_operations_are_encoding_and_decoding_whatever_step_is_running():
    decoding = frames((f"{BEAM}/runners/worker/bundle_processor.py", "process_encoded"),
                      (f"{BEAM}/runners/worker/sdk_worker.py", "process_bundle"))
    # An article being rebuilt while it is decoded is still decoding.
    rebuilt = frames((str(REPO / "schemas/records.py"), "__reduce__"), *decoding)
    for stack in (decoding, rebuilt):
        assert classify(stack, "Repair/CleanCharacters") == "Beam: encode and decode between stages"


def test_a_record_built_by_a_stage_is_the_stages_work_and_one_pickled_is_encoding():
    built = frames(("<string>", "__init__"), ("/usr/lib/python3.11/dataclasses.py", "replace"),
                   (f"{OWN}/repair/repair.py", "process"))
    assert classify(built, "Repair/CleanCharacters") == "repair"
    pickled = frames((str(REPO / "schemas/records.py"), "__reduce__"), (f"{OWN}/repair/repair.py", "process"))
    assert classify(pickled, "Repair/CleanCharacters") == "Beam: encode and decode between stages"


def test_own_code_goes_to_its_stage_and_the_recogniser_apart_from_spacy():
    spacy = frames(("/venv/lib/python3.11/site-packages/thinc/layers/maxout.py", "forward"),
                   (f"{OWN}/entities/ner.py", "tag_articles"),
                   (f"{BEAM}/ml/inference/base.py", "run_inference"))
    knowledge = frames((f"{OWN}/entities/gazetteer.py", "find"), *spacy[1:])
    step = "Entities/RunInference/BeamML_RunInference"
    assert classify(spacy, step) == "entities: spaCy"
    assert classify(knowledge, step) == "entities: knowledge"
    # copydesk's own entity rules, and the standard library under them, are not spaCy's.
    rules = frames(("/usr/lib/python3.11/re/__init__.py", "finditer"),
                   (f"{OWN}/entities/sports.py", "teams"), *spacy[1:])
    assert classify(rules, step) == "entities: rules and glue"
    # numpy under thinc is the model's; under the recogniser it is the recogniser's.
    numpy = ("/venv/lib/python3.11/site-packages/numpy/core/numeric.py", "dot")
    assert classify(frames(numpy, *spacy), step) == "entities: spaCy"
    assert classify(frames(numpy, *knowledge), step) == "entities: knowledge"
    assert classify(frames((f"{OWN}/repair/repair.py", "clean_text")), "Repair/CleanCharacters") == "repair"
    assert classify(frames((f"{OWN}/language/detect.py", "detect")), "Language/Detect") == "language"


def test_work_outside_any_step_is_the_runners_grouping_or_a_fixed_cost():
    grouping = frames((f"{RUNNER}/execution.py", "append"), (f"{RUNNER}/fn_runner.py", "run_stages"))
    assert classify(grouping, None) == "Beam: shuffle (the runner grouping by key)"
    building = frames((f"{BEAM}/pipeline.py", "apply"), (str(REPO / "pipelines/batch.py"), "build"))
    assert classify(building, None) == "fixed: graph, translation, runner set-up"
    importing = frames(("<frozen importlib._bootstrap>", "_find_and_load"),
                       (str(REPO / "pipelines/batch.py"), "<module>"))
    assert classify(importing, None) == "fixed: imports"
    loading = frames(("/venv/lib/python3.11/site-packages/spacy/util.py", "load_model"),
                     (f"{OWN}/entities/ner.py", "load_ner"))
    assert classify(loading, "Entities/RunInference/BeamML_RunInference") == \
        "fixed: model and index loading"


@pytest.mark.slow
def test_a_real_run_is_charged_to_its_stages(tmp_path):
    figures = tmp_path / "stages.json"
    subprocess.run([sys.executable, "-m", "bench.stage_profile", str(REPO / "seeds"), "--skip-entities",
                    "--json", str(figures)], cwd=REPO, capture_output=True, text=True, check=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    profile = json.loads(figures.read_text())
    assert profile["articles"] == 5
    assert set(profile["cpu_seconds"]) == set(ROWS)
    assert set(profile["ms_per_article"]) == set(PER_ARTICLE)
    # Five articles take a few samples of 2 ms: some stage work, and the graph's fixed cost.
    assert sum(profile["cpu_seconds"][row] for row in PER_ARTICLE) > 0
    assert profile["cpu_seconds"]["fixed: graph, translation, runner set-up"] > 0
    assert profile["cpu_seconds"]["entities: spaCy"] == 0
    beam = sum(seconds for row, seconds in profile["cpu_seconds"].items() if row.startswith("Beam"))
    assert sum(profile["beam_by_stage"].values()) <= beam + 0.01
    # Nearly all of the process's CPU is charged somewhere.
    assert profile["profiled_seconds"] > 0.8 * profile["process_cpu_seconds"]
