"""The Mojibake beyond ftfy section of ``make eval``: its damage, its word counts, and ftfy's
known failures read from a folder given at run time."""

from __future__ import annotations

import json

from bench.eval import mojibake as evm


def test_the_two_kinds_of_generated_damage():
    assert evm.lose_bytes("Erdoğan") == "ErdoÄan"
    assert evm.through_nfkc("München") == "MÃ1⁄4nchen"
    assert evm.through_nfkc("información") == "informaciÃ3n"


def test_words_are_counted_in_place_or_as_a_multiset():
    assert evm._right_words("a b c", "a x c") == (2, 3)
    assert evm._right_words("a b c", "a bc") == (1, 3)


def test_without_a_folder_the_known_failures_are_not_measured():
    rows, report = evm.known_failures(None)
    assert rows[0].result.startswith("not measured") and report == {}


def test_known_failures_are_read_from_the_folder_given(tmp_path):
    cases = [
        {"label": "MacRoman", "original": "Il governo ha approvato pi√π fondi per la sanità pubblica.",
         "fixed": "Il governo ha approvato più fondi per la sanità pubblica.", "expect": "fail"},
        {"label": "false positive", "original": "SKÅL™ lager", "fixed": "SKÅL™ lager", "expect": "fail"},
    ]
    (tmp_path / "known-failures.json").write_text(json.dumps(cases), encoding="utf-8")
    rows, report = evm.known_failures(str(tmp_path))
    assert (report["fixed_cases"], report["ftfy_alone"], report["copydesk"]) == (1, 0, 1)
    assert report["false_positive_kept"] == 1
    assert report["passing"]["n"] == 0
