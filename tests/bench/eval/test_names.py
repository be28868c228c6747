from datetime import datetime, timezone

import pytest

from bench.eval.names import CASES_PATH, HELD_OUT_PATH, gold_spans, judge, load_cases
from schemas.records import Article, Entity
from transforms.entities.knowledge import load_knowledge


@pytest.mark.parametrize("path", [CASES_PATH, HELD_OUT_PATH])
def test_every_gold_id_is_an_id_of_the_knowledge(path):
    ids = {entry.kb_id for entry in load_knowledge().entries}
    gold = {kb_id for case in load_cases(path) for _, kb_id in case["mentions"] if kb_id}
    assert gold <= ids


def test_a_rewrite_is_right_only_with_the_gold_id():
    case = {"id": "c", "kind": "k", "text": "Parry met Kiev officials in Kiev.",
            "mentions": [["Parry", None], ["Kiev", "geonames:703448"]]}
    assert [s for s, _, _ in gold_spans(case)["text"]] == [0, 10, 28]
    when = datetime(2026, 12, 1, tzinfo=timezone.utc)
    entities = [Entity("Parry", "PERSON", 0, 5, "Paris", "geonames:2988507"),
                Entity("Kiev", "GPE", 10, 14, "Kyiv", "geonames:703448"),
                Entity("Kiev", "GPE", 28, 32, "Kiev", None)]
    article = Article(id="c", source="c", text=case["text"], entities=entities,
                      ingested_at=when)
    result = judge([case], [article])
    assert (result["rewritten"], result["correct"], result["gold_with_id"]) == (2, 1, 2)
    assert result["precision"] == 0.5 and result["recall"] == 0.5
