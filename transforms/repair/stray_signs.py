"""Signs in the words around a foreign-script word that the writer put it there on purpose:
it is explained ("ВІКІ is Ukrainian for WIKI", "known locally as ...", "від грецького слова
..."), it is a name (a capital letter in a script with case, or a word right after a title
such as "the poet"), or it is an item of a list ("peace: мир, paix, سلام"). A
machine-translation leftover has none of these (seed 001).

The cue words cover the languages copydesk reads (English, French, Spanish, German, Russian,
Ukrainian, Arabic, and some Italian and Portuguese); a cue in another language is not seen,
and the word may then be removed, so the lists err towards more cues. A name in a script
without case after a mere preposition ("flights to بيروت") has no sign at all and goes.
"""

from __future__ import annotations

import re

# Language and script names, as word starts: "Greek", "grec", "griechisch", "грецького".
# Adjective stems only, never a country's name: "на Украине" is not "in Ukrainian".
_CYRILLIC_NAMES = (
    r"украинск|русск|китайск|японск|корейск|грузинск|арабск|персидск|армянск|греческ|"
    r"белорусск|болгарск|сербск|иврит|хинди|кирилл|"
    r"українськ|російськ|китайськ|японськ|корейськ|грузинськ|арабськ|перськ|вірменськ|"
    r"грецьк|білоруськ|болгарськ|сербськ|іврит|гінді|хінді|кирил"
)
_LANGUAGE = (
    r"\b(?:"
    r"arabic|aramaic|armenian|belarusian|bengali|bulgarian|burmese|cantonese|chinese|cyrillic|"
    r"farsi|georgian|greek|gujarati|hangul|hebrew|hindi|hiragana|japanese|kanji|katakana|"
    r"kazakh|khmer|korean|kurdish|macedonian|mandarin|marathi|mongolian|nepali|pashto|"
    r"persian|punjabi|russian|sanskrit|serbian|syriac|tamil|telugu|thai|tibetan|ukrainian|"
    r"urdu|yiddish|amharic|"
    r"arabe|araméen|arménien|biélorusse|bulgare|chinois|cyrillique|géorgien|grec|hébreu|"
    r"japonais|coréen|persan|russe|serbe|ukrainien|ourdou|"
    r"árabe|armenio|chino|cirílico|georgiano|griego|hebreo|japonés|coreano|persa|ruso|serbio|"
    r"ucraniano|"
    r"arabisch|armenisch|chinesisch|georgisch|griechisch|hebräisch|japanisch|koreanisch|"
    r"persisch|russisch|serbisch|ukrainisch|kyrillisch|"
    r"greco|ebraico|cinese|giapponese|russo|ucraino|grego|hebraico|chinês|japonês|"
    rf"{_CYRILLIC_NAMES}"
    r")\w*"
)
# One word for "in Greek": по-гречески, грецькою, باليونانية.
_ADVERB_FORM = (
    rf"\b(?:по-(?:{_CYRILLIC_NAMES})\w*|(?:{_CYRILLIC_NAMES})\w*ою"
    r"|بال(?:روسي|يوناني|عبري|صيني|ياباني|أرمني|ارمني|جورجي|هندي|أوكراني|فارسي|عربي)\w*)"
)
_IN = r"\b(?:in|en|auf|im|na|em|на|по|в|у)"
# Nouns that introduce a quoted term: "the Greek word X", "грецького слова X".
_TERM = (
    r"(?:word|words|term|name|phrase|expression|slogan|motto|for|mot|terme|nom|devise|palabra|"
    r"término|nombre|lema|wort|begriff|parola|termine|palavra|слово|слова|термін|терміна|"
    r"термин|термина|назва|название|выражение|вираз|девиз|гасло)"
)
# Verbs and nouns that name or gloss what follows them: "known locally as X", "called X".
_NAMING = (
    r"(?:known|called|named|dubbed|nicknamed|termed|titled|entitled|spelled|spelt|written|"
    r"pronounced|meaning|means|reads|labelled|labeled|word|term|phrase|slogan|motto|"
    r"appelée?s?|nommée?s?|surnommée?s?|intitulée?s?|mot|terme|devise|"
    r"llamad[oa]s?|conocid[oa]s?|denominad[oa]s?|apodad[oa]s?|palabra|término|lema|"
    r"genannt|namens|wort|begriff|chiamat[oaie]|dett[oaie]|parola|chamad[oa]s?|palavra|"
    r"называем\w*|называ\w*|назван\w*|зван\w*|називаю\w*|називає\w*|назива\w*|слово|термин|"
    r"термін|девиз|гасло|означа\w*|signifie|significa|bedeutet|"
    r"كلمة|يسمى|تسمى|يسمونه|يسمونها|باسم|تعني|يعني|بمعنى)"
)
_ADVERBS = (
    r"(?:\s+(?:locally|simply|also|often|here|there|affectionately|in\s+\w+|localement|aussi|"
    r"también|localmente|auch|hier|anche|também|также|тоже|також|тут|местными|місцевими))*"
)
_AS = r"(?:\s+(?:as|comme|como|als|come|как|як|sous\s+le\s+nom\s+de|con\s+el\s+nombre\s+de))?"

_EXPLAINED_BEFORE = re.compile(
    rf"(?:{_IN}\s+(?:the\s+)?{_LANGUAGE}|{_LANGUAGE}(?:\s+\w+)?\s+{_TERM}|\b{_NAMING}{_ADVERBS}{_AS}"
    rf"|{_ADVERB_FORM})\s*[,:،]?\s*$",
    re.IGNORECASE,
)
_MEANS = (
    r"(?:means?|meaning|meant|stands\s+for|translates|translated|literally|which\s+means|"
    r"that\s+is|i\.e\.|signifie|qui\s+signifie|veut\s+dire|qui\s+veut\s+dire|littéralement|"
    r"significa|que\s+significa|quiere\s+decir|literalmente|bedeutet|heißt|wörtlich|"
    r"vuol\s+dire|cioè|quer\s+dizer|означает|что\s+означает|означає|що\s+означає|"
    r"переводится|перекладається|буквально|то\s+есть|тобто|genannt|تعني|يعني|أي|بمعنى)\b"
)
_EXPLAINED_AFTER = re.compile(
    rf"^\s*[,:;—–-]?\s*(?:{_MEANS}"
    rf"|(?:is|are|was|were|est|es|ist|è|é|это|це|—|–|-)\s+(?:the\s+|an?\s+|le\s+|la\s+|el\s+|das\s+)?"
    rf"{_LANGUAGE}|{_IN}\s+{_LANGUAGE}|{_ADVERB_FORM})",
    re.IGNORECASE,
)

# Titles and kinds of places and works that a name follows.
_ROLE = (
    r"president|minister|premier|chancellor|mayor|governor|senator|mr|mrs|ms|dr|sir|sheikh|"
    r"rabbi|imam|ayatollah|general|colonel|king|queen|prince|princess|poet|singer|writer|"
    r"author|novelist|artist|painter|composer|director|actor|actress|player|coach|city|town|"
    r"village|province|region|district|river|mount|lake|street|square|newspaper|magazine|"
    r"channel|party|company|band|album|film|novel|restaurant|"
    r"président|ministre|maire|poète|poétesse|chanteur|chanteuse|écrivain|écrivaine|auteur|"
    r"peintre|acteur|actrice|ville|rivière|fleuve|journal|rue|place|"
    r"presidente|ministra|alcalde|alcaldesa|poeta|poetisa|cantante|escritor|escritora|"
    r"pintor|pintora|actriz|ciudad|pueblo|río|periódico|diario|calle|plaza|"
    r"präsident|präsidentin|ministerin|bürgermeister|dichter|dichterin|sänger|sängerin|"
    r"schriftsteller|schriftstellerin|maler|malerin|schauspieler|schauspielerin|stadt|dorf|"
    r"fluss|zeitung|straße|platz|"
    r"президент|министр|міністр|мэр|мер|поэт|поэтесса|поет|поетеса|певец|певица|співак|"
    r"співачка|писатель|писательница|письменник|письменниця|художник|актёр|актер|актор|"
    r"актриса|акторка|город|города|місто|міста|село|деревня|река|реки|річка|газета|газеты|"
    r"улица|вулиця|площадь|площа|"
    r"الرئيس|الوزير|الشاعر|الشاعرة|المغني|المغنية|الكاتب|الكاتبة|الرسام|الممثل|الممثلة|"
    r"مدينة|قرية|نهر|صحيفة|شارع|الشيخ"
)
_TITLED = re.compile(
    rf"\b(?:{_ROLE})\.?(?:\s+(?:of|de|du|des|del|von|der|di))?\s*$", re.IGNORECASE
)

# Characters and words that separate the items of a list.
_ITEM_SEPARATORS = frozenset(",;/·•|、،")
_CONJUNCTIONS = frozenset(
    "and or et ou y o e und oder и или і й та або чи".split()
)
_LIST_END = frozenset(".!?…)")
_WORD_AFTER = re.compile(r"\s*(\w+)")
_WORD_BEFORE = re.compile(r"(\w+)\s*$")
# How much of the line either side is looked at for a cue.
_WINDOW = 60


# Later in the same clause: "X, after the Greek word for city", "X, que en árabe significa".
_NAMED_LATER = re.compile(rf"{_IN}\s+{_LANGUAGE}|{_LANGUAGE}\s+{_TERM}|{_ADVERB_FORM}", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;:](?:\s|$)")


def is_explained(line: str, start: int, end: int) -> bool:
    """A gloss names the word's language or what it means right before it, right after it,
    or later in the same clause."""
    before = line[max(0, start - _WINDOW) : start]
    after = line[end : end + _WINDOW]
    if _EXPLAINED_BEFORE.search(before) is not None or _EXPLAINED_AFTER.match(after) is not None:
        return True
    clause_end = _CLAUSE_END.search(after)
    return _NAMED_LATER.search(after[: clause_end.start() if clause_end else len(after)]) is not None


def is_name(line: str, start: int, end: int) -> bool:
    """A capital first letter in a script that has case (Київ, ВІКІ, Αθήνα), or a word
    right after a title or a kind of place ("the poet فيروز", "the city of 杭州") unless a
    capitalised name follows it, whose title that is ("President كتب Emmanuel Macron")."""
    first = next((char for char in line[start:end] if char.isalpha()), "")
    if first.isupper():
        return True
    if _TITLED.search(line[max(0, start - _WINDOW) : start]) is None:
        return False
    following = _WORD_AFTER.match(line, end)
    return following is None or not following.group(1)[:1].isupper()


def _side(line: str, index: int, step: int) -> str:
    """What separates the word from its neighbour on one side: a separator character, a
    conjunction, "" for the line's edge, or " " for a plain word."""
    if step < 0:
        text = line[max(0, index - _WINDOW) : index].rstrip()
        if not text:
            return ""
        if text[-1] in _ITEM_SEPARATORS or text[-1] == ":":
            return text[-1]
        word = _WORD_BEFORE.search(text)
    else:
        text = line[index : index + _WINDOW].lstrip()
        if not text:
            return ""
        if text[0] in _ITEM_SEPARATORS or text[0] in _LIST_END:
            return text[0]
        word = _WORD_AFTER.match(text)
    # A capitalised conjunction starts a sentence ("शहर And the talks..."): no list goes on.
    if word and word.group(1).casefold() in _CONJUNCTIONS and not word.group(1)[:1].isupper():
        return "and"
    return " "


def is_list_item(line: str, start: int, end: int) -> bool:
    """Separated from both neighbours as list items are: "мир, paix, سلام and שלום"."""
    left, right = _side(line, start, -1), _side(line, end, 1)
    if left in _ITEM_SEPARATORS or left == "and":
        return right != " "
    if left in ("", ":"):
        return right in _ITEM_SEPARATORS or right == "and"
    return False
