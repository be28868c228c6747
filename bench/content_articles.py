"""Generated articles full of the lines boilerplate removal must never touch: datelines,
bylines, captions, pull quotes, lists of names (bulleted, numbered, in a row, one a line),
short one-line paragraphs and tables of results, in eight languages. Each article records
which of its lines are content and which are page furniture from ``bench.perturb``, so
``bench.eval.boilerplate`` can count what was removed of each.

``publisher_run`` builds a run of several publishers: each has its own template lines
(none in the boilerplate vocabulary) and content it repeats on purpose (a staff byline, a
standing list of names, a table head), and every publisher reprints the same wire story.

Written for this project; the people, places and figures are invented or generic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.perturb import boilerplate_line

# Per language: names, a dateline, bylines, captions, quotes, short lines, body sentences.
# "{name}" and "{name2}" are filled from the language's names.
LANGUAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "names": ("Jane Doe", "Tom Baker", "Aisha Khan", "Peter O'Neill", "Maria Lopez",
                  "David Chen", "Sarah Miller", "Jean-Luc de la Tour"),
        "datelines": ("KYIV, March 3 (Reuters) -", "LONDON —", "WASHINGTON (AP) —"),
        "bylines": ("By {name}", "By {name} and {name2}, Reuters", "Posted by {name}",
                    "Published by {name}", "Reporting by {name}; Editing by {name2}"),
        "captions": ("Protesters gather in central Kyiv on {day}. REUTERS/{name}",
                     "Photo: {name} with rescue workers in Dnipro on {day}",
                     "Photo: {name} in the Kremlin", "Image: {name} outside a bank in Lviv on {day}"),
        "quotes": ("“We will not give up,” she said.", "“Enough is enough.”",
                   "“Read more, share less,” the campaign urges.",
                   "“Follow us on Telegram,” the group told supporters.",
                   "\"Sign up for our newsletter,\" the advert read."),
        "short": ("Why now?", "Not yet.", "Help is on the way.", "Home at last.", "Sanctions",
                  "What happens next", "More talks are planned.", "The search goes on"),
        "body": ("The council voted on Tuesday to close the old bridge to heavy lorries.",
                 "Engineers found cracks in two of its supporting piers last month.",
                 "Officials said repairs would take at least six months.",
                 "Residents have asked for a temporary crossing for pedestrians."),
    },
    "ru": {
        "names": ("Сергей Лавров", "Сергей Шойгу", "Дмитрий Песков", "Анна Иванова",
                  "Мария Петрова", "Ольга Сидорова", "Иван Петров", "Михаил Мишустин"),
        "datelines": ("МОСКВА, 3 марта — РИА Новости", "МОСКВА, 3 мар — ТАСС"),
        "bylines": ("Автор: {name}", "Текст: {name}", "Авторы: {name}, {name2}"),
        "captions": ("Участники акции в центре Москвы {day}. Фото: {name}",
                     "Фото: {name} / Reuters", "{name} у здания администрации {day}"),
        "quotes": ("«Мы не сдадимся», — заявил он.", "— Мы не сдадимся, — сказал {name}.",
                   "«Подписывайтесь на наш канал», — призвал блогер."),
        "short": ("Почему сейчас?", "Пока нет.", "Санкции", "Что дальше", "Помощь уже в пути."),
        "body": ("Городской совет во вторник проголосовал за закрытие старого моста.",
                 "Инженеры обнаружили трещины в двух опорах в прошлом месяце.",
                 "По словам чиновников, ремонт займёт не менее шести месяцев.",
                 "Жители попросили открыть временный пешеходный переход."),
    },
    "uk": {
        "names": ("Олена Коваленко", "Андрій Шевченко", "Ірина Бондар", "Тарас Мельник",
                  "Наталія Ткаченко", "Богдан Кравчук"),
        "datelines": ("КИЇВ, 3 березня. /Укрінформ/.", "ЛЬВІВ —"),
        "bylines": ("Автор: {name}", "Текст: {name}"),
        "captions": ("Рятувальники на місці удару в Дніпрі. Фото: {name}",
                     "{name} біля банку у Львові {day}"),
        "quotes": ("«Ми не здамося», — сказала вона.", "— Ми вистоїмо, — сказав {name}."),
        "short": ("Чому зараз?", "Ще ні.", "Санкції", "Що далі"),
        "body": ("Міська рада у вівторок проголосувала за закриття старого мосту.",
                 "Інженери знайшли тріщини у двох опорах минулого місяця.",
                 "За словами посадовців, ремонт триватиме щонайменше пів року."),
    },
    "de": {
        "names": ("Anna Schmidt", "Jürgen Weber", "Katrin Müller", "Felix von Arnim",
                  "Lena Fischer", "Thomas Becker"),
        "datelines": ("BERLIN (dpa) -", "HAMBURG, 3. März (Reuters) -"),
        "bylines": ("Von {name}", "Von {name} und {name2}", "Autor: {name}"),
        "captions": ("Foto: {name} vor dem Reichstag am {day}",
                     "Bild: {name} bei der Pressekonferenz in Berlin"),
        "quotes": ("„Wir geben nicht auf“, sagte sie.", "„Teilen Sie diesen Artikel“, stand auf dem Plakat."),
        "short": ("Warum jetzt?", "Noch nicht.", "Sanktionen", "Wie geht es weiter"),
        "body": ("Der Stadtrat stimmte am Dienstag für die Sperrung der alten Brücke.",
                 "Ingenieure hatten Risse in zwei Pfeilern gefunden.",
                 "Die Reparatur soll mindestens sechs Monate dauern."),
    },
    "fr": {
        "names": ("Marie Dubois", "Jean Martin", "Sophie Laurent", "Pierre Lefèvre",
                  "Camille Moreau", "Luc Girard"),
        "datelines": ("PARIS (AFP) -", "LYON, 3 mars (Reuters) -"),
        "bylines": ("Par {name}", "Par {name} et {name2}", "Auteur : {name}"),
        "captions": ("Photo : {name} à Paris {day}", "Photo : {name} à l'Élysée"),
        "quotes": ("« Nous ne céderons pas », a-t-elle déclaré.", "« Partagez la vérité »"),
        "short": ("Pourquoi maintenant ?", "Pas encore.", "Sanctions", "Et après"),
        "body": ("Le conseil municipal a voté mardi la fermeture du vieux pont.",
                 "Les ingénieurs ont découvert des fissures dans deux piliers.",
                 "Les travaux devraient durer au moins six mois."),
    },
    "es": {
        "names": ("Juan García", "María Fernández", "Carlos Ruiz", "Lucía Martín",
                  "Javier López", "Ana de la Fuente"),
        "datelines": ("MADRID, 3 mar (Reuters) -", "BARCELONA (EFE) -"),
        "bylines": ("Por {name}", "Por {name} y {name2}"),
        "captions": ("Foto: {name} en Madrid el {day}", "{name} en el Congreso. EFE/{name2}"),
        "quotes": ("«No nos rendiremos», dijo.", "“Síguenos en redes”, pedía el cartel."),
        "short": ("¿Por qué ahora?", "Todavía no.", "Sanciones", "Qué pasa ahora"),
        "body": ("El ayuntamiento votó el martes el cierre del viejo puente.",
                 "Los ingenieros encontraron grietas en dos pilares.",
                 "Las obras durarán al menos seis meses."),
    },
    "pl": {
        "names": ("Jan Nowak", "Anna Kowalska", "Piotr Wiśniewski", "Katarzyna Wójcik",
                  "Tomasz Kamiński", "Magdalena Lewandowska"),
        "datelines": ("WARSZAWA (PAP) -", "KRAKÓW, 3 marca (Reuters) -"),
        "bylines": ("Autor: {name}", "Autorka: {name}"),
        "captions": ("Fot. {name}/PAP", "{name} przed Sejmem {day}"),
        "quotes": ("„Nie poddamy się” – powiedziała.", "„Udostępnij dalej” – apelowali."),
        "short": ("Dlaczego teraz?", "Jeszcze nie.", "Sankcje", "Co dalej"),
        "body": ("Rada miasta zagłosowała we wtorek za zamknięciem starego mostu.",
                 "Inżynierowie znaleźli pęknięcia w dwóch filarach.",
                 "Naprawa potrwa co najmniej pół roku."),
    },
    "it": {
        "names": ("Giulia Rossi", "Marco Bianchi", "Francesca Romano", "Luca Ferrari",
                  "Chiara Esposito", "Matteo Ricci"),
        "datelines": ("ROMA, 3 marzo (ANSA) -", "MILANO —"),
        "bylines": ("Di {name}", "di {name}", "Autore: {name}"),
        "captions": ("Foto: {name} a Roma {day}", "{name} a Palazzo Chigi. ANSA/{name2}"),
        "quotes": ("«Non ci arrenderemo», ha detto.", "«Seguici su Telegram», diceva il volantino."),
        "short": ("Perché ora?", "Non ancora.", "Sanzioni", "E adesso"),
        "body": ("Il consiglio comunale ha votato martedì la chiusura del vecchio ponte.",
                 "Gli ingegneri hanno trovato crepe in due piloni.",
                 "I lavori dureranno almeno sei mesi."),
    },
}

_APPS = ("Telegram", "WhatsApp", "Signal", "VK", "Viber", "Facebook", "Odnoklassniki")
_TEAMS = ("Spain", "Ukraine", "Sweden", "Poland", "France", "Italy")
CONTENT_KINDS = ("dateline", "byline", "caption", "quote", "name_list", "short_line", "table")


@dataclass
class GeneratedArticle:
    name: str
    language: str
    text: str
    content: dict[str, list[str]] = field(default_factory=dict)  # kind -> its lines
    boilerplate: list[str] = field(default_factory=list)


# The sentence that makes each story its own: who said what, when, with a figure.
_REPORTS = {
    "en": "{name} said on {day} that {count} families had been moved to temporary housing.",
    "ru": "{name} сообщил {day}, что {count} семей переселены во временное жильё.",
    "uk": "{name} повідомив {day}, що {count} родин переселили до тимчасового житла.",
    "de": "{name} sagte am {day}, {count} Familien seien in Notunterkünfte gezogen.",
    "fr": "{name} a indiqué {day} que {count} familles avaient été relogées.",
    "es": "{name} dijo el {day} que {count} familias fueron realojadas.",
    "pl": "{name} powiedział {day}, że {count} rodzin przeniesiono do mieszkań tymczasowych.",
    "it": "{name} ha detto {day} che {count} famiglie sono state trasferite.",
}

# A short question about someone, the other kind of one-line paragraph.
_ASIDES = {"en": "And {name}?", "ru": "А {name}?", "uk": "А {name}?", "de": "Und {name}?",
           "fr": "Et {name} ?", "es": "¿Y {name}?", "pl": "A {name}?", "it": "E {name}?"}

# Days of the month: a caption says when its picture was taken.
_DAYS = {"en": "March {n}", "ru": "{n} марта", "uk": "{n} березня", "de": "{n}. März",
         "fr": "le {n} mars", "es": "{n} de marzo", "pl": "{n} marca", "it": "il {n} marzo"}


def _fill(template: str, rng: random.Random, names: tuple[str, ...], language: str = "en") -> str:
    name, name2 = rng.sample(names, 2)
    day = _DAYS[language].format(n=rng.randint(1, 28))
    return template.replace("{count}", "{{count}}").format(name=name, name2=name2, day=day)


_INTRODUCTIONS = ("The list includes:", "Among them:", "В список вошли:", "Среди них:", "Darunter:",
                  "Parmi eux :", "Entre ellos:", "Wśród nich:", "Tra loro:")


def name_list(rng: random.Random, names: tuple[str, ...]) -> list[str]:
    """A list of names in one of the forms news sites use; the lines it adds. A list of
    bare app names, one a line, is introduced ("Among them:"), as lists are: without that
    it could not be told from a share bar."""
    chosen = rng.sample(names, min(len(names), rng.randint(3, 5)))
    form = rng.choice(("bullet", "dash", "em_dash", "number", "paren", "row", "bare", "apps", "roles"))
    if form == "row":
        return [rng.choice((" · ", " | ", " / ", " • ")).join(chosen)]
    if form == "apps":
        chosen = rng.sample(_APPS, 4)
        return [f"• {app}" for app in chosen] if rng.random() < 0.5 else chosen
    marks = {"bullet": "• ", "dash": "- ", "em_dash": "— ", "bare": "", "roles": "• "}
    if form in ("number", "paren"):
        return [f"{n}{'.' if form == 'number' else ')'} {name}" for n, name in enumerate(chosen, 1)]
    suffix = ", депутат" if form == "roles" else ""
    return [f"{marks[form]}{name}{suffix}" for name in chosen]


def results_table(rng: random.Random, names: tuple[str, ...]) -> list[str]:
    """A table of results: a head and rows of figures, or a list of scores."""
    form = rng.choice(("league", "votes", "scores"))
    if form == "league":
        rows = [f"{team} | {rng.randint(1, 5)} | {rng.randint(0, 3)} | {rng.randint(0, 2)} | "
                f"{rng.randint(0, 9)}" for team in rng.sample(_TEAMS, 3)]
        return ["Team | P | W | L | Pts", *rows]
    if form == "votes":
        rows = [f"{name} | {rng.randint(1000, 99999):,} | {rng.randint(1, 60)}.{rng.randint(0, 9)}%"
                for name in rng.sample(names, 3)]
        return ["Candidate | Votes | Share", *rows]
    home, away = rng.sample(_TEAMS, 2)
    return [f"{home} {rng.randint(0, 4)}-{rng.randint(0, 4)} {away}" for _ in range(2)]


def content_article(seed: int, language: str | None = None, furniture: int = 3) -> GeneratedArticle:
    """One article with every kind of content line, plus ``furniture`` lines of generated
    page furniture as their own paragraphs, where ``inject_boilerplate`` puts them."""
    rng = random.Random(seed)
    language = language or rng.choice(sorted(LANGUAGES))
    parts = LANGUAGES[language]
    names = parts["names"]
    content: dict[str, list[str]] = {kind: [] for kind in CONTENT_KINDS}

    def line(kind: str, text: str) -> str:
        content[kind].append(text)
        return text

    body = list(parts["body"])
    rng.shuffle(body)
    report = _fill(_REPORTS[language], rng, names, language).replace("{count}", str(rng.randint(12, 9999)))
    paragraphs = [
        line("dateline", rng.choice(parts["datelines"])),
        line("byline", _fill(rng.choice(parts["bylines"]), rng, names)),
        " ".join([report, *body[:2]]),
        line("caption", _fill(rng.choice(parts["captions"]), rng, names, language)),
        line("quote", _fill(rng.choice(parts["quotes"]), rng, names)),
        "\n".join([rng.choice(_INTRODUCTIONS), *(line("name_list", item) for item in name_list(rng, names))]),
        line("short_line", rng.choice((rng.choice(parts["short"]), _fill(_ASIDES[language], rng, names)))),
        " ".join(body[2:]) or body[0],
        "\n".join(line("table", row) for row in results_table(rng, names)),
    ]
    furniture_lines = []
    for _ in range(furniture):
        furniture_lines.append(boilerplate_line(rng))
        paragraphs.insert(rng.randint(2, len(paragraphs)), furniture_lines[-1])
    return GeneratedArticle(f"{language}/{seed}", language, "\n\n".join(paragraphs), content, furniture_lines)


# Site templates that no vocabulary knows: taglines, promos and labels in each language.
_TEMPLATES = (
    "{site} is reader-funded",
    "Наши новости в Дзене",
    "Реклама",
    "Unterstützen Sie unabhängigen Journalismus",
    "Retrouvez {site} sur votre mobile",
    "Todas las noticias de {site}",
    "Wspieraj niezależne dziennikarstwo",
    "Iscriviti al canale di {site}",
    "all stories from {site} are free to read",
)


_SITE_NAMES = ("Alder Post", "Birch Herald", "Cedar Times", "Dune Courier", "Elm Gazette", "Fjord Daily",
               "Glen Observer", "Heath Ledger", "Isle Chronicle", "Juniper Wire", "Kestrel News",
               "Larch Review")


@dataclass
class PublisherArticle:
    publisher: str
    url: str
    text: str
    template: list[str]
    content: list[str]
    wire: bool = False


def _wire_story(rng: random.Random) -> tuple[str, list[str]]:
    """The agency story every publisher reprints: the same text, the same content lines."""
    names = LANGUAGES["en"]["names"]
    lines = ["KYIV, March 3 (Reuters) -", "By Jane Doe", "“We will not give up,” she said.",
             *(f"• {name}" for name in names[:4]), "Reporting by Tom Baker; Editing by Aisha Khan"]
    body = ("Ukraine and Russia traded accusations on Tuesday after talks on a prisoner exchange "
            "broke down for the third time this month, officials on both sides said.")
    return "\n\n".join([body, *lines]), lines


def publisher_run(publishers: int = 12, seed: int = 11, extra_publishers: int = 0) -> list[PublisherArticle]:
    """Articles of ``publishers`` sites (4 to 40 stories each, each with its template and
    the content it repeats), one wire reprint per site, and ``extra_publishers`` sites of
    plain stories that only make the run larger."""
    rng = random.Random(seed)
    wire_text, wire_lines = _wire_story(rng)
    run: list[PublisherArticle] = []
    for number in range(publishers):
        site = f"site{number}.example"
        name = _SITE_NAMES[number % len(_SITE_NAMES)]
        template = [t.format(site=name) for t in rng.sample(_TEMPLATES, 2)]
        language = sorted(LANGUAGES)[number % len(LANGUAGES)]
        names = LANGUAGES[language]["names"]
        staff = f"By {names[number % len(names)]}"
        standing = [f"• {name}" for name in names[:3]]
        for story in range(rng.randint(4, 40)):
            article = content_article(seed * 1000 + number * 100 + story, language, furniture=0)
            repeated = [staff, *standing, "The ministry did not respond to a request for comment."]
            text = "\n\n".join([article.text, "\n".join(standing), repeated[-1], staff, *template])
            lines = [item for kind in CONTENT_KINDS for item in article.content[kind]] + repeated
            run.append(PublisherArticle(site, f"https://{site}/{story}", text, template, lines))
        run.append(PublisherArticle(site, f"https://{site}/wire", "\n\n".join([wire_text, *template]),
                                    template, wire_lines, wire=True))
    for number in range(extra_publishers):
        site = f"filler{number}.example"
        for story in range(rng.randint(4, 40)):
            article = content_article(seed * 7919 + number * 100 + story, furniture=0)
            run.append(PublisherArticle(site, f"https://{site}/{story}", article.text, [],
                                        [item for kind in CONTENT_KINDS for item in article.content[kind]]))
    return run
