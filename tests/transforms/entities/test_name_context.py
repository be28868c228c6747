from transforms.entities.name_context import (
    LOCATIVES,
    Spans,
    in_context,
    person_like,
    place_pattern,
    stands_alone,
    title_case,
    tokens_of,
)


def at(tokens, word):
    return next(i for i, t in enumerate(tokens) if t.text == word)


def test_tokens_keep_inner_marks_and_drop_possessives_and_place_suffixes():
    tokens = tokens_of("Luhans'k and Rostov-on-Don's port; a Donetsk-based firm")
    assert [t.text for t in tokens] == ["Luhans'k", "and", "Rostov-on-Don", "port", "a", "Donetsk", "firm"]
    assert tokens[at(tokens, "Donetsk")].hyphen_place


def test_a_title_or_a_speech_verb_makes_a_person():
    tokens = tokens_of("Mr Lincoln spoke, and Austin said no while Austin grew.")
    assert person_like(tokens, at(tokens, "Lincoln"), at(tokens, "Lincoln"), "city")
    austin = at(tokens, "Austin")
    assert person_like(tokens, austin, austin, "city")
    assert not person_like(tokens, austin, austin, "country")  # a country is no speaker's name
    last = len(tokens) - 2
    assert tokens[last].text == "Austin" and not person_like(tokens, last, last, "city")


def test_a_single_word_stands_alone_only_clear_of_capitals_and_not_opening_a_sentence():
    text = "Talks in Kherson went on. Kherson voted. Paris Hilton came."
    tokens = tokens_of(text)
    first = at(tokens, "Kherson")
    assert stands_alone(text, tokens, first, first)
    assert not stands_alone(text, tokens, first + 3, first + 3)  # sentence-initial
    paris = at(tokens, "Paris")
    assert not stands_alone(text, tokens, paris, paris)


def test_place_patterns_locatives_nouns_hyphens_and_lists():
    text = "Shelling near Lukansk, the Horlivka administration and a Donetsk-based unit; Odesa and Mykolaiv."
    tokens = tokens_of(text)
    nowhere = Spans([])
    for word in ("Lukansk", "Horlivka", "Donetsk"):
        i = at(tokens, word)
        assert in_context(text, tokens, i, i, nowhere, headline=False), word
    odesa, mykolaiv = at(tokens, "Odesa"), at(tokens, "Mykolaiv")
    assert not place_pattern(text, tokens, mykolaiv, mykolaiv, nowhere, LOCATIVES)
    listed = Spans([(tokens[odesa].start, tokens[odesa].end)])
    assert place_pattern(text, tokens, mykolaiv, mykolaiv, listed, LOCATIVES)


def test_title_case_headlines():
    assert title_case(tokens_of("Floods Sweep Across Northern Towns Overnight"))
    assert not title_case(tokens_of("Floods sweep across northern towns overnight"))
