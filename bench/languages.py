"""Short news articles written for ``make eval``: a multilingual set (es, fr, de, ru, uk,
ar, en, nine or more each), mixed-language articles (one language with a quote or a
passage in another; the label is the language most of the text is in), and English
articles that carry legitimate foreign script (quoted or bracketed native-script glosses)
which Repair must keep.

Written for this project; the events, people and places are invented or generic.
"""

from __future__ import annotations

ARTICLES: dict[str, tuple[str, ...]] = {
    "en": (
        "The city council voted on Tuesday to close the old harbour bridge to heavy lorries "
        "after engineers found cracks in two of its supporting piers. Repairs are expected to "
        "take at least six months, and a temporary route will be signposted from Monday.",
        "Nurses at three hospitals in the region walked out for 24 hours on Thursday, saying "
        "that a promised pay rise had still not reached their accounts. Hospital managers said "
        "emergency departments stayed open and that planned operations would be rescheduled.",
        "A late frost has destroyed much of this year's apple blossom in the valley, growers "
        "said, warning that prices could rise sharply in the autumn. Some farmers lost more "
        "than half of their crop in a single night.",
        "The national statistics office said inflation slowed for a third month in a row in "
        "March, helped by cheaper fuel and a fall in the price of fresh vegetables. Economists "
        "had expected a smaller decline.",
        "Firefighters brought a large blaze at a recycling plant under control early on "
        "Sunday. Residents living nearby were told to keep their windows closed because of "
        "thick smoke, but no one was injured.",
        "The football club confirmed on Friday that its head coach will leave at the end of "
        "the season. The board thanked him for six years of service and said a successor "
        "would be named before the summer break.",
        "A new night bus network will start running next month, linking the university "
        "district with the main railway station every twenty minutes between midnight and "
        "five in the morning, the transport authority announced.",
        "Scientists at the coastal research station have recorded the warmest sea "
        "temperatures since measurements began, raising concerns about the health of local "
        "fish stocks and seagrass meadows.",
        "Parents have criticised plans to merge two village primary schools, arguing that "
        "younger children would face a long daily journey along a busy road. A public "
        "meeting is planned for next week.",
    ),
    "es": (
        "El ayuntamiento aprobó el martes un plan para ampliar la red de carriles bici en el "
        "centro de la ciudad. Las obras comenzarán en septiembre y durarán casi un año, según "
        "informó la concejala de Movilidad.",
        "Los agricultores de la comarca denunciaron que la sequía ha reducido a la mitad la "
        "cosecha de aceituna. Muchos temen no poder pagar a los trabajadores temporeros este "
        "invierno si no llegan las ayudas prometidas.",
        "El Gobierno regional anunció que contratará a doscientos médicos más para reducir "
        "las listas de espera en los hospitales públicos. Los sindicatos consideran que la "
        "medida llega tarde y es insuficiente.",
        "Un incendio forestal obligó a desalojar a más de mil vecinos durante la noche del "
        "sábado. Los bomberos lograron estabilizar el fuego gracias al cambio de viento, "
        "aunque siguen trabajando en la zona.",
        "La inflación se moderó en marzo por tercer mes consecutivo, impulsada por la bajada "
        "de los precios de la electricidad y los carburantes, según los datos publicados este "
        "jueves por el instituto de estadística.",
        "Los profesores de secundaria convocaron una huelga de dos días para protestar contra "
        "el aumento del número de alumnos por aula. La consejería de Educación ha pedido "
        "retomar el diálogo cuanto antes.",
        "El puerto registró el año pasado un récord de tráfico de contenedores, con un "
        "crecimiento cercano al doce por ciento. La autoridad portuaria prevé nuevas "
        "inversiones para ampliar los muelles.",
        "Miles de personas se manifestaron el domingo en la capital para exigir viviendas "
        "asequibles y la regulación de los alquileres turísticos, que según los convocantes "
        "han expulsado a los vecinos de los barrios céntricos.",
        "La selección nacional de baloncesto se clasificó para la final tras vencer en un "
        "partido muy igualado que se decidió en los últimos segundos. El entrenador elogió el "
        "carácter de sus jugadores.",
    ),
    "fr": (
        "Le conseil municipal a voté mardi la fermeture du vieux pont aux poids lourds après "
        "la découverte de fissures dans deux de ses piliers. Les travaux devraient durer au "
        "moins six mois, selon la mairie.",
        "Les agriculteurs de la région ont manifesté jeudi devant la préfecture pour dénoncer "
        "la hausse du prix des engrais. Ils réclament des aides d'urgence avant les semis du "
        "printemps.",
        "La grève des contrôleurs aériens a entraîné l'annulation de plusieurs centaines de "
        "vols ce week-end. Les compagnies conseillent aux voyageurs de vérifier l'état de "
        "leur vol avant de se rendre à l'aéroport.",
        "L'inflation a ralenti pour le troisième mois consécutif en mars, portée par la baisse "
        "des prix de l'énergie, a annoncé vendredi l'institut national de la statistique. Les "
        "économistes restent toutefois prudents.",
        "Un important incendie s'est déclaré dans un entrepôt de la zone industrielle dans la "
        "nuit de samedi à dimanche. Une épaisse fumée noire était visible à plusieurs "
        "kilomètres, mais aucun blessé n'est à déplorer.",
        "Le ministre de l'Éducation a présenté un plan pour recruter davantage d'enseignants "
        "dans les zones rurales. Les syndicats jugent les mesures insuffisantes face à la "
        "pénurie de personnel.",
        "Les habitants du quartier s'opposent au projet de construction d'un centre "
        "commercial sur l'ancien terrain de sport. Une pétition a déjà recueilli plus de "
        "trois mille signatures en une semaine.",
        "Le club de football a confirmé le départ de son entraîneur à la fin de la saison. "
        "Les dirigeants ont salué son travail et promis de nommer un successeur avant l'été.",
        "Les chercheurs de la station océanographique ont relevé les températures de l'eau "
        "les plus élevées depuis le début des mesures, ce qui inquiète les pêcheurs de la "
        "côte.",
    ),
    "de": (
        "Der Stadtrat hat am Dienstag beschlossen, die alte Hafenbrücke für Lastwagen zu "
        "sperren, nachdem Ingenieure Risse in zwei Pfeilern entdeckt hatten. Die Reparatur "
        "soll mindestens sechs Monate dauern.",
        "Die Pflegekräfte an drei Kliniken der Region haben am Donnerstag für einen Tag die "
        "Arbeit niedergelegt. Sie werfen den Arbeitgebern vor, die zugesagte Lohnerhöhung "
        "noch immer nicht ausgezahlt zu haben.",
        "Ein später Frost hat in der Nacht zum Sonntag einen großen Teil der Apfelblüte im "
        "Tal zerstört. Die Obstbauern rechnen mit deutlich höheren Preisen im Herbst.",
        "Die Inflation ist im März den dritten Monat in Folge gesunken, wie das Statistische "
        "Amt am Freitag mitteilte. Vor allem Heizöl und Kraftstoffe wurden günstiger als im "
        "Vorjahr.",
        "Die Feuerwehr hat einen Großbrand in einer Recyclinganlage am frühen Sonntagmorgen "
        "unter Kontrolle gebracht. Anwohner wurden gebeten, wegen des starken Rauchs Fenster "
        "und Türen geschlossen zu halten.",
        "Der Fußballverein hat bestätigt, dass sich der Trainer zum Saisonende verabschiedet. "
        "Der Vorstand dankte ihm für sechs erfolgreiche Jahre und will bald einen Nachfolger "
        "vorstellen.",
        "Ab dem kommenden Monat verbindet ein neues Nachtbusnetz das Universitätsviertel mit "
        "dem Hauptbahnhof. Die Busse fahren zwischen Mitternacht und fünf Uhr morgens alle "
        "zwanzig Minuten.",
        "Eltern kritisieren die Pläne, zwei Grundschulen im Landkreis zusammenzulegen. Viele "
        "Kinder müssten dann täglich eine lange Strecke an einer viel befahrenen Straße "
        "zurücklegen.",
        "Forscher haben an der Küste die höchsten Wassertemperaturen seit Beginn der "
        "Messungen festgestellt. Fischer befürchten, dass sich die Bestände weiter verringern "
        "werden.",
    ),
    "ru": (
        "Городской совет во вторник проголосовал за закрытие старого моста для грузовиков "
        "после того, как инженеры обнаружили трещины в двух опорах. Ремонт займёт не менее "
        "шести месяцев.",
        "Медсёстры трёх больниц региона в четверг провели суточную забастовку, заявив, что "
        "обещанное повышение зарплаты до сих пор не выплачено. Руководство больниц сообщило, "
        "что приёмные отделения работали в обычном режиме.",
        "Поздние заморозки уничтожили большую часть цветения яблонь в долине, сообщили "
        "фермеры. По их словам, осенью цены на яблоки могут заметно вырасти.",
        "Инфляция в марте замедлилась третий месяц подряд благодаря снижению цен на топливо "
        "и свежие овощи, сообщило в пятницу статистическое ведомство. Экономисты ожидали "
        "менее заметного снижения.",
        "Пожарные рано утром в воскресенье локализовали крупный пожар на заводе по "
        "переработке отходов. Жителям соседних домов рекомендовали не открывать окна из-за "
        "густого дыма.",
        "Футбольный клуб подтвердил, что главный тренер покинет команду по окончании сезона. "
        "Совет директоров поблагодарил его за шесть лет работы и пообещал вскоре назвать "
        "преемника.",
        "Со следующего месяца в городе начнёт работать сеть ночных автобусов, которые будут "
        "связывать университетский район с главным вокзалом каждые двадцать минут.",
        "Родители выступили против планов объединить две сельские школы, опасаясь, что детям "
        "придётся каждый день ездить по оживлённой трассе. Собрание жителей назначено на "
        "следующую неделю.",
        "Учёные прибрежной станции зафиксировали самую высокую температуру морской воды за "
        "всю историю наблюдений, что вызывает тревогу у местных рыбаков.",
    ),
    "uk": (
        "Міська рада у вівторок ухвалила рішення закрити старий міст для вантажівок, після "
        "того як інженери виявили тріщини у двох його опорах. Ремонт триватиме щонайменше "
        "пів року.",
        "Медичні сестри трьох лікарень області у четвер провели добовий страйк, заявивши, що "
        "обіцяне підвищення зарплати досі не надійшло на їхні рахунки. Керівництво лікарень "
        "запевнило, що приймальні відділення працювали.",
        "Пізні заморозки знищили значну частину цвіту яблунь у долині, повідомили фермери. "
        "Вони попереджають, що восени ціни на яблука можуть суттєво зрости.",
        "Інфляція в березні сповільнилася втретє поспіль завдяки здешевленню пального та "
        "свіжих овочів, повідомила у п'ятницю Державна служба статистики. Економісти "
        "очікували меншого зниження.",
        "Рятувальники рано-вранці в неділю локалізували велику пожежу на сміттєпереробному "
        "заводі. Мешканцям сусідніх будинків порадили зачинити вікна через густий дим.",
        "Футбольний клуб підтвердив, що головний тренер залишить команду наприкінці сезону. "
        "Правління подякувало йому за шість років роботи та пообіцяло незабаром назвати "
        "наступника.",
        "З наступного місяця в місті почне працювати мережа нічних автобусів, які "
        "з'єднуватимуть університетський район із центральним вокзалом щодвадцять хвилин.",
        "Батьки виступили проти планів об'єднати дві сільські школи, бо дітям доведеться "
        "щодня їздити жвавою трасою. Збори мешканців призначено на наступний тиждень.",
        "Науковці прибережної станції зафіксували найвищу температуру морської води за всю "
        "історію спостережень, що непокоїть місцевих рибалок і екологів.",
    ),
    "ar": (
        "صوّت المجلس البلدي يوم الثلاثاء على إغلاق الجسر القديم أمام الشاحنات الثقيلة بعد أن "
        "اكتشف المهندسون تشققات في اثنتين من دعاماته. ومن المتوقع أن تستغرق أعمال الإصلاح ستة "
        "أشهر على الأقل.",
        "أضرب الممرضون في ثلاثة مستشفيات بالمنطقة عن العمل لمدة أربع وعشرين ساعة يوم الخميس، "
        "مؤكدين أن الزيادة الموعودة في الأجور لم تصل بعد إلى حساباتهم. وقالت إدارات المستشفيات "
        "إن أقسام الطوارئ ظلت تعمل.",
        "أتلف صقيع متأخر جزءا كبيرا من أزهار التفاح في الوادي، بحسب ما أفاد المزارعون الذين "
        "حذروا من ارتفاع الأسعار بشكل ملحوظ في فصل الخريف.",
        "تباطأ التضخم للشهر الثالث على التوالي في شهر مارس بفضل تراجع أسعار الوقود والخضروات "
        "الطازجة، وفق ما أعلنه مكتب الإحصاء الوطني يوم الجمعة.",
        "تمكن رجال الإطفاء فجر الأحد من السيطرة على حريق كبير اندلع في مصنع لإعادة تدوير "
        "النفايات، وطُلب من السكان القريبين إبقاء نوافذهم مغلقة بسبب الدخان الكثيف.",
        "أكد نادي كرة القدم أن مدربه الرئيسي سيغادر الفريق في نهاية الموسم، وشكر مجلس الإدارة "
        "المدرب على ست سنوات من العمل ووعد بتعيين خلف له قبل الصيف.",
        "ستبدأ شبكة جديدة من حافلات الليل العمل الشهر المقبل، وستربط الحي الجامعي بمحطة "
        "القطارات الرئيسية كل عشرين دقيقة بين منتصف الليل والخامسة صباحا.",
        "انتقد أولياء الأمور خطة دمج مدرستين ابتدائيتين في القرية، معتبرين أن الأطفال "
        "الصغار سيضطرون إلى قطع طريق طويل ومزدحم كل يوم.",
        "سجل العلماء في محطة الأبحاث الساحلية أعلى درجات حرارة لمياه البحر منذ بدء القياسات، "
        "مما يثير مخاوف بشأن مخزون الأسماك المحلي.",
    ),
}

# (language most of the text is in, text): a passage or quote in a second language.
MIXED: tuple[tuple[str, str], ...] = (
    ("en", "The mayor opened the festival on Saturday with a short speech to the crowd. "
           "\u201cBienvenidos a todos, esta fiesta es de todos,\u201d she said in Spanish, "
           "before switching back to English to thank the volunteers who had spent weeks "
           "building the stages, fixing the lights and cleaning the park after the storm."),
    ("es", "El ministro respondió a las preguntas de los periodistas durante casi una hora "
           "y defendió la reforma fiscal. Cuando un corresponsal extranjero le preguntó en "
           "inglés, contestó: \u201cWe are confident the reform will work.\u201d Después "
           "volvió al español para explicar el calendario de aplicación de la ley."),
    ("fr", "Le sommet s'est achevé vendredi soir par une déclaration commune sur le "
           "climat. Le délégué allemand a résumé l'ambiance par ces mots : \u201eWir sind "
           "einen Schritt weiter.\u201c Les négociateurs se retrouveront à l'automne pour "
           "fixer des objectifs chiffrés et un calendrier précis."),
    ("de", "Die Ausstellung im Stadtmuseum zeigt Fotografien aus drei Jahrzehnten. Der "
           "französische Kurator sagte bei der Eröffnung: \u00abC'est une histoire de la "
           "ville racontée par ses habitants.\u00bb Die Schau ist bis Ende September täglich "
           "außer montags geöffnet, der Eintritt für Schüler ist frei."),
    ("ru", "Фестиваль народной музыки собрал в этом году рекордное число гостей. Один из "
           "исполнителей из Киева поприветствовал зрителей по-украински: \u00abДякуємо, що "
           "ви з нами!\u00bb Организаторы пообещали, что в следующем году программа станет "
           "ещё разнообразнее, а концерты пройдут на трёх площадках."),
    ("uk", "Делегація громади повернулася з переговорів у столиці з добрими новинами: "
           "фінансування ремонту школи затверджено. Один із посадовців сказав російською: "
           "\u00abВсё будет сделано к сентябрю\u00bb. Батьки учнів висловили сподівання, що "
           "роботи справді завершать вчасно, адже діти вже два роки навчаються в тісних класах."),
    ("ar", "افتتح وزير الثقافة المعرض الدولي للكتاب بحضور عدد كبير من الناشرين والكتاب. "
           "وقال أحد الناشرين الأجانب بالإنجليزية: \u201cThis fair gets bigger every year.\u201d "
           "ويستمر المعرض عشرة أيام ويضم ندوات وأمسيات شعرية وورشا للأطفال في مختلف القاعات."),
    ("en", "Residents of the border town say daily life has changed little despite the new "
           "checkpoint. A shop owner summed it up in Ukrainian: \u00abМи просто працюємо далі\u00bb, "
           "which means \u201cwe simply keep working\u201d. Local officials expect traffic to "
           "return to normal once the new crossing opens in the spring."),
    ("en", "The visiting delegation from Cairo toured the new water treatment plant on "
           "Wednesday. Its leader wrote in the guest book \u201cشكرا على حسن الضيافة\u201d, "
           "thanking the hosts for their hospitality, and invited the plant's engineers to "
           "visit a similar project on the Nile later this year."),
    ("fr", "Le marché de Noël a ouvert ses portes samedi sur la place principale. Des "
           "visiteurs espagnols interrogés ont résumé leur impression : \u00ab\u00a0Es precioso, "
           "volveremos el año que viene\u00a0\u00bb. Les commerçants espèrent une fréquentation "
           "record après deux années difficiles et plusieurs semaines de pluie."),
)

# English articles with legitimate foreign script: every non-Latin word here must survive.
GLOSSED_ENGLISH: tuple[str, ...] = (
    "Officials in Kyiv (Київ) said on Monday that the new metro line would open next year. "
    "The project had been delayed by a shortage of steel and by two harsh winters.",
    "Thousands gathered in the square chanting \u00abСлава Україні\u00bb as the results were "
    "announced late on Sunday night.",
    "The word for freedom, \u201cحرية\u201d, was painted in large letters on the wall of the old "
    "market, where the protests first began ten years ago.",
    "The Greek finance ministry described the agreement as a \u201cσυμφωνία\u201d (agreement) "
    "that would allow the country to return to the bond markets by the autumn.",
    "Visitors to Lviv (Львів) will find the old town almost empty this winter, hotel owners "
    "said, as fewer foreign tourists travel to the region.",
    "The Hebrew slogan \u201cביחד ננצח\u201d, meaning \u201ctogether we will win\u201d, appeared on "
    "buses and billboards across the country within days.",
    "The company sells its tea in China under the brand name \u300c山泉\u300d, which means "
    "mountain spring, and plans to open a factory near Hangzhou (杭州).",
    "Residents of Odesa (Одеса) lined the seafront promenade on Saturday to watch the first "
    "ships leave the port since the winter storms.",
    "In Moscow the newspaper ran the headline \u00abКонец эпохи\u00bb (the end of an era) above a "
    "photograph of the closed factory gates.",
)
