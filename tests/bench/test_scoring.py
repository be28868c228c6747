"""The metric code of ``make eval`` on tiny inputs whose answers are known by hand."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bench import ner_gold
from bench.scoring import (
    add_scores,
    bcubed,
    cluster_pairs,
    exact_clusters,
    normalise_span,
    pairwise,
    prf,
    span_scores,
    words_lost,
)


def test_prf_known_values():
    assert prf(8, 2, 2) == {"precision": 0.8, "recall": 0.8, "f1": 0.8, "tp": 8, "fp": 2, "fn": 2}
    s = prf(1, 3, 0)
    assert (s["precision"], s["recall"], s["f1"]) == (0.25, 1.0, 0.4)
    assert prf(0, 0, 0)["f1"] == 1.0  # nothing to find and nothing found
    assert prf(0, 5, 5)["f1"] == 0.0


def test_cluster_pairs():
    assert cluster_pairs({"a": 1, "b": 1, "c": 2, "d": 1}) == {("a", "b"), ("a", "d"), ("b", "d")}
    assert cluster_pairs({"a": 1, "b": 2}) == set()


def test_pairwise_counts_pairs():
    gold = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}  # pairs ab ac bc de
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}  # pairs ab cd
    s = pairwise(gold, predicted)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 3)
    assert (s["precision"], s["recall"]) == (0.5, 0.25)


def test_bcubed_known_values():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed(gold, {"a": 9, "b": 9, "c": 8}) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    everything = bcubed(gold, {"a": 0, "b": 0, "c": 0})
    # a, b: 2 of 3 right each; c: 1 of 3. Recall perfect.
    assert everything["precision"] == round((2 / 3 + 2 / 3 + 1 / 3) / 3, 4)
    assert everything["recall"] == 1.0
    singletons = bcubed(gold, {"a": 1, "b": 2, "c": 3})
    assert singletons["precision"] == 1.0 and singletons["recall"] == round((0.5 + 0.5 + 1) / 3, 4)


def test_exact_clusters():
    gold = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    assert exact_clusters(gold, {"a": 1, "b": 1, "c": 2, "d": 3, "e": 4}) == 0.5
    assert exact_clusters({"a": 1}, {"a": 1}) == 1.0


clusterings = st.dictionaries(st.sampled_from("abcdefghij"), st.integers(0, 3), min_size=1)


@given(clusterings)
def test_identical_clusterings_score_perfectly(gold):
    renamed = {item: f"c{cluster}" for item, cluster in gold.items()}
    assert pairwise(gold, renamed)["f1"] == 1.0
    assert bcubed(gold, renamed)["f1"] == 1.0
    assert exact_clusters(gold, renamed) == 1.0


@given(clusterings)
def test_singletons_have_perfect_precision(gold):
    alone = {item: item for item in gold}
    assert pairwise(gold, alone)["precision"] == 1.0
    assert bcubed(gold, alone)["precision"] == 1.0


def test_words_lost_is_a_multiset_difference():
    assert words_lost("the cat saw the dog", "the cat saw dog") == (1, 5)
    assert words_lost("a b c", "a b c d e") == (0, 3)
    assert words_lost("Kyiv (Київ) is", "Kyiv is") == (1, 3)


def test_normalise_span_drops_article_and_possessive():
    text = "He met the European Union and Olaf Scholz’s aide in the."
    start = text.index("the European")
    assert text[slice(*normalise_span(text, start, start + len("the European Union")))] == "European Union"
    start = text.index("Olaf")
    assert text[slice(*normalise_span(text, start, start + len("Olaf Scholz’s")))] == "Olaf Scholz"
    start = text.index("the.")
    assert normalise_span(text, start, start + 3) == (start, start + 3)  # nothing left to strip to


def test_span_scores_labelled_and_unlabelled():
    text = "Putin met Biden in Geneva."
    gold = [(0, 5, "PERSON"), (10, 15, "PERSON"), (19, 25, "GPE")]
    predicted = [(0, 5, "PERSON"), (10, 15, "ORG"), (19, 26, "GPE"), (0, 5, "DATE")]
    scores = span_scores(text, gold, predicted, ("PERSON", "ORG", "GPE"))
    assert (scores["all"]["tp"], scores["all"]["fp"], scores["all"]["fn"]) == (1, 2, 2)
    assert (scores["PERSON"]["precision"], scores["PERSON"]["recall"]) == (1.0, 0.5)
    assert scores["ORG"]["precision"] == 0.0
    assert (scores["unlabelled"]["tp"], scores["unlabelled"]["fn"]) == (2, 1)  # the label is ignored
    total = add_scores(scores, scores)
    assert total["all"]["tp"] == 2 and total["all"]["precision"] == scores["all"]["precision"]


def test_gold_spans_longest_first_without_overlap():
    text = "Vladimir Putin and Putin’s aide visited the Donetsk People’s Republic, not Donetsk."
    spans = ner_gold.gold_spans(text, (("Putin", "PERSON"), ("Vladimir Putin", "PERSON"),
                                       ("Donetsk", "GPE"), ("Donetsk People’s Republic", "GPE")))
    assert [text[s:e] for s, e, _ in spans] == [
        "Vladimir Putin", "Putin", "Donetsk People’s Republic", "Donetsk"]


def test_every_gold_surface_occurs_in_its_seed():
    for seed, (text, spans) in ner_gold.gold_set().items():
        found = {text[s:e] for s, e, _ in spans}
        missing = [surface for surface, _ in ner_gold.GOLD[seed] if surface not in found]
        assert not missing, f"seed {seed}: {missing}"
        assert all(label in ner_gold.LABELS for _, _, label in spans)
