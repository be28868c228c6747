import re

from tests.transforms.entities.articles import ents, run, run_known
from transforms.entities.consistency import harmonise


def test_a_lone_surname_of_the_one_person_named_in_full_is_that_person():
    text = "Whitney Houston sang. Houston recorded the song in 1991."
    got = run("", text, ents("text", text, [("Whitney Houston", "PERSON"), ("Houston", "GPE")]))
    assert ("text", "Houston", "PERSON") in got


def test_a_surname_after_a_place_word_stays_a_place():
    text = "Whitney Houston sang. She moved to Houston in 1991."
    got = run("", text, ents("text", text, [("Whitney Houston", "PERSON"), ("Houston", "GPE")]))
    assert ("text", "Houston", "GPE") in got


def test_a_tagged_name_is_found_where_the_tagger_missed_it_also_in_capitals():
    text = "KYIV - Officials in Kyiv said the Kyiv metro was shut."
    entities = ents("text", text, [("Kyiv", "GPE")])
    got = harmonise({"title": "", "text": text}, entities)
    assert [(e.text, e.start) for e in got] == [
        (m.group(), m.start()) for m in re.finditer("KYIV|Kyiv", text)]
    assert all(text[e.start:e.end] == e.text for e in got)


def test_a_name_that_is_also_a_common_word_is_not_carried():
    text = "Theresa May spoke. May said no. It may rain."
    got = run("", text, ents("text", text, [("May", "PERSON")]),
              common=lambda word: word == "may")
    assert {e for e in got if e[1] == "May"} == {("text", "May", "PERSON")}


def test_the_majority_label_wins():
    text = "Nokia rose. Nokia fell. Nokia held."
    got = run("", text, ents("text", text, [("Nokia", "ORG"), ("Nokia", "ORG"), ("Nokia", "GPE")]))
    assert {label for _, _, label in got} == {"ORG"}


def test_a_dateline_in_capitals_is_a_known_place():
    text = "BRASILIA, Jan 1 - Lula was sworn in."
    got = run("", text, ents("text", text, [("BRASILIA", "ORG"), ("Lula", "PERSON")]))
    assert ("text", "BRASILIA", "GPE") in got


def test_a_title_case_headline_keeps_only_names_the_body_or_the_knowledge_vouches_for():
    title = "Lula Sworn In As Oil Falls In Sochi"
    text = "Lula took the oath on Sunday."
    entities = (ents("title", title, [("Lula Sworn", "PERSON"), ("Oil Falls", "PERSON"),
                                      ("Sochi", "GPE")])
                + ents("text", text, [("Lula", "PERSON")]))
    got = run(title, text, entities)
    assert {e for e in got if e[0] == "title"} == {("title", "Lula", "PERSON"),
                                                   ("title", "Sochi", "GPE")}


def test_a_name_is_not_carried_into_a_longer_name_nor_when_it_is_also_a_word():
    text = ("Town officials met. Markets in Yishun New Town rose. Teachers struck. "
            "Many teachers agreed.")
    got = run("", text, ents("text", text, [("Town", "GPE"), ("Teachers", "ORG")]))
    assert got == {("text", "Town", "GPE"), ("text", "Teachers", "ORG")}


def test_a_headline_name_is_cut_to_the_words_the_body_writes_as_names():
    title = "Fiona Bianchi Defends Harvest After Criticism"
    text = "The minister, Bianchi, said on Monday that Fiona would stay."
    entities = (ents("title", title, [("Fiona Bianchi Defends", "PERSON")])
                + ents("text", text, [("Bianchi", "GPE")]))
    got = run(title, text, entities)
    assert ("title", "Fiona Bianchi", "PERSON") in got and ("text", "Bianchi", "PERSON") in got


def test_a_country_is_never_a_person_s_surname():
    text = "Anna France spoke. France took a different course."
    got = run("", text, ents("text", text, [("Anna France", "PERSON"), ("France", "GPE")]))
    assert ("text", "France", "GPE") in got


def test_a_dateline_after_a_slug_and_a_byline_is_a_place():
    text = ("FOOTBALL - LIVERPOOL GO CLEAR\nBy Sam Holden\n"
            "NAIROBI, April 2 - Officials in Nairobi said the match would go ahead.")
    entities = ents("text", text, [("Sam Holden", "PERSON"), ("NAIROBI", "ORG"),
                                   ("Nairobi", "GPE")])
    got = run_known("", text, entities)
    assert ("text", "NAIROBI", "GPE") in got and ("text", "NAIROBI", "ORG") not in got


def test_a_lower_case_article_is_not_part_of_the_name_and_the_name_is_carried():
    text = "The Hague said the United States and the Meridian Rail agreed. Meridian Rail said so."
    entities = ents("text", text, [("The Hague", "GPE"), ("the United States", "GPE"),
                                   ("the Meridian Rail", "ORG")])
    got = harmonise({"title": "", "text": text}, entities)
    assert [(e.text, text[e.start:e.end]) for e in got] == [
        ("The Hague", "The Hague"), ("United States", "United States"),
        ("Meridian Rail", "Meridian Rail"), ("Meridian Rail", "Meridian Rail")]


def test_a_nationality_is_carried_though_the_lexicon_knows_it_as_an_adjective():
    text = "DUTCH CLUBS LOSE AGAIN\nThe Dutch champions lost at home."
    entities = ents("text", text, [("Dutch", "NORP")])
    got = run("", text, entities, common=lambda word: word in {"dutch", "german"})
    assert ("text", "DUTCH", "NORP") in got
    other = "GERMAN BANKS\nGerman lenders rose; a german word."
    assert ("text", "GERMAN", "NORP") not in run(
        "", other, ents("text", other, [("German", "NORP")]), common=lambda word: True)


def test_a_span_across_a_bracket_that_only_closes_is_the_two_names_either_side():
    text = "Views on (Treasury Secretary Robert) Rubin's comments (Reuters) mattered."
    entities = ents("text", text, [("Robert) Rubin", "PERSON"), ("Reuters", "ORG")])
    got = harmonise({"title": "", "text": text}, entities)
    assert [(e.text, text[e.start:e.end], e.label) for e in got] == [
        ("Robert", "Robert", "PERSON"), ("Rubin", "Rubin", "PERSON"), ("Reuters", "Reuters", "ORG")]
