import json

import pytest

from bench.eval.entities import CASES_PATH, FIELDS, HELD_OUT_PATH, case_set, score
from bench.ner_gold import LABELS, TITLE_GOLD, gold_fields


@pytest.mark.parametrize("path", [CASES_PATH, HELD_OUT_PATH])
def test_every_gold_surface_is_in_its_field(path):
    with open(path, encoding="utf-8") as handle:
        cases = json.load(handle)["cases"]
    labelled, kinds = case_set(path)
    assert len(labelled) == len(cases) >= 20
    for case in cases:
        for field, entities in case["entities"].items():
            assert field in FIELDS
            spans = labelled[case["id"]][field][1]
            found = {(labelled[case["id"]][field][0][s:e], label) for s, e, label in spans}
            assert found == {tuple(entity) for entity in entities}, case["id"]
            assert all(label in LABELS for _, label in entities)
    assert {"headline", "common_word", "misspelling", "place_pattern"} <= set(kinds.values())


def test_seed_headlines_are_labelled():
    fields = gold_fields()
    for seed, gold in TITLE_GOLD.items():
        title, spans = fields[seed]["title"]
        assert {(title[s:e], label) for s, e, label in spans} == set(gold)
    assert fields["000"]["title"] == ("", [])


def test_score_counts_per_field():
    labelled = {"a": {"title": ("Kyiv", [(0, 4, "GPE")]), "text": ("In Oslo.", [(3, 7, "GPE")])}}
    predicted = {"a": {"title": [], "text": [(3, 7, "GPE")]}}
    assert score(labelled, predicted)["all"]["tp"] == 1
    assert score(labelled, predicted)["all"]["fn"] == 1
    assert score(labelled, predicted, ("text",))["all"]["recall"] == 1.0
