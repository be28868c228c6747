"""Site widgets that scrapers keep in the text: newsletter sign-up forms, video players,
share prompts, subscription pitches, advertising markers, page labels ("Article content",
"Live TV") and lines that are nothing but a photo credit, in the languages copydesk reads
(English, German, French, Spanish, Italian, Polish, Russian, Ukrainian).

Each pattern matches a whole line (after ``boilerplate`` trims bullets and edge
punctuation), or, for sign-up forms, a line made of two or more of a form's own phrases:
a sentence that mentions newsletters, subscriptions or live television is never a match.
"""

from __future__ import annotations

import re

_SOCIAL = (
    r"(?:facebook\w*|twitter\w*|x|whatsapp\w*|telegram\w*|linkedin\w*|reddit|pinterest|e-?mail"
    r"|messenger|flipboard|vk|vkontakte|вконтакте|одноклассники|viber|threads|bluesky)"
)
_NUMBER = r"\d{1,3}"
# What may follow a call to support journalism on the same line: a call to pay for it.
_PITCH = (
    r"(?:\s*[:.!,–—-])?\s+(?:subscribe|sign up|become|donate|join|jetzt|abonn|spend|suscr|haz|don|abbon"
    r"|wykup|zostań|подпиш|оформ|підпиш|став)[\w'’-]*(?: .{0,80})?"
)


def _lines(groups: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{name}>{'|'.join(parts)})" for name, parts in groups.items()))


# Whole lines, case-folded.
_WHOLE = _lines(
    {
        "video_player": (
            rf"the video will (?:start|play|begin) in {_NUMBER}(?: seconds?)?(?: cancel)?",
            r"(?:play|watch|replay) (?:the )?video|video (?:loading|unavailable|is loading)"
            r"|(?:click|tap) to (?:play|watch)(?: (?:click|tap) to (?:play|watch))?|now playing|up next",
            rf"(?:das )?video (?:startet|beginnt) in {_NUMBER}(?: sekunden)?"
            r"|video abspielen|video wird geladen",
            rf"la vidéo (?:va commencer|commence|démarre) dans {_NUMBER}(?: secondes?)?"
            r"|(?:lire|regarder) la vidéo",
            rf"el (?:video|vídeo) (?:comenzará|empezará) en {_NUMBER}(?: segundos?)?"
            r"|reproducir (?:el )?(?:video|vídeo)|ver (?:el )?(?:video|vídeo)",
            rf"il video (?:inizierà|partirà) (?:tra|fra) {_NUMBER}(?: secondi)?"
            r"|(?:guarda|riproduci) il video",
            rf"(?:wideo|film) rozpocznie się za {_NUMBER}(?: sekund[y]?)?|odtwórz (?:wideo|film)",
            rf"видео начн[её]тся через {_NUMBER}(?: секунд[уы]?)?|смотреть видео|воспроизвести видео",
            rf"відео почнеться через {_NUMBER}(?: секунд[уи]?)?|дивитися відео",
        ),
        "share_widget": (
            rf"share this (?:item|video|photo|image|gallery|link|story|article|page|post)"
            rf"(?: (?:on|via|to|with) {_SOCIAL})?",
            rf"(?:diesen |den )?(?:artikel|beitrag|seite) teilen|teilen(?: (?:auf|per|via) {_SOCIAL})?"
            rf"|auf {_SOCIAL} teilen",
            rf"partager(?: (?:cet article|sur {_SOCIAL}|par {_SOCIAL}))?",
            rf"compart(?:ir|e)(?: (?:en|por) {_SOCIAL}| (?:esta noticia|este artículo))?",
            rf"condividi(?: (?:su {_SOCIAL}|questo articolo|l'articolo))?",
            rf"udostępnij(?: (?:na|przez) {_SOCIAL}| artykuł)?",
            rf"поделиться(?: (?:в|во) {_SOCIAL})?",
            rf"поділитися(?: (?:в|у) {_SOCIAL})?",
        ),
        "subscription_pitch": (
            rf"support (?:local|independent|quality|trusted|our) journalism(?:{_PITCH})?",
            r"already a subscriber\??(?: (?:log|sign) ?in(?: here)?)?|become a (?:subscriber|member)",
            r"this (?:article|story|content) is (?:only )?(?:for|available to) subscribers(?: only)?",
            r"subscribers? only|subscribe (?:now|today) for (?:unlimited|full) access",
            rf"unterstützen sie (?:unabhängigen |unseren |lokalen )?journalismus(?:{_PITCH})?",
            r"jetzt abonnieren|(?:sie sind )?bereits abonnent\??(?: (?:hier )?(?:einloggen|anmelden))?",
            rf"soutenez (?:le |notre )?journalisme(?: (?:indépendant|local))?(?:{_PITCH})?",
            r"abonnez-vous(?: (?:dès maintenant|maintenant))?"
            r"|déjà abonné ?\??(?: (?:se connecter|connectez-vous))?|(?:cet )?article réservé aux abonnés",
            rf"apoya (?:el |al )?periodismo(?: (?:independiente|local|de calidad))?(?:{_PITCH})?",
            r"suscríbete(?: ahora| ya)?|¿?ya eres suscriptor\??(?: inicia sesión)?"
            r"|contenido (?:exclusivo )?para suscriptores",
            rf"sostieni (?:il )?giornalismo(?: (?:indipendente|locale|di qualità))?(?:{_PITCH})?",
            r"abbonati(?: ora| subito)?|sei già abbonato\??(?: accedi)?|contenuto riservato agli abbonati",
            rf"wesprzyj (?:niezależne |lokalne )?dziennikarstwo(?:{_PITCH})?"
            r"|masz już (?:konto|subskrypcję|prenumeratę)\??(?: zaloguj się)?",
            rf"поддержите (?:независимую |нашу )?журналистику(?:{_PITCH})?"
            r"|оформите подписку|уже подписаны\??(?: войти)?",
            rf"підтримайте (?:незалежну |нашу )?журналістику(?:{_PITCH})?|оформіть підписку",
        ),
        "advertising": (
            rf"advertisements?(?: {_NUMBER})?"
            r"|(?:the )?(?:story|article) continues below(?: (?:this )?advertisement)?"
            r"|this advertisement has not loaded yet, but your article continues below",
            r"anzeige|werbung|weiter nach der (?:anzeige|werbung)",
            r"publicité|la suite après (?:cette )?(?:la )?publicité",
            r"publicidad",
            r"pubblicità|continua dopo la pubblicità",
            r"reklama",
            r"реклама",
        ),
        "call_to_action": (
            r"continue reading below|sigue leyendo|continua a leggere|czytaj dalej"
            r"|продолжение ниже|продовження нижче",
        ),
        "page_label": (
            r"article content|live tv|watch live|listen live",
            r"live-tv|jetzt live",
            r"en direct",
            r"en (?:directo|vivo)",
            r"in diretta",
            r"na żywo",
            r"прямой эфир|прямий ефір|наживо",
        ),
    }
)

# No whole-line widget is longer (a pitch with its call to subscribe); longer lines skip them.
_LONGEST_WHOLE = 180

# What the parts of a newsletter sign-up form say, besides the sign-up itself. A line with
# two of them is the form, however long it runs ("Sign up to FREE email alerts from Mirror
# - The Coronavirus Briefing Subscribe Thank you for subscribing We have more newsletters
# Show me See our privacy notice Invalid Email").
_FORM_PARTS = re.compile(
    "|".join(
        (
            r"sign up (?:to|for) (?:free |our |the )?(?:e-?mail |daily |weekly )?"
            r"(?:alerts|newsletters?|updates)",
            r"thank you for (?:subscribing|signing up)|we have more newsletters|see our privacy notice",
            r"invalid e-?mail|enter your e-?mail(?: address)?|by signing up,? you agree"
            r"|you can unsubscribe at any time|something went wrong, please try again",
            r"newsletter abonnieren|vielen dank für ihre anmeldung|ungültige e-?mail-adresse"
            r"|melden sie sich (?:jetzt )?für unseren newsletter an",
            r"inscrivez-vous à (?:notre|la) newsletter|merci pour votre inscription"
            r"|adresse e-?mail invalide",
            r"suscríbete a (?:nuestro|nuestra) (?:boletín|newsletter)|gracias por suscribirte"
            r"|correo electrónico no válido",
            r"iscriviti alla newsletter|grazie per esserti iscritto|indirizzo e-?mail non valido",
            r"zapisz się do newslettera|dziękujemy za zapisanie się|nieprawidłowy adres e-?mail",
            r"подпишитесь на (?:нашу )?рассылку|спасибо за подписку|неверный адрес электронной почты",
            r"підпишіться на (?:нашу )?розсилку|дякуємо за підписку|невірна адреса електронної пошти",
        )
    )
)

# A credit in brackets, and nothing else: "(Image: Getty Images)", "(Foto: dpa)",
# "(Фото: ТАСС)". The credit names an agency or people (capitalised words), never a scene.
_BRACKETED_CREDIT = re.compile(
    r"[(\[](?:image|images|photo|photos|picture|pic|credit|foto|fotos|bild|crédit photo|crédit"
    r"|fot\.|zdjęcie|фото|світлина)\s?[:.]?\s*(?P<credit>[^()\[\]]{1,60})[)\]]",
    re.IGNORECASE,
)
# A picture agency's name alone on a line ("Getty Images", "Shutterstock/Jane Doe").
_STOCK = re.compile(r"(?:getty images|shutterstock|alamy|istock(?:photo)?)(?:\s?/\s?[\w .]{1,30})?")
# Small words a credit may hold, and agencies that write their names in small letters.
_CREDIT_WORDS = frozenset(
    ("for", "via", "and", "&", "de", "van", "von", "/", "für", "для", "і", "и")
    + ("dpa", "epd", "ddp", "kna", "apa")
)

_REASONS = {
    "video_player": "video player",
    "share_widget": "share widget",
    "subscription_pitch": "subscription pitch",
    "advertising": "advertising label",
    "page_label": "page label",
    "call_to_action": "call to action",
    "form": "newsletter sign-up form",
    "credit": "credit or media label",
}


def _is_credit(text: str) -> bool:
    """A credit names people or agencies; "firefighters at the scene" is a caption."""
    words = text.replace("/", " / ").split()
    return 0 < len(words) <= 6 and all(
        word[0].isupper() or word[0].isdigit() or word.casefold() in _CREDIT_WORDS for word in words
    )


def widget_reason(stripped: str, folded: str, bare: str) -> str | None:
    """Why a line is a site widget, or None. ``stripped``: the line without edge spaces;
    ``folded``: case-folded with single spaces; ``bare``: ``folded`` without bullets and
    punctuation at either end."""
    if len(bare) <= _LONGEST_WHOLE:
        match = _WHOLE.fullmatch(bare)
        if match:
            return _REASONS[match.lastgroup]
        if _STOCK.fullmatch(bare):
            return _REASONS["credit"]
    if stripped[0] in "([":
        credit = _BRACKETED_CREDIT.fullmatch(stripped)
        if credit and _is_credit(credit.group("credit")):
            return _REASONS["credit"]
    return form_reason(folded)


# A word a form holds one of (it has two parts, and at most one lacks them): most lines
# have none, and looking for them is far cheaper than the search for the parts.
_FORM_WORDS = re.compile(
    "mail|sign|subscri|newsletter|privacy|anmeld|inscri|suscr|iscri|zapis"
    "|рассылк|подписк|почты|розсилк|підписк|пошти"
)


# Every sign-up form has an e-mail field, and names it; a long line that does not is never
# searched for the parts of one (most long lines are article paragraphs).
_MAIL = ("mail", "correo", "почты", "пошти")


def long_form_reason(stripped: str) -> str | None:
    """``form_reason`` for a line longer than boilerplate's short lines."""
    lowered = stripped.lower()
    if not any(word in lowered for word in _MAIL):
        return None
    return form_reason(" ".join(stripped.casefold().split()))


def form_reason(folded: str) -> str | None:
    """A newsletter sign-up form run into one line: two distinct parts of one."""
    if _FORM_WORDS.search(folded) is None:
        return None
    found = {match.group() for match in _FORM_PARTS.finditer(folded)}
    return _REASONS["form"] if len(found) >= 2 else None
