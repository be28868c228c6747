import pytest

from tests.transforms.entities.articles import ents, run, run_known
from transforms.entities.sports import about_sport, named_as_place


def test_teams_in_results_and_match_reports_are_organisations_but_nations_stay_places():
    text = ("Barcelona beat Sevilla 3-1 on Sunday. Flights to Sevilla were full.\n"
            "Results:\nArsenal 3 Brentford 0\nScotland 35 France 7")
    entities = ents("text", text, [("Barcelona", "GPE"), ("Sevilla", "GPE"), ("Sevilla", "GPE"),
                                   ("Scotland", "GPE"), ("France", "GPE")])
    got = run("", text, entities)
    assert {("text", "Barcelona", "ORG"), ("text", "Sevilla", "ORG"), ("text", "Arsenal", "ORG"),
            ("text", "Brentford", "ORG"), ("text", "Scotland", "GPE"),
            ("text", "France", "GPE")} <= got
    assert ("text", "Sevilla", "GPE") not in got


def test_a_score_without_a_match_is_not_a_match_report():
    text = "Flights to Paris take 2-3 hours."
    got = run("", text, ents("text", text, [("Paris", "GPE")]))
    assert got == {("text", "Paris", "GPE")}


def test_the_rows_of_a_standings_table_are_teams_even_where_tagged_persons_if_towns():
    text = ("LONDON, Jan 14 - Luton went top. Luton have won six in a row.\n"
            "P W D L F A Pts\nLuton 26 15 6 5 44 22 51\nCarlisle 26 14 7 5 40 27 49\n"
            "Exeter 26 12 5 9 36 31 41\nPort Vale 26 9 8 9 30 33 35")
    entities = ents("text", text, [("Luton", "PERSON"), ("Luton", "PERSON"), ("Luton", "PERSON"),
                                   ("Carlisle", "GPE"), ("Exeter", "GPE")])
    got = run_known("", text, entities)
    assert {("text", "Luton", "ORG"), ("text", "Carlisle", "ORG"), ("text", "Exeter", "ORG"),
            ("text", "Port Vale", "ORG")} <= got
    assert ("text", "Luton", "PERSON") not in got


def test_a_golf_leaderboard_and_a_table_of_votes_keep_their_people_and_places():
    golf = ("Leading scores after the third round:\nRory McIlroy 66 70 67\n"
            "Patrick Reed 68 67 69\nShane Lowry 70 68 68")
    players = [("Rory McIlroy", "PERSON"), ("Patrick Reed", "PERSON"), ("Shane Lowry", "PERSON")]
    assert run_known("", golf, ents("text", golf, players)) == {("text", *name) for name in players}
    votes = ("The conservatives won in both states, results showed.\n"
             "Share of the vote by state:\nBavaria 37 8 15 14\nHesse 34 15 18 15")
    states = [("Bavaria", "GPE"), ("Hesse", "GPE")]
    assert run_known("", votes, ents("text", votes, states)) == {("text", *name) for name in states}


def test_fixtures_make_teams_but_the_place_after_at_and_a_tennis_draw_stay():
    text = ("Fixtures on Sunday (kick-off GMT):\nTorino (9) v Genoa (14) 1300\n"
            "TORONTO AT ATLANTA\nDjokovic (1) v Nadal (4)")
    entities = ents("text", text, [("Torino", "PERSON"), ("Genoa", "GPE"), ("TORONTO", "GPE"),
                                   ("ATLANTA", "GPE"), ("Djokovic", "PERSON"), ("Nadal", "PERSON")])
    got = run_known("", text, entities)
    assert {("text", "Genoa", "ORG"), ("text", "TORONTO", "ORG"), ("text", "ATLANTA", "GPE"),
            ("text", "Djokovic", "PERSON"), ("text", "Nadal", "PERSON"),
            ("text", "Torino", "PERSON")} == got


def test_results_with_scorers_in_brackets_name_teams_and_their_other_mentions():
    text = ("Results of Scottish Premiership matches:\n"
            "Dundee 0 Aberdeen 3 (Miovski 9, 55, Duk 71)\n"
            "Aberdeen moved up to fourth.")
    entities = ents("text", text, [("Dundee", "GPE"), ("Aberdeen", "GPE"), ("Miovski", "PERSON"),
                                   ("Duk", "PERSON"), ("Aberdeen", "NORP")])
    got = run_known("", text, entities)
    assert {("text", "Dundee", "ORG"), ("text", "Aberdeen", "ORG"),
            ("text", "Miovski", "PERSON")} <= got
    assert ("text", "Aberdeen", "NORP") not in got


def test_a_player_s_club_in_brackets_is_a_team_and_a_country_there_a_place():
    text = ("Norway named the following squad:\n"
            "Goalkeepers - Orjan Nyland (Sevilla, Spain), Mathias Dyngeland (Brann)")
    entities = ents("text", text, [("Norway", "GPE"), ("Orjan Nyland", "PERSON"),
                                   ("Sevilla", "GPE"), ("Spain", "GPE"),
                                   ("Mathias Dyngeland", "PERSON")])
    got = run_known("", text, entities)
    assert {("text", "Sevilla", "ORG"), ("text", "Spain", "GPE"), ("text", "Brann", "ORG"),
            ("text", "Norway", "GPE")} <= got


def test_a_town_in_brackets_after_a_name_outside_sport_stays_a_place():
    text = "Letters to the editor. Jane Doe (Exeter) says the bus fares are too high."
    entities = ents("text", text, [("Jane Doe", "PERSON"), ("Exeter", "GPE")])
    assert ("text", "Exeter", "GPE") in run_known("", text, entities)


def test_a_table_s_column_heads_name_nothing_but_a_line_of_acronyms_stays():
    text = "NBA standings:\nW L PCT GB\nMIAMI 14 5 .737 -\nUS UK EU"
    entities = ents("text", text, [("W L", "ORG"), ("GB", "GPE"), ("MIAMI", "GPE"),
                                   ("US", "GPE"), ("UK", "GPE"), ("EU", "ORG")])
    got = run_known("", text, entities)
    assert not {name for _, name, _ in got} & {"W L", "GB"}
    assert {"US", "UK", "EU"} <= {name for _, name, _ in got}


@pytest.mark.parametrize("text, sport", [
    ("Milan beat Roma 2-0 on Sunday to go top of the league.", True),
    ("SOCCER - MILAN HELD AT HOME\nMilan could only draw.", True),
    ("Chelsea 2 Arsenal 1", True),
    ("W L T PTS\nOTTAWA 7 11 6 20", True),
    ("The minister told a news conference in Milan that the division was over.", False),
    ("Fashion week opened in Milan on Tuesday.", False),
])
def test_about_sport(text, sport):
    assert about_sport(text) is sport


@pytest.mark.parametrize("text, name, place", [
    ("Atalanta won 3-1 in Bergamo.", "Bergamo", True),
    ("MILAN, May 4 - Inter won.", "MILAN", True),
    ("CHONJU , South Korea 1996-12-07", "CHONJU", True),
    ("Milan beat Roma 2-0.", "Milan", False),
    ("They face Ottawa on Friday.", "Ottawa", False),
])
def test_named_as_place(text, name, place):
    start = text.index(name)
    assert named_as_place(text, start, start + len(name)) is place
