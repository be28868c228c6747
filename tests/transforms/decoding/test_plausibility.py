import pytest

from transforms.decoding.plausibility import odd_characters, plausibility


@pytest.mark.parametrize("text", [
    "Die Temperatur fiel auf −5 °C, der See ist 3 km² groß.",
    "El col·legi de Barcelona obrirà l’any que ve.",
    "Nokia™ und ©Reuters: 20° im Schatten, 5€ Eintritt.",
    "Бюджет вырос на 5 млн руб. в ЕС и США.",
    "İstanbul'da yağmur başladı.",
    "政府はiPhoneを使った新しい制度を発表した。",
    "서울 지역에 한파 경보가 내려졌다.",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα.",
    "אישרה ביום ראשון תוכנית חדשה.",
    "Мы съели её обед и объяснили.",
])
def test_real_text_has_nothing_odd(text):
    assert odd_characters(text) == (0, sum(1 for c in text if ord(c) > 127 and not c.isspace()))
    assert plausibility(text) == 1.0


@pytest.mark.parametrize("wrong,right", [
    ("Die neuen Geb³hren", "Die neuen Gebühren"),  # symbol between letters
    ("rozegraj± we wtorek", "rozegrają we wtorek"),  # symbol ending a word
    ("Ausnahmen sind f僡 Menschen", "Ausnahmen sind für Menschen"),  # another script in a word
    ("пРАВИТЕЛЬСТВО МОСКВЫ", "Правительство Москвы"),  # capitals after a small letter
    ("ЕРЦЗ ДКЯТИМ ЫЛ НЫЬЦИМ", "ועדת הכספים של הכנסת"),  # ы first, ь after ы
    ("етгъ длсфйн щм", "ועדת הכספים של"),  # final ъ, vowel-less words
    ("国家 统计局 周三", "国家统计局周三"),  # spaces between ideographs (Korean read as GBK)
    ("Espańa aprobó el plan del río", "España aprobó el plan del río"),  # no language has ń, í
    ("Caf\x81 ouvert", "Café ouvert"),  # C1 control code
])
def test_a_wrong_table_is_less_plausible(wrong, right):
    assert plausibility(wrong) < plausibility(right) == 1.0


def test_the_ascii_words_language_tells_french_from_czech():
    assert plausibility("Les parents d’élčves saluent") == 1.0  # é and č: Czech has both
    assert plausibility("Les parents d’élčves saluent", "fr") < 1.0
    assert plausibility("Les parents d’élèves saluent", "fr") == 1.0
