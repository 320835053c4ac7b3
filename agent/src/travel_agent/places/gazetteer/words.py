"""Small word lists that help read a query or a sentence (all in `normalize`d form)."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no place in a search query ("the best museums in Rome").
FILLERS: frozenset[str] = _words(
    """
    a an the in on at of to for from near nearby around close by within inside into and or
    with without me my i we us our you your it its is are be was please show find search
    list give get want like love visit visiting see seeing go going trip trips tour tours day
    days week weekend night nights plan planning some any all best top good great nice most
    famous popular well known main major old oldest new big small beautiful amazing cool fun
    interesting lovely must what where which who how do does place places spot spots thing
    things city town centre center downtown area region local here there this that these
    those about also very really more other something somewhere stuff free cheap
    """
)

# Words after which a city usually follows in a sentence ("a trip to Rome", "days in Kyoto").
CUES: frozenset[str] = _words("to in at visit visiting around near explore exploring for from of")

# Ordinary English words that are also names (or alternate names) of GeoNames cities. In free
# text they are not read as a city unless capitalised ("Rest" is a city, "rest" is not).
COMMON_WORDS: frozenset[str] = FILLERS | _words(
    """
    also area bad bank bar bat bay bear bell bend best bid big bush but buy cage can canal
    care cars cat chair come cove creek crystal cut date dawn deal die dig due eagle eat era
    ever far fate fleet forest fun gap gas gay get god gold golden grass green grove hall ham
    hang has hay her hill hit holiday hook hot hub human hunter key kid kin lake law lay lee
    lemon liberty lime lion log lone loop lot luck mad male man mango march marina market mile
    mine mission more moss most much name never noisy normal north not oak off okay one opera
    orange our out pace pan panda paradise pearl pen pet pin plain plaza police pop port put
    rapid raw ray rest rich rid rise roses run sale salt same sandy save say sea seen set she
    side sin since sky solo son soul spa spring springs summit sun sunrise sunset superior
    surprise tall tan tea temple ten than time tip tire tone try turn union university valley
    van via victor vista wave way worth yes young zoo airport central roman museum beach park
    garden gardens market markets church palace castle tower bridge square street road
    """
)

# Tiny words skipped when comparing landmark names ("Palace of Westminster" ~ "Westminster palace").
NAME_STOPWORDS: frozenset[str] = _words(
    "the of de la le les el del di da das dos des du and y e et l d s a an am im der die"
)

# Words too common in landmark names to identify one by themselves ("museum", "park").
GENERIC_NAME_WORDS: frozenset[str] = _words(
    """
    museum museo musee gallery galleria park parque parc garden gardens jardin church iglesia
    eglise chiesa cathedral catedral basilica chapel temple shrine mosque synagogue palace
    palacio palazzo palais castle castillo fort fortress square plaza piazza place market
    mercado marche bridge tower torre beach zoo aquarium national art arts modern contemporary
    history historical natural science royal real great grand old new city central centre
    center st saint san santa santo sao street avenue road hill mount mountain lake island
    bay house hall memorial monument district quarter town village gate opera theatre
    theater stadium world international airport museums observation deck view viewpoint
    wat ji jinja dera mount upper lower north south east west main
    """
)

# Legendary places that share a name with a small real town (Atlantis in South Africa,
# El Dorado in Arkansas). Asked for alone they mean the legend, which the gazetteer does not
# hold; with a country or state ("Atlantis, South Africa") the town is found.
LEGENDARY_PLACES: frozenset[str] = frozenset(
    {"atlantis", "el dorado", "eldorado", "shangri la", "utopia", "camelot", "avalon", "xanadu"}
)
