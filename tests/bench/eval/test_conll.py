from bench.eval.conll import LABEL_MAP, evaluate_conll, mapped, read_conll, scores

# Made up here in the CoNLL-2003 layout: IOB1 tags (I- opens a name, B- only between two
# names of one kind side by side), -DOCSTART- between documents.
SAMPLE = """-DOCSTART- -X- -X- O

RUGBY NN I-NP O
- : O O
WALES NNP I-NP I-LOC
BEAT VB I-VP O
FIJI NNP I-NP I-LOC
. . O O

Cardiff NNP I-NP I-ORG
Blues NNPS I-NP I-ORG
signed VBD I-VP O
Sam NNP I-NP I-PER
Holden NNP I-NP I-PER
Ana NNP I-NP B-PER
Lee NNP I-NP I-PER
. . O O

-DOCSTART- -X- -X- O

German JJ I-NP I-MISC
talks NNS I-NP O
"""


def test_documents_sentences_and_names_are_rebuilt_from_the_tokens(tmp_path):
    path = tmp_path / "sample.conll"
    path.write_text(SAMPLE, encoding="utf-8")
    [(first, spans), (second, more)] = read_conll(str(path))
    assert first == "RUGBY - WALES BEAT FIJI .\nCardiff Blues signed Sam Holden Ana Lee ."
    assert [(first[s:e], label) for s, e, label in spans] == [
        ("WALES", "LOC"), ("FIJI", "LOC"), ("Cardiff Blues", "ORG"), ("Sam Holden", "PER"),
        ("Ana Lee", "PER")]
    assert second == "German talks" and more == [(0, 6, "MISC")]


def test_spacy_labels_map_to_conll_and_dates_are_dropped():
    assert mapped([(0, 5, "GPE"), (6, 9, "FAC"), (10, 12, "NORP"), (13, 20, "DATE"),
                   (21, 25, "PERSON")]) == {(0, 5, "LOC"), (6, 9, "LOC"), (10, 12, "MISC"),
                                            (21, 25, "PER")}
    assert set(LABEL_MAP.values()) == {"PER", "ORG", "LOC", "MISC"}


def test_exact_spans_score_per_label():
    gold = [{(0, 5, "LOC"), (6, 10, "PER")}]
    found = [{(0, 5, "LOC"), (6, 9, "PER"), (11, 14, "ORG")}]
    result = scores(gold, found)
    assert (result["LOC"]["tp"], result["PER"]["tp"], result["ORG"]["fp"]) == (1, 0, 1)
    assert (result["all"]["tp"], result["all"]["fp"], result["all"]["fn"]) == (1, 2, 1)


def test_without_a_file_the_section_says_it_was_not_measured():
    rows, report = evaluate_conll(None)
    assert report == {"measured": False} and "--conll" in rows[0].result
