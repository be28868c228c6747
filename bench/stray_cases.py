"""Generated stray-script cases for ``make eval``: words of eight scripts put into news
sentences of copydesk's seven languages, either dropped in as a machine-translation leftover
(stray: Repair should remove them) or used on purpose (legitimate: quoted, bracketed,
explained, a name, a list item, a phrase, repeated; Repair should keep them).

The sentences, vocabulary and phrasings are written here for the eval, not taken from the
cue lists in ``transforms/repair/stray_signs.py``; some phrasings have no cue those lists know
("Locals call the bakery X", "flights to X" with a name in a script without case), so the
figures show where the signs run out. Every case is reproducible from its seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SCRIPTS = ("Arabic", "Cyrillic", "Greek", "Hebrew", "CJK", "Devanagari", "Armenian", "Georgian")
HOST_SCRIPT = {"en": "Latin", "fr": "Latin", "es": "Latin", "de": "Latin", "ru": "Cyrillic",
               "uk": "Cyrillic", "ar": "Arabic"}

# Per script: common words (no capitals, so never names) meaning peace, city, book, sea and
# bread; a writer; a city.
VOCABULARY = {
    "Arabic": (("سلام", "مدينة", "كتاب", "بحر", "خبز"), "درويش", "بيروت"),
    "Cyrillic": (("мир", "город", "книга", "море", "хлеб"), "Пушкин", "Казань"),
    "Greek": (("ειρήνη", "πόλη", "βιβλίο", "θάλασσα", "ψωμί"), "Καβάφης", "Πάτρα"),
    "Hebrew": (("שלום", "עיר", "ספר", "ים", "לחם"), "עגנון", "חיפה"),
    "CJK": (("和平", "城市", "图书", "大海", "面包"), "鲁迅", "杭州"),
    "Devanagari": (("शांति", "शहर", "किताब", "समुद्र", "रोटी"), "प्रेमचंद", "वाराणसी"),
    "Armenian": (("խաղաղություն", "քաղաք", "գիրք", "ծով", "հաց"), "Թումանյան", "Գյումրի"),
    "Georgian": (("მშვიდობა", "ქალაქი", "წიგნი", "ზღვა", "პური"), "რუსთაველი", "ბათუმი"),
}
CASED = frozenset({"Cyrillic", "Greek", "Armenian"})

MEANINGS = {
    "en": ("peace", "city", "book", "sea", "bread"),
    "fr": ("paix", "ville", "livre", "mer", "pain"),
    "es": ("paz", "ciudad", "libro", "mar", "pan"),
    "de": ("Frieden", "Stadt", "Buch", "Meer", "Brot"),
    "ru": ("мир", "город", "книга", "море", "хлеб"),
    "uk": ("мир", "місто", "книга", "море", "хліб"),
    "ar": ("سلام", "مدينة", "كتاب", "بحر", "خبز"),
}
# The script's language named in the host language, as the templates need it.
LANGUAGE_NAMES = {
    "en": dict(zip(SCRIPTS, ("Arabic", "Russian", "Greek", "Hebrew", "Chinese", "Hindi", "Armenian",
                             "Georgian"))),
    "fr": dict(zip(SCRIPTS, ("arabe", "russe", "grec", "hébreu", "chinois", "hindi", "arménien",
                             "géorgien"))),
    "es": dict(zip(SCRIPTS, ("árabe", "ruso", "griego", "hebreo", "chino", "hindi", "armenio",
                             "georgiano"))),
    "de": dict(zip(SCRIPTS, ("Arabisch", "Russisch", "Griechisch", "Hebräisch", "Chinesisch",
                             "Hindi", "Armenisch", "Georgisch"))),
    "ru": dict(zip(SCRIPTS, ("По-арабски", "-", "По-гречески", "На иврите", "По-китайски", "На хинди",
                             "По-армянски", "По-грузински"))),
    "uk": dict(zip(SCRIPTS, ("Арабською", "-", "Грецькою", "Івритом", "Китайською", "Мовою гінді",
                             "Вірменською", "Грузинською"))),
    "ar": dict(zip(SCRIPTS, ("-", "بالروسية", "باليونانية", "بالعبرية", "بالصينية", "بالهندية",
                             "بالأرمنية", "بالجورجية"))),
}

SENTENCES = {
    "en": (
        "The council approved the new budget after a long debate on Tuesday evening.",
        "Rescue teams worked through the night to reach villages cut off by the floods.",
        "The central bank kept interest rates unchanged for the third month in a row.",
        "Thousands of fans waited outside the stadium for hours before the final.",
        "The museum will reopen in spring after two years of repairs to its roof.",
        "Farmers say the dry summer has cut their harvest by almost half.",
    ),
    "fr": (
        "Le conseil municipal a adopté le nouveau budget après un long débat mardi soir.",
        "Les secours ont travaillé toute la nuit pour atteindre les villages isolés.",
        "La banque centrale a maintenu ses taux inchangés pour le troisième mois.",
        "Des milliers de supporters ont attendu devant le stade pendant des heures.",
        "Le musée rouvrira au printemps après deux ans de travaux sur sa toiture.",
        "Les agriculteurs estiment que la sécheresse a réduit leur récolte de moitié.",
    ),
    "es": (
        "El ayuntamiento aprobó el nuevo presupuesto tras un largo debate el martes.",
        "Los equipos de rescate trabajaron toda la noche para llegar a los pueblos aislados.",
        "El banco central mantuvo los tipos de interés sin cambios por tercer mes.",
        "Miles de aficionados esperaron durante horas frente al estadio antes de la final.",
        "El museo volverá a abrir en primavera después de dos años de obras en el tejado.",
        "Los agricultores dicen que el verano seco ha reducido su cosecha casi a la mitad.",
    ),
    "de": (
        "Der Stadtrat hat den neuen Haushalt nach langer Debatte am Dienstag beschlossen.",
        "Rettungskräfte arbeiteten die ganze Nacht, um die abgeschnittenen Dörfer zu erreichen.",
        "Die Zentralbank ließ die Zinsen den dritten Monat in Folge unverändert.",
        "Tausende Fans warteten stundenlang vor dem Stadion auf das Finale.",
        "Das Museum öffnet im Frühjahr wieder, nachdem das Dach zwei Jahre lang repariert wurde.",
        "Die Landwirte sagen, der trockene Sommer habe ihre Ernte fast halbiert.",
    ),
    "ru": (
        "Городской совет утвердил новый бюджет после долгих дебатов во вторник.",
        "Спасатели всю ночь пытались добраться до отрезанных наводнением сёл.",
        "Центральный банк третий месяц подряд оставил ставку без изменений.",
        "Тысячи болельщиков несколько часов ждали у стадиона начала финала.",
        "Музей откроется весной после двух лет ремонта крыши.",
        "Фермеры говорят, что засушливое лето сократило урожай почти вдвое.",
    ),
    "uk": (
        "Міська рада ухвалила новий бюджет після довгих дебатів у вівторок.",
        "Рятувальники всю ніч намагалися дістатися до відрізаних повінню сіл.",
        "Національний банк третій місяць поспіль залишив облікову ставку без змін.",
        "Тисячі вболівальників кілька годин чекали біля стадіону на початок фіналу.",
        "Музей відкриється навесні після двох років ремонту даху.",
        "Фермери кажуть, що посушливе літо скоротило врожай майже вдвічі.",
    ),
    "ar": (
        "وافق المجلس البلدي على الميزانية الجديدة بعد نقاش طويل مساء الثلاثاء.",
        "عملت فرق الإنقاذ طوال الليل للوصول إلى القرى التي عزلتها الفيضانات.",
        "أبقى البنك المركزي أسعار الفائدة دون تغيير للشهر الثالث على التوالي.",
        "انتظر آلاف المشجعين ساعات أمام الملعب قبل المباراة النهائية.",
        "سيعاد افتتاح المتحف في الربيع بعد عامين من إصلاح سقفه.",
        "يقول المزارعون إن الصيف الجاف خفض محصولهم إلى النصف تقريبا.",
    ),
}

# One sentence per language with a comma in it.
COMMA_SENTENCES = {
    "en": "After the vote, the mayor thanked the volunteers who had run the polling stations.",
    "fr": "Après le vote, le maire a remercié les bénévoles des bureaux de vote.",
    "es": "Tras la votación, el alcalde agradeció su trabajo a los voluntarios.",
    "de": "Nach der Abstimmung dankte der Bürgermeister, wie erwartet, den Freiwilligen.",
    "ru": "После голосования мэр поблагодарил волонтёров, работавших на участках.",
    "uk": "Після голосування мер подякував волонтерам, які працювали на дільницях.",
    "ar": "بعد التصويت، شكر رئيس البلدية المتطوعين الذين أداروا مراكز الاقتراع.",
}

# Phrasings of an explained word: {word}, {lang} (the language named) and {meaning}.
EXPLAINED = {
    "en": (
        "In {lang}, {word} means {meaning}, and the word is painted on the harbour wall.",
        "The {lang} word {word} simply means {meaning}.",
        "{word} is the {lang} word for {meaning}, the guide told visitors.",
        "The old quarter, known locally as {word}, was rebuilt after the fire.",
        "Locals call the bakery {word}, after the {lang} word for {meaning}.",
    ),
    "fr": (
        "En {lang}, {word} signifie {meaning}.",
        "Le mot {word} veut dire {meaning} en {lang}.",
        "Le vieux quartier, appelé {word} par les habitants, a été reconstruit.",
        "On dit {word} en {lang} pour désigner ce lieu.",
    ),
    "es": (
        "En {lang}, {word} significa {meaning}.",
        "La palabra {word} quiere decir {meaning} en {lang}.",
        "El barrio antiguo, conocido como {word}, fue reconstruido tras el incendio.",
        "Los vecinos lo llaman {word}, que en {lang} significa {meaning}.",
    ),
    "de": (
        "Auf {lang} bedeutet {word} {meaning}.",
        "Das Wort {word} heißt auf {lang} {meaning}.",
        "Die Altstadt, von den Bewohnern {word} genannt, wurde nach dem Brand wieder aufgebaut.",
    ),
    "ru": (
        "{lang} {word} означает «{meaning}».",
        "Слово {word} переводится как «{meaning}».",
        "Старый квартал, который местные называют {word}, восстановили после пожара.",
    ),
    "uk": (
        "{lang} {word} означає «{meaning}».",
        "Слово {word} перекладається як «{meaning}».",
        "Старий квартал, який місцеві називають {word}, відбудували після пожежі.",
    ),
    "ar": (
        "وتعني كلمة {word} {meaning} {lang}.",
        "{lang}، {word} تعني {meaning}.",
        "أعيد بناء الحي القديم المعروف محليا باسم {word} بعد الحريق.",
    ),
}
# A writer after a title, and a city after a preposition.
NAMED = {
    "en": ("The poet {writer} read from a new collection on Friday.",
           "Flights to {city} resumed after the storm."),
    "fr": ("Le poète {writer} a lu de nouveaux textes vendredi.",
           "Les vols vers {city} ont repris après la tempête."),
    "es": ("El poeta {writer} leyó nuevos poemas el viernes.",
           "Los vuelos a {city} se reanudaron tras la tormenta."),
    "de": ("Der Dichter {writer} las am Freitag aus neuen Texten.",
           "Die Flüge nach {city} wurden nach dem Sturm wieder aufgenommen."),
    "ru": ("Поэт {writer} в пятницу прочитал новые стихи.",
           "Рейсы в {city} возобновились после шторма."),
    "uk": ("Поет {writer} у п'ятницю прочитав нові вірші.",
           "Рейси до {city} відновилися після шторму."),
    "ar": ("قرأ الشاعر {writer} قصائد جديدة يوم الجمعة.",
           "استؤنفت الرحلات إلى {city} بعد العاصفة."),
}
# A list of greetings; {items} is filled with four items, one of them the foreign word.
LISTS = {
    "en": ("The sign at the border greets visitors in four languages: {items}.", " and ",
           ("welcome", "bienvenue", "willkommen")),
    "fr": ("Le panneau à la frontière accueille les visiteurs en quatre langues : {items}.", " et ",
           ("bienvenue", "welcome", "willkommen")),
    "es": ("El cartel de la frontera saluda a los visitantes en cuatro idiomas: {items}.", " y ",
           ("bienvenidos", "welcome", "willkommen")),
    "de": ("Das Schild an der Grenze begrüßt Besucher in vier Sprachen: {items}.", " und ",
           ("willkommen", "welcome", "bienvenue")),
    "ru": ("Табличка на границе приветствует гостей на четырёх языках: {items}.", " и ",
           ("добро пожаловать", "welcome", "bienvenue")),
    "uk": ("Табличка на кордоні вітає гостей чотирма мовами: {items}.", " і ",
           ("ласкаво просимо", "welcome", "bienvenue")),
    "ar": ("ترحب اللافتة على الحدود بالزوار بأربع لغات: {items}.", " و",
           ("أهلا وسهلا", "welcome", "bienvenue")),
}
QUOTES = {"en": ("“", "”"), "fr": ("« ", " »"), "es": ("«", "»"), "de": ("„", "“"),
          "ru": ("«", "»"), "uk": ("«", "»"), "ar": ("«", "»")}


@dataclass(frozen=True, slots=True)
class StrayCase:
    kind: str
    stray: bool  # True: a leftover Repair should remove; False: a word it must keep
    host: str
    script: str
    text: str
    words: tuple[str, ...]
    expected: str  # the paragraph as Repair should leave it


def _insert(sentence: str, word: str, rng: random.Random, where: str) -> tuple[str, str]:
    """The sentence with ``word`` put in ("start", "middle" or "end"), and the sentence as it
    reads once a stray word is taken out."""
    words = sentence.split(" ")
    if where == "start":
        position = 0
    elif where == "end":
        position = len(words)
        last = words[-1]
        words[-1] = last[:-1]
        return " ".join(words + [word]) + last[-1], sentence
    else:
        position = rng.randint(1, len(words) - 1)
    return " ".join(words[:position] + [word] + words[position:]), sentence


def _case(kind, stray, host, script, rng, sentence, words, clean=None) -> StrayCase:
    before, after = rng.sample([s for s in SENTENCES[host] if s != sentence and s != clean], 2)
    text = f"{before} {sentence} {after}"
    expected = f"{before} {clean if stray else sentence} {after}"
    return StrayCase(kind, stray, host, script, text, tuple(words), expected)


def generate(seed: int = 14) -> list[StrayCase]:
    """Every kind of case for every host language and every script foreign to it."""
    rng = random.Random(seed)
    cases: list[StrayCase] = []
    for host, host_script in HOST_SCRIPT.items():
        for script in SCRIPTS:
            if script == host_script:
                continue
            vocabulary = VOCABULARY[script][0]
            for number, sentence in enumerate(SENTENCES[host][:3]):
                word = vocabulary[number % len(vocabulary)]
                for where in ("start", "middle", "end"):
                    damaged, clean = _insert(sentence, word, rng, where)
                    cases.append(_case(f"stray word at the {where} of a sentence", True, host, script, rng,
                                       damaged, [word], clean))
            # Harder places: after a comma, and capitalised at a sentence start (where a
            # script with case makes it look like a name).
            word = rng.choice(vocabulary)
            clean = COMMA_SENTENCES[host]
            comma = clean.index(" ", clean.index("،" if host == "ar" else ",")) + 1
            cases.append(_case("stray word after a comma", True, host, script, rng,
                               f"{clean[:comma]}{word} {clean[comma:]}", [word], clean))
            if script in CASED:
                sentence = rng.choice(SENTENCES[host])
                capital = word[0].upper() + word[1:]
                cases.append(_case("stray word capitalised at the start of a sentence", True, host, script,
                                   rng, f"{capital} {sentence}", [capital], sentence))
            cases += _legitimate(host, script, rng)
    return cases


def _legitimate(host: str, script: str, rng: random.Random) -> list[StrayCase]:
    vocabulary, writer, city = VOCABULARY[script]
    out = []
    open_quote, close_quote = QUOTES[host]
    sentence = rng.choice(SENTENCES[host])
    word = rng.choice(vocabulary)
    quoted, _ = _insert(sentence, f"{open_quote}{word}{close_quote}", rng, "middle")
    out.append(_case("quoted", False, host, script, rng, quoted, [word]))
    words = sentence.split(" ")
    position = rng.randint(1, len(words) - 1)
    bracketed = " ".join(words[:position] + [f"({word})"] + words[position:])
    out.append(_case("bracketed", False, host, script, rng, bracketed, [word]))
    language = LANGUAGE_NAMES[host][script]
    for template in EXPLAINED[host]:
        number = rng.randrange(len(vocabulary))
        text = template.format(word=vocabulary[number], lang=language, meaning=MEANINGS[host][number])
        out.append(_case("explained", False, host, script, rng, text, [vocabulary[number]]))
    writer_template, city_template = NAMED[host]
    case_note = "with case" if script in CASED else "without case"
    out.append(_case(f"name after a title, script {case_note}", False, host, script, rng,
                     writer_template.format(writer=writer), [writer]))
    out.append(_case(f"name after a preposition, script {case_note}", False, host, script, rng,
                     city_template.format(city=city), [city]))
    template, conjunction, others = LISTS[host]
    for slot in (0, 1, 3):
        items = list(others)
        items.insert(slot, word)
        text = template.format(items=", ".join(items[:3]) + conjunction + items[3])
        out.append(_case("list item", False, host, script, rng, text, [word]))
    first, second = rng.sample(vocabulary, 2)
    phrase, _ = _insert(sentence, f"{first} {second}", rng, "middle")
    out.append(_case("phrase of two words", False, host, script, rng, phrase, [first, second]))
    # The same word twice in one article: a term the article uses, not a leftover.
    again = rng.choice([s for s in SENTENCES[host] if s != sentence])
    one, _ = _insert(sentence, word, rng, "middle")
    two, _ = _insert(again, word, rng, "middle")
    out.append(_case("repeated in the article", False, host, script, rng, f"{one} {two}", [word]))
    return out
