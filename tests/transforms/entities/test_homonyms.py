from collections import Counter

import pytest

from tests.transforms.entities.articles import in_text, resolved_as
from transforms.entities.homonyms import KNOWN_ALONE, choose_place, needs_context, outweighs
from transforms.entities.knowledge import KbEntry


@pytest.mark.parametrize(
    "text, kb_id",
    [
        ("Smoke drifted across the state of Washington on Tuesday.", "iso:US-WA"),
        ("Fires burned in eastern Washington state, officials said.", "iso:US-WA"),
        ("Senators returned to Washington, D.C. on Sunday.", "geonames:4140963"),
        ("Senators returned to Washington on Sunday.", "geonames:4140963"),
    ],
)
def test_washington_follows_the_words_around_it(resolver, text, kb_id):
    assert resolved_as(resolver, text, [("Washington", "GPE")])["Washington"][0] == kb_id


def test_a_small_place_far_from_the_article_s_countries_keeps_no_id(resolver):
    text = "New hangars stand at the Obock military field in the Crimea, Russia said."
    got = resolved_as(resolver, text, [("Obock", "GPE"), ("Crimea", "LOC"), ("Russia", "GPE")])
    assert got["Obock"] == (None, "GPE", None)
    assert got["Crimea"][0] == "iso:UA-43"


def test_a_small_place_in_the_article_s_country_is_named(resolver):
    text = "Shelling hit Izium, a town in eastern Ukraine."
    got = resolved_as(resolver, text, [("Izium", "GPE"), ("Ukraine", "GPE")])
    assert got["Izium"][0] == "geonames:707292"
    assert resolved_as(resolver, "Shelling hit Izium.", [("Izium", "GPE")])["Izium"][0] is None


def test_a_town_and_a_region_of_its_name_are_told_apart_only_by_the_words_around(resolver):
    # Obock is a town and a region of Djibouti; Oregon a state and a town of 20,000.
    text = "A ferry capsized off Obock, a port town in northern Djibouti."
    got = resolved_as(resolver, text, [("Obock", "GPE"), ("Djibouti", "GPE")])
    assert got["Obock"][0] is None
    text = "Oregon's governor said Portland would get help."
    got = resolved_as(resolver, text, [("Oregon", "GPE"), ("Portland", "GPE")])
    assert got["Oregon"][0] is None and got["Portland"][0] == "geonames:5746545"
    text = "The state of Oregon said Portland would get help."
    got = resolved_as(resolver, text, [("Oregon", "GPE"), ("Portland", "GPE")])
    assert got["Oregon"][0] == "iso:US-OR"


@pytest.mark.parametrize(
    "text, others, kb_id",
    [
        ("Voters in Georgia queued in Atlanta and Savannah.", [("Atlanta", "GPE"),
                                                                ("Savannah", "GPE")], "iso:US-GA"),
        ("Voters in Georgia queued for hours in Atlanta.", [("Atlanta", "GPE")], "iso:GE"),
        ("Protesters in Tbilisi said Georgia must join the EU.", [("Tbilisi", "GPE")], "iso:GE"),
        ("A US envoy visited Georgia on Monday.", [("US", "GPE")], "iso:GE"),
        ("Georgia said on Monday it would reply.", [], "iso:GE"),
    ],
)
def test_a_country_yields_to_its_homonym_only_where_places_inside_the_other_are_named(
        resolver, text, others, kb_id):
    got = resolved_as(resolver, text, [("Georgia", "GPE"), *others])
    assert got["Georgia"][0] == kb_id


def test_homonyms_the_context_cannot_tell_apart_keep_no_id(resolver):
    got = resolved_as(resolver, "The festival returns to Victoria this weekend.",
                      [("Victoria", "GPE")])
    assert got["Victoria"] == (None, "GPE", None)


def test_a_famous_city_is_not_a_town_of_the_country_the_article_names(resolver):
    text = "Envoys of the United States met in Geneva."
    got = resolved_as(resolver, text, [("United States", "GPE"), ("Geneva", "GPE")])
    assert got["Geneva"][0] == "geonames:2660646"


def test_a_province_abroad_keeps_its_namesake_town_from_taking_the_name(resolver):
    # Bali (Indonesia) beside Bāli, a town of 300,000 in India: the article's countries
    # decide, and here they cannot choose the town.
    text = "Tourist arrivals in Bali rose in July, Indonesia's statistics agency said."
    got = resolved_as(resolver, text, [("Bali", "GPE"), ("Indonesia", "GPE")])
    assert got["Bali"][0] != "geonames:1277539"
    assert resolved_as(resolver, "Bali said so.", [("Bali", "GPE")])["Bali"][0] is None


def test_a_city_sharing_its_name_with_its_own_state_is_named_by_a_dateline(resolver):
    text = "NEW YORK, Dec 6 - Shares rose in New York on Friday."
    got = resolved_as(resolver, text, [("NEW YORK", "GPE")])
    assert got["NEW YORK"][0] == "geonames:5128581"
    got = resolved_as(resolver, "Voters across New York state went to the polls.",
                      [("New York", "GPE")])
    assert got["New York"][0] == "iso:US-NY"


def test_a_province_named_after_a_sea_needs_its_country_in_sight(resolver):
    text = "Tanker rates for the Red Sea were steady in New York trading."
    got = resolved_as(resolver, text, [("Red Sea", "LOC"), ("New York", "GPE")])
    assert got["Red Sea"][0] is None


def test_where_the_article_s_countries_and_a_city_s_size_disagree_no_id(resolver):
    # A London dateline on an article about Canadian bonds: London, Ontario has the
    # article's country, London, England the size.
    text = "LONDON, Dec 6 - Bonds in Toronto and Ottawa rallied, with Canada leading."
    got = resolved_as(resolver, text, [("LONDON", "GPE"), ("Toronto", "GPE"),
                                       ("Ottawa", "GPE"), ("Canada", "GPE")])
    assert got["LONDON"][0] != "geonames:6058560"


def test_a_city_and_a_province_abroad_of_its_name_both_in_sight_keep_no_id(resolver):
    # Jerusalem the city (in geonames under IL) and the Palestinian governorate of its
    # name, in an article naming places of both countries: the words around do not say
    # which.
    text = "Clashes in Hebron and Gaza spread to Jerusalem. Israel said so."
    got = resolved_as(resolver, text, [("Hebron", "GPE"), ("Gaza", "GPE"),
                                       ("Jerusalem", "GPE"), ("Israel", "GPE")])
    assert got["Jerusalem"][0] is None


def place(kind: str, population: int = 0, country: str = "US", name: str = "Washington"
          ) -> KbEntry:
    return KbEntry(f"{kind}:{name}", name, "GPE", kind, population, country=country)


def test_a_town_needs_its_country_in_sight_and_a_city_known_alone_does_not():
    assert needs_context(place("city", KNOWN_ALONE - 1))
    assert not needs_context(place("city", KNOWN_ALONE))
    assert not needs_context(place("country"))
    assert not needs_context(place("region"))
    assert needs_context(place("region", name="Red Sea"))


def test_a_country_outweighs_a_city_and_a_city_a_town_a_fifth_its_size():
    city, town = place("city", 5 * 50_000), place("city", 50_000)
    assert outweighs(place("country"), city) and not outweighs(city, place("country"))
    assert outweighs(city, town) and not outweighs(town, city)
    assert outweighs(city, place("region"))
    assert not outweighs(city, place("subdivision", country="IN"))


def test_the_words_around_a_name_choose_between_a_city_and_its_state():
    city, state = place("city", 700_000), place("region")
    for text, meant in [("Smoke drifted across the state of Washington.", state),
                        ("Senators returned to Washington on Sunday.", city)]:
        article = in_text(text, [("Washington", "GPE")])
        assert choose_place(article, article.entities[0], (city, state), set(), Counter()) == meant


def test_a_town_is_chosen_only_where_the_article_names_its_country():
    article = in_text("Shelling hit Izium.", [("Izium", "GPE")])
    town = place("city", 50_000, country="UA", name="Izium")
    assert choose_place(article, article.entities[0], (town,), set(), Counter()) is None
    assert choose_place(article, article.entities[0], (town,), {"UA"}, Counter()) == town
