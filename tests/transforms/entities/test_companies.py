from tests.transforms.entities.articles import ents, run_known


def test_a_company_and_its_short_name_are_one_organisation():
    text = ("Kinross Gold Corp said it would buy Aurelian Resources Inc. Kinross said the deal "
            "was done, and Aurelian shares rose. The U.S.-based Orion Mining Ltd declined.")
    entities = ents("text", text, [("Kinross", "PERSON"), ("Aurelian Resources Inc", "ORG"),
                                   ("Kinross", "PERSON"), ("Aurelian", "GPE"),
                                   ("U.S.-based Orion Mining Ltd", "ORG")])
    got = run_known("", text, entities)
    assert {("text", "Kinross Gold Corp", "ORG"), ("text", "Kinross", "ORG"),
            ("text", "Aurelian", "ORG"), ("text", "Orion Mining Ltd", "ORG")} <= got
    assert not {label for _, name, label in got if name in ("Kinross", "Aurelian")} - {"ORG"}


def test_an_acronym_given_in_brackets_is_its_organisation_but_overtime_is_not():
    text = ("The Democratic Alliance (DA) won four seats. DA leader John Steenhuisen spoke.\n"
            "Results:\nBoston 101 Chicago 99 (OT)\nOT was needed.")
    entities = ents("text", text, [("Democratic Alliance (DA", "ORG"), ("John Steenhuisen", "PERSON"),
                                   ("Boston", "GPE"), ("Chicago", "GPE")])
    got = run_known("", text, entities)
    assert {("text", "Democratic Alliance", "ORG"), ("text", "DA", "ORG")} <= got
    assert not any(name == "OT" for _, name, _ in got)


def test_a_company_its_trade_stands_before_is_that_company_everywhere_but_a_person_stays():
    text = ("Polish brewer Zywiec said profits fell. Zywiec shares eased in Warsaw. "
            "Publisher Rupert Murdoch and oil exporter Norway were not involved.")
    entities = ents("text", text, [("Zywiec", "GPE"), ("Zywiec", "GPE"), ("Warsaw", "GPE"),
                                   ("Rupert Murdoch", "PERSON"), ("Norway", "GPE")])
    got = run_known("", text, entities)
    assert {("text", "Zywiec", "ORG"), ("text", "Warsaw", "GPE"),
            ("text", "Rupert Murdoch", "PERSON"), ("text", "Norway", "GPE")} == got
