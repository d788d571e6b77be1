"""The reference data of docs/rules.md §2 as plain Python, loaded by migration 0002.

Plain data only (no model imports): the data migration reads it with historical
models, and tests compare the database against it. Once loaded, the rows belong to the
operators (R-REF-1, R-REF-4, R-REF-5): later changes are made in the admin, not here.

Sources: the participant guide in /work/shared/seeds/000_*.txt ("Постановления
Главного госсанврача РК", the "Лидер Ashyq" table and questions 10, 12, 35, 44).
"""

from datetime import date

# --- R-REF-1 Regions --------------------------------------------------------------------

CITY = "city"
OBLAST = "oblast"

# (code, kind, is_pilot, name_ru, name_kk, name_en)
_REGIONS = [
    ("nur-sultan", CITY, True, "Нур-Султан", "Нұр-Сұлтан", "Nur-Sultan"),
    ("almaty", CITY, True, "Алматы", "Алматы", "Almaty"),
    ("shymkent", CITY, False, "Шымкент", "Шымкент", "Shymkent"),
    ("akmola", OBLAST, False, "Акмолинская область", "Ақмола облысы", "Akmola Region"),
    ("aktobe", OBLAST, False, "Актюбинская область", "Ақтөбе облысы", "Aktobe Region"),
    ("almaty-oblast", OBLAST, False, "Алматинская область", "Алматы облысы", "Almaty Region"),
    ("atyrau", OBLAST, False, "Атырауская область", "Атырау облысы", "Atyrau Region"),
    (
        "east-kazakhstan",
        OBLAST,
        False,
        "Восточно-Казахстанская область",
        "Шығыс Қазақстан облысы",
        "East Kazakhstan Region",
    ),
    ("zhambyl", OBLAST, False, "Жамбылская область", "Жамбыл облысы", "Zhambyl Region"),
    (
        "west-kazakhstan",
        OBLAST,
        False,
        "Западно-Казахстанская область",
        "Батыс Қазақстан облысы",
        "West Kazakhstan Region",
    ),
    ("karaganda", OBLAST, True, "Карагандинская область", "Қарағанды облысы", "Karaganda Region"),
    ("kostanay", OBLAST, False, "Костанайская область", "Қостанай облысы", "Kostanay Region"),
    ("kyzylorda", OBLAST, False, "Кызылординская область", "Қызылорда облысы", "Kyzylorda Region"),
    ("mangystau", OBLAST, False, "Мангистауская область", "Маңғыстау облысы", "Mangystau Region"),
    ("pavlodar", OBLAST, False, "Павлодарская область", "Павлодар облысы", "Pavlodar Region"),
    (
        "north-kazakhstan",
        OBLAST,
        False,
        "Северо-Казахстанская область",
        "Солтүстік Қазақстан облысы",
        "North Kazakhstan Region",
    ),
    ("turkestan", OBLAST, False, "Туркестанская область", "Түркістан облысы", "Turkestan Region"),
]

REGIONS = [
    {"code": code, "kind": kind, "is_pilot": is_pilot, "name_ru": ru, "name_kk": kk, "name_en": en}
    for code, kind, is_pilot, ru, kk, en in _REGIONS
]

# R-REF-4: the decree of 26 Feb 2021 names the pilot: "в городах Нур-Султан, Алматы и
# Караганда". Karaganda is a city inside its oblast; the oblast is the region we have.
PILOT_REGIONS = ("nur-sultan", "almaty", "karaganda")

# --- R-REF-2 Initial zones --------------------------------------------------------------

# Demo starting values, not history: the sources give no region's zone. Each akimat
# sets its real zone with an effective date (R-REF-2); these rows only make every
# region start in some zone.
INITIAL_ZONES_FROM = date(2021, 1, 1)
INITIAL_ZONES = {
    "nur-sultan": "red",
    "almaty": "red",
    "shymkent": "yellow",
    "akmola": "yellow",
    "aktobe": "yellow",
    "almaty-oblast": "yellow",
    "atyrau": "yellow",
    "east-kazakhstan": "yellow",
    "zhambyl": "green",
    "west-kazakhstan": "yellow",
    "karaganda": "yellow",
    "kostanay": "green",
    "kyzylorda": "green",
    "mangystau": "yellow",
    "pavlodar": "yellow",
    "north-kazakhstan": "green",
    "turkestan": "green",
}

# --- R-REF-3 Categories -----------------------------------------------------------------

TIER_A = "A"
TIER_B = "B"
NO_TIER = ""

# (code, tier, name_ru, name_kk, name_en); order follows the "Лидер Ashyq" table.
_TIERED = [
    # Tier A
    ("public-catering", TIER_A, "Объекты общественного питания", "Қоғамдық тамақтану объектілері", "Public catering"),
    ("karaoke", TIER_A, "Караоке", "Караоке", "Karaoke"),
    ("computer-clubs", TIER_A, "Компьютерные клубы", "Компьютерлік клубтар", "Computer clubs"),
    (
        "lottery-clubs",
        TIER_A,
        "Лотерейные клубы и иные точки реализации лотереи",
        "Лотерея клубтары және лотерея өткізетін өзге де орындар",
        "Lottery clubs and other lottery outlets",
    ),
    # "Спортивные комплексы (мероприятия)": the venue category of the marathons and
    # sports events with spectators admitted on 5 May 2021.
    (
        "sports-complexes",
        TIER_A,
        "Спортивные комплексы (мероприятия)",
        "Спорт кешендері (іс-шаралар)",
        "Sports complexes (events)",
    ),
    ("saunas", TIER_A, "Сауны", "Сауналар", "Saunas"),
    ("fitness-centres", TIER_A, "Фитнес-центры", "Фитнес-орталықтар", "Fitness centres"),
    ("swimming-pools", TIER_A, "Бассейны", "Бассейндер", "Swimming pools"),
    ("theatres", TIER_A, "Театры", "Театрлар", "Theatres"),
    ("philharmonics", TIER_A, "Филармонии", "Филармониялар", "Philharmonics"),
    ("concert-halls", TIER_A, "Концертные залы", "Концерт залдары", "Concert halls"),
    ("cinemas", TIER_A, "Кинотеатры", "Кинотеатрлар", "Cinemas"),
    ("exhibitions", TIER_A, "Выставки", "Көрмелер", "Exhibitions"),
    (
        "tourist-transport",
        TIER_A,
        "Туристические (нерегулярные) перевозки",
        "Туристік (тұрақты емес) тасымалдар",
        "Tourist (irregular) transport",
    ),
    ("oceanarium", TIER_A, "Океанариум", "Океанариум", "Oceanarium"),
    (
        "childrens-centres",
        TIER_A,
        "Детские развлекательные центры (крытые)",
        "Балалар ойын-сауық орталықтары (жабық)",
        "Indoor children's entertainment centres",
    ),
    ("circuses", TIER_A, "Цирки", "Цирктер", "Circuses"),
    # Banquet halls are not in the tier table. The decree of 13 Apr 2021 names them as a
    # kind of public catering ("объекты общественного питания (за исключением банкетных
    # залов, ...)"), admitted later on their own terms (5 May, green zone only), so they
    # take public catering's tier A.
    ("banquet-halls", TIER_A, "Банкетные залы", "Банкет залдары", "Banquet halls"),
    # Tier B
    ("billiard-clubs", TIER_B, "Бильярдные клубы", "Бильярд клубтары", "Billiard clubs"),
    ("bowling-clubs", TIER_B, "Боулинг-клубы", "Боулинг клубтары", "Bowling clubs"),
    ("spa-centres", TIER_B, "СПА-центры", "СПА-орталықтар", "SPA centres"),
    # "репетиции" in the table: rehearsal studios (music and dance rehearsal rooms).
    ("rehearsal-studios", TIER_B, "Репетиционные студии", "Репетициялық студиялар", "Rehearsal studios"),
    # "отели, гостиницы": one category, the decree of 3 Jun 2021 admits both together.
    ("hotels", TIER_B, "Отели и гостиницы", "Отельдер мен қонақ үйлер", "Hotels"),
    # No tier, not volunteers: admitted airport by airport (R-REF-4), never leaders.
    ("airports", NO_TIER, "Аэропорты", "Әуежайлар", "Airports"),
]

# Volunteers (R-REF-3, R-LD-4): no tier, no benefits. Question 12 of the guide names
# "вузы, банки, промышленные предприятия, частные медицинские центры и другие";
# question 10 adds state bodies ("в качестве добровольцев (без льгот)"); question 44
# says shopping centres may join only of their own will.
_VOLUNTEERS = [
    ("banks", "Банки", "Банктер", "Banks"),
    ("universities", "Высшие учебные заведения", "Жоғары оқу орындары", "Universities"),
    ("industrial-plants", "Промышленные предприятия", "Өнеркәсіптік кәсіпорындар", "Industrial plants"),
    ("private-clinics", "Частные медицинские центры", "Жеке медициналық орталықтар", "Private clinics"),
    ("state-bodies", "Государственные органы", "Мемлекеттік органдар", "State bodies"),
    (
        "shopping-centres",
        "Торгово-развлекательные центры",
        "Сауда-ойын-сауық орталықтары",
        "Shopping and entertainment centres",
    ),
    ("other-volunteers", "Иные добровольные участники", "Өзге де ерікті қатысушылар", "Other volunteer participants"),
]

CATEGORIES = [
    {"code": code, "tier": tier, "is_volunteer": False, "name_ru": ru, "name_kk": kk, "name_en": en}
    for code, tier, ru, kk, en in _TIERED
] + [
    {"code": code, "tier": NO_TIER, "is_volunteer": True, "name_ru": ru, "name_kk": kk, "name_en": en}
    for code, ru, kk, en in _VOLUNTEERS
]

VOLUNTEER_CATEGORIES = tuple(code for code, *_ in _VOLUNTEERS)

# --- R-REF-4 Admissions -----------------------------------------------------------------

# Decrees of the Chief State Sanitary Doctor, as the guide lists them by date of signing.
DECREE_26_FEB = "Decree of the Chief State Sanitary Doctor of 26 Feb 2021 (pilot in Nur-Sultan, Almaty, Karaganda)"
DECREE_13_APR = "Decree of the Chief State Sanitary Doctor of 13 Apr 2021 (pilot of Ashyq)"
# Probably No. 18 of 30 Apr 2021, which question 9 cites for the preferences; the
# guide's decree table gives no number, so none is written here.
DECREE_30_APR = "Decree of the Chief State Sanitary Doctor of 30 Apr 2021 (Ashyq at business venues)"
DECREE_6_MAY = "Decree of the Chief State Sanitary Doctor of 6 May 2021 (amendments: airports)"
DECREE_22_MAY = "Decree of the Chief State Sanitary Doctor of 22 May 2021 (Ashyq at business venues)"
DECREE_3_JUN = "Decree of the Chief State Sanitary Doctor of 3 Jun 2021 (Ashyq at business venues)"

# Public catering on 14 Apr excludes "банкетных залов, объектов по типу столовых,
# фаст-фудов и стрит-фудов": banquet halls are their own category; canteens, fast food
# and street food have none, so the exclusion is for the reviewer of an application.
_PILOT_14_APR = ("cinemas", "public-catering", "theatres", "philharmonics", *VOLUNTEER_CATEGORIES)
_PILOT_21_APR = ("tourist-transport", "billiard-clubs", "concert-halls")
_ALL_5_MAY = ("karaoke", "exhibitions", "sports-complexes", "oceanarium")
_ALL_3_JUN = ("childrens-centres", "circuses", "hotels")


def _admission(category, region, admitted_from, decree, green_zone_only=False):
    return {
        "category": category,
        "region": region,  # a region code, or None for every region
        "admitted_from": admitted_from,
        "green_zone_only": green_zone_only,
        "decree": decree,
    }


ADMISSIONS = [
    # 26 Feb 2021: the pilot starts with fitness clubs.
    *(_admission("fitness-centres", region, date(2021, 2, 26), DECREE_26_FEB) for region in PILOT_REGIONS),
    # 14 and 21 Apr 2021: more categories join the pilot.
    *(
        _admission(category, region, date(2021, 4, 14), DECREE_13_APR)
        for category in _PILOT_14_APR
        for region in PILOT_REGIONS
    ),
    *(
        _admission(category, region, date(2021, 4, 21), DECREE_13_APR)
        for category in _PILOT_21_APR
        for region in PILOT_REGIONS
    ),
    # 26 Apr 2021: "пилотный проект завершит свою работу, после чего его масштабируют на
    # все регионы" — everything admitted in the pilot is admitted everywhere.
    *(
        _admission(category, None, date(2021, 4, 26), DECREE_13_APR)
        for category in ("fitness-centres", *_PILOT_14_APR, *_PILOT_21_APR)
    ),
    # 5 May 2021: banquet halls only while the region is in the green zone.
    *(_admission(category, None, date(2021, 5, 5), DECREE_30_APR) for category in _ALL_5_MAY),
    _admission("banquet-halls", None, date(2021, 5, 5), DECREE_30_APR, green_zone_only=True),
    # Airports one by one, in the region where each stands.
    _admission("airports", "nur-sultan", date(2021, 5, 12), DECREE_6_MAY),
    _admission("airports", "almaty", date(2021, 5, 21), DECREE_6_MAY),
    _admission("lottery-clubs", None, date(2021, 5, 22), DECREE_22_MAY),
    _admission("airports", "shymkent", date(2021, 5, 31), DECREE_22_MAY),
    _admission("airports", "turkestan", date(2021, 5, 31), DECREE_22_MAY),
    *(_admission(category, None, date(2021, 6, 3), DECREE_3_JUN) for category in _ALL_3_JUN),
    # Aktau is the airport of Mangystau oblast.
    _admission("airports", "mangystau", date(2021, 6, 7), DECREE_22_MAY),
    _admission("airports", "kostanay", date(2021, 6, 7), DECREE_22_MAY),
]

# In the tier table but admitted by no decree in the sources, so they have no admission
# row and an application for them is refused until an operator adds one. Question 35
# mentions a voluntary test of fitness clubs, SPA centres and saunas from 17 Jan 2021;
# that test was not an admission by decree.
NOT_ADMITTED_IN_SOURCES = (
    "computer-clubs",
    "saunas",
    "swimming-pools",
    "bowling-clubs",
    "spa-centres",
    "rehearsal-studios",
)

# --- R-REF-5 OKED codes -----------------------------------------------------------------

# (code, name_ru, name_kk, name_en, category codes). Codes of the Kazakh OKED (the
# national edition of NACE Rev. 2, five digits); an operator extends the list in the
# admin. The names follow the NACE Rev. 2 wording of each class; the national
# subclass names (fifth digit) should be checked against the official classifier.
# Industrial plants and shopping centres have no codes here: manufacturing is the
# whole of section C, and a shopping centre's code (letting of own real estate) fits
# far more than shopping centres; an operator adds what the applications show.
_OKED = [
    (
        "49391",
        "Прочие нерегулярные перевозки пассажиров сухопутным транспортом",
        "Жолаушыларды құрлық көлігімен өзге де тұрақты емес тасымалдау",
        "Other non-scheduled passenger land transport",
        ("tourist-transport",),
    ),
    (
        "52230",
        "Вспомогательная деятельность в сфере воздушного транспорта",
        "Әуе көлігі саласындағы қосалқы қызмет",
        "Service activities incidental to air transportation",
        ("airports",),
    ),
    (
        "55101",
        "Предоставление услуг гостиницами с ресторанами",
        "Мейрамханалары бар қонақ үйлердің қызмет көрсетуі",
        "Hotels with restaurants",
        ("hotels",),
    ),
    (
        "56101",
        "Деятельность ресторанов и услуги по доставке продуктов питания",
        "Мейрамханалардың қызметі және тамақ өнімдерін жеткізу қызметтері",
        "Restaurants and mobile food service activities",
        ("public-catering",),
    ),
    (
        "56210",
        "Поставка готовой пищи для мероприятий (кейтеринг)",
        "Іс-шараларға дайын тамақ жеткізу (кейтеринг)",
        "Event catering activities",
        ("banquet-halls",),
    ),
    # Includes canteens, which the decree of 13 Apr 2021 leaves out of public catering:
    # the code matches the category, the reviewer still checks the kind of venue.
    (
        "56290",
        "Прочие виды организации питания",
        "Тамақтануды ұйымдастырудың өзге де түрлері",
        "Other food service activities",
        ("public-catering",),
    ),
    ("56300", "Подача напитков", "Сусындар ұсыну", "Beverage serving activities", ("public-catering",)),
    (
        "59140",
        "Деятельность по показу кинофильмов",
        "Кинофильмдерді көрсету жөніндегі қызмет",
        "Motion picture projection activities",
        ("cinemas",),
    ),
    (
        "64191",
        "Деятельность банков",
        "Банктердің қызметі",
        "Activities of banks",
        ("banks",),
    ),
    (
        "79120",
        "Деятельность туроператоров",
        "Туроператорлардың қызметі",
        "Tour operator activities",
        ("tourist-transport",),
    ),
    (
        "82300",
        "Организация конференций и выставок",
        "Конференциялар мен көрмелерді ұйымдастыру",
        "Organisation of conventions and trade shows",
        ("exhibitions",),
    ),
    (
        "84110",
        "Государственное управление общего характера",
        "Жалпы сипаттағы мемлекеттік басқару",
        "General public administration activities",
        ("state-bodies",),
    ),
    (
        "85421",
        "Высшее образование",
        "Жоғары білім беру",
        "Higher education",
        ("universities",),
    ),
    (
        "86100",
        "Деятельность больниц",
        "Ауруханалардың қызметі",
        "Hospital activities",
        ("private-clinics",),
    ),
    (
        "86210",
        "Общая врачебная практика",
        "Жалпы дәрігерлік практика",
        "General medical practice activities",
        ("private-clinics",),
    ),
    (
        "86220",
        "Специальная врачебная практика",
        "Мамандандырылған дәрігерлік практика",
        "Specialist medical practice activities",
        ("private-clinics",),
    ),
    (
        "90010",
        "Деятельность в области исполнительского искусства",
        "Орындаушылық өнер саласындағы қызмет",
        "Performing arts",
        ("theatres", "philharmonics", "concert-halls", "circuses"),
    ),
    (
        "90020",
        "Вспомогательная деятельность в области исполнительского искусства",
        "Орындаушылық өнер саласындағы қосалқы қызмет",
        "Support activities to performing arts",
        ("rehearsal-studios",),
    ),
    (
        "90040",
        "Деятельность учреждений культуры и искусства",
        "Мәдениет және өнер мекемелерінің қызметі",
        "Operation of arts facilities",
        ("theatres", "philharmonics", "concert-halls", "circuses"),
    ),
    ("91020", "Деятельность музеев", "Мұражайлардың қызметі", "Museums activities", ("exhibitions",)),
    (
        "91040",
        "Деятельность ботанических садов, зоопарков и заповедников",
        "Ботаникалық бақтардың, хайуанаттар бақтарының және қорықтардың қызметі",
        "Botanical and zoological gardens and nature reserves activities",
        ("oceanarium",),
    ),
    (
        "92000",
        "Организация азартных игр и заключение пари",
        "Құмар ойындар мен бәс тігуді ұйымдастыру",
        "Gambling and betting activities",
        ("lottery-clubs",),
    ),
    (
        "93110",
        "Деятельность спортивных объектов",
        "Спорт объектілерінің қызметі",
        "Operation of sports facilities",
        ("sports-complexes", "swimming-pools", "bowling-clubs"),
    ),
    (
        "93130",
        "Деятельность фитнес-клубов",
        "Фитнес-клубтардың қызметі",
        "Fitness facilities",
        ("fitness-centres",),
    ),
    (
        "93190",
        "Прочая деятельность в области спорта",
        "Спорт саласындағы өзге де қызмет",
        "Other sports activities",
        ("sports-complexes",),
    ),
    (
        "93210",
        "Деятельность парков отдыха и развлечений",
        "Демалыс және ойын-сауық саябақтарының қызметі",
        "Activities of amusement parks and theme parks",
        ("childrens-centres",),
    ),
    (
        "93290",
        "Прочая деятельность по организации отдыха и развлечений",
        "Демалыс пен ойын-сауықты ұйымдастыру жөніндегі өзге де қызмет",
        "Other amusement and recreation activities",
        ("karaoke", "billiard-clubs", "bowling-clubs", "computer-clubs", "childrens-centres"),
    ),
    (
        "96040",
        "Деятельность по обеспечению физического комфорта",
        "Дене жайлылығын қамтамасыз ету жөніндегі қызмет",
        "Physical well-being activities",
        ("saunas", "spa-centres"),
    ),
]

OKED_CODES = [
    {"code": code, "name_ru": ru, "name_kk": kk, "name_en": en, "categories": categories}
    for code, ru, kk, en, categories in _OKED
]
