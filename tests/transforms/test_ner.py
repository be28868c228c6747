import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ner import NAMED_LABELS, chunks, load_ner, tag

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def nlp():
    return load_ner()


def test_model_is_loaded_once_per_process(nlp):
    assert load_ner() is nlp
    assert nlp.pipe_names == ["ner"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", max_size=400), st.integers(min_value=4, max_value=60))
def test_chunks_cover_the_text_exactly(text, limit):
    pieces = list(chunks(text, limit))
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces)
    assert all(len(piece) <= limit for _, piece in pieces)


def test_offsets_point_into_the_text(nlp):
    text = (SEEDS / "000_ddb74dd6e30f21c7.txt").read_text(encoding="utf-8")
    [entities] = tag(nlp, [text])
    assert entities
    assert all(text[e.start:e.end] == e.text for e in entities)
    assert all(e.label in NAMED_LABELS for e in entities)
    assert ("Vladimir Putin", "PERSON") in {(e.text, e.label) for e in entities}


def test_long_single_line_is_chunked_with_correct_offsets(nlp):
    sentence = "Emmanuel Macron met Olaf Scholz in Berlin on Monday to talk about energy. "
    text = sentence * 800  # about 60 KB, several chunks, no newline anywhere
    [entities] = tag(nlp, [text])
    assert len([e for e in entities if e.text == "Berlin"]) > 700
    assert all(text[e.start:e.end] == e.text for e in entities)


def test_tagging_does_not_import_beam():
    """The benchmark's limit is spaCy alone; importing Beam would add a second to it."""
    code = ("import sys; import transforms.ner; "
            "sys.exit('apache_beam' in sys.modules and 'imports apache_beam')")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
