"""The landmark categories and the words people use for them.

Strong words name a kind of place ("museums", "cathedral"); weak words name an interest
that several kinds of place satisfy ("art", "history", "food"). A search uses the strong
words of a query when it has any, else its weak words, so "old churches" means churches
and not every historic site; `categories_in` reports both, because a trip plan wants all
of a person's interests.
"""

from __future__ import annotations

from collections.abc import Sequence

from .text import normalize

CATEGORIES: tuple[str, ...] = (
    "museum",
    "gallery",
    "park",
    "garden",
    "church",
    "temple",
    "shrine",
    "mosque",
    "synagogue",
    "viewpoint",
    "market",
    "monument",
    "palace",
    "castle",
    "square",
    "neighbourhood",
    "beach",
    "zoo",
    "aquarium",
    "landmark",
    "bridge",
    "shopping",
    "theatre",
    "stadium",
    "amusement park",
    "nature",
)

# Plural used in notes ("no zoos in Rome").
PLURALS: dict[str, str] = {
    "gallery": "galleries",
    "church": "churches",
    "neighbourhood": "neighbourhoods",
    "beach": "beaches",
    "shopping": "shopping places",
    "nature": "nature spots",
}


def plural(category: str) -> str:
    return PLURALS.get(category, category + "s")


_STRONG: dict[str, tuple[str, ...]] = {
    "museum": ("museum", "museums", "museo", "musee", "musei"),
    "gallery": ("gallery", "galleries", "art gallery", "art galleries"),
    "park": ("park", "parks", "green space", "green spaces"),
    "garden": ("garden", "gardens", "botanical", "botanic"),
    "church": (
        "church",
        "churches",
        "cathedral",
        "cathedrals",
        "basilica",
        "basilicas",
        "chapel",
        "chapels",
        "abbey",
        "abbeys",
        "duomo",
        "minster",
    ),
    "temple": ("temple", "temples", "pagoda", "pagodas", "wat", "wats", "monastery", "monasteries"),
    "shrine": ("shrine", "shrines"),
    "mosque": ("mosque", "mosques"),
    "synagogue": ("synagogue", "synagogues"),
    "viewpoint": (
        "viewpoint",
        "viewpoints",
        "view",
        "views",
        "lookout",
        "lookouts",
        "panorama",
        "panoramas",
        "panoramic",
        "skyline",
        "observation deck",
        "observation decks",
        "sunset",
        "sunsets",
        "rooftop",
    ),
    "market": (
        "market",
        "markets",
        "bazaar",
        "bazaars",
        "souk",
        "souks",
        "souq",
        "souqs",
        "street food",
        "hawker",
        "hawkers",
        "food hall",
        "food halls",
    ),
    "monument": (
        "monument",
        "monuments",
        "memorial",
        "memorials",
        "ruin",
        "ruins",
        "statue",
        "statues",
        "archaeological",
        "archaeology",
        "archeological",
    ),
    "palace": ("palace", "palaces", "palazzo", "palazzi"),
    "castle": ("castle", "castles", "fortress", "fortresses", "fort", "forts", "citadel"),
    "square": ("square", "squares", "plaza", "plazas", "piazza", "piazzas"),
    "neighbourhood": (
        "neighbourhood",
        "neighbourhoods",
        "neighborhood",
        "neighborhoods",
        "district",
        "districts",
        "quarter",
        "quarters",
        "old town",
        "old city",
        "historic centre",
        "historic center",
    ),
    "beach": ("beach", "beaches", "seaside"),
    "zoo": ("zoo", "zoos"),
    "aquarium": ("aquarium", "aquariums"),
    "bridge": ("bridge", "bridges"),
    "shopping": ("shopping", "shops", "shop", "mall", "malls", "boutiques", "souvenirs"),
    "theatre": (
        "theatre",
        "theatres",
        "theater",
        "theaters",
        "opera",
        "opera house",
        "concert",
        "concerts",
        "musical",
        "musicals",
    ),
    "stadium": ("stadium", "stadiums", "arena", "arenas", "football", "soccer"),
    "amusement park": (
        "theme park",
        "theme parks",
        "amusement park",
        "amusement parks",
        "roller coaster",
        "roller coasters",
    ),
    "nature": (
        "nature",
        "hiking",
        "hike",
        "hikes",
        "mountain",
        "mountains",
        "waterfall",
        "waterfalls",
        "lake",
        "lakes",
        "forest",
        "forests",
        "volcano",
    ),
}

_WEAK: dict[str, tuple[str, ...]] = {
    "art": ("museum", "gallery"),
    "arts": ("museum", "gallery"),
    "artwork": ("museum", "gallery"),
    "artworks": ("museum", "gallery"),
    "painting": ("museum", "gallery"),
    "paintings": ("museum", "gallery"),
    "sculpture": ("museum", "gallery"),
    "sculptures": ("museum", "gallery"),
    "exhibition": ("museum", "gallery"),
    "exhibitions": ("museum", "gallery"),
    "science": ("museum",),
    "history": ("monument", "palace", "castle"),
    "historic": ("monument", "palace", "castle"),
    "historical": ("monument", "palace", "castle"),
    "ancient": ("monument", "palace", "castle"),
    "heritage": ("monument", "palace", "castle"),
    "royal": ("palace", "castle"),
    "food": ("market",),
    "foodie": ("market",),
    "eat": ("market",),
    "eating": ("market",),
    "cuisine": ("market",),
    "culinary": ("market",),
    "religious": ("church", "temple", "shrine", "mosque", "synagogue"),
    "religion": ("church", "temple", "shrine", "mosque", "synagogue"),
    "spiritual": ("church", "temple", "shrine", "mosque", "synagogue"),
    "sacred": ("church", "temple", "shrine", "mosque", "synagogue"),
    "worship": ("church", "temple", "shrine", "mosque", "synagogue"),
    "kids": ("zoo", "aquarium", "amusement park", "park"),
    "children": ("zoo", "aquarium", "amusement park", "park"),
    "family": ("zoo", "aquarium", "amusement park", "park"),
    "animals": ("zoo", "aquarium"),
    "wildlife": ("zoo", "aquarium", "nature"),
    "outdoors": ("park", "garden", "beach", "nature"),
    "outdoor": ("park", "garden", "beach", "nature"),
    "green": ("park", "garden"),
    "relax": ("park", "garden", "beach"),
    "relaxing": ("park", "garden", "beach"),
    "sea": ("beach",),
    "swim": ("beach",),
    "swimming": ("beach",),
    "surf": ("beach",),
    "surfing": ("beach",),
    "sunbathing": ("beach",),
    "architecture": ("landmark", "church", "palace"),
    "photo": ("viewpoint", "landmark"),
    "photos": ("viewpoint", "landmark"),
    "photography": ("viewpoint", "landmark"),
    "culture": ("museum", "gallery", "theatre", "monument"),
    "cultural": ("museum", "gallery", "theatre", "monument"),
    "music": ("theatre",),
    "sport": ("stadium",),
    "sports": ("stadium",),
    "skyscraper": ("landmark", "viewpoint"),
    "skyscrapers": ("landmark", "viewpoint"),
}

# Words that ask for every landmark rather than one kind.
GENERIC_INTEREST: frozenset[str] = frozenset(
    {
        "landmark",
        "landmarks",
        "sight",
        "sights",
        "sightseeing",
        "attraction",
        "attractions",
        "highlights",
        "things to do",
        "must see",
        "points of interest",
        "tourist",
        "touristy",
    }
)

# Kinds of place people ask for that the gazetteer does not hold (it never invents them).
UNSUPPORTED: dict[str, str] = {
    word: kind
    for kind, words in {
        "hotels": ("hotel", "hotels", "hostel", "hostels", "accommodation", "lodging"),
        "restaurants": ("restaurant", "restaurants", "dinner", "lunch", "breakfast", "brunch"),
        "cafés": ("cafe", "cafes", "coffee"),
        "bars": ("bar", "bars", "pub", "pubs", "nightlife", "club", "clubs", "nightclub"),
        "spas": ("spa", "spas"),
    }.items()
    for word in words
}


def _phrase_table() -> dict[tuple[str, ...], tuple[tuple[str, ...], bool]]:
    """Every synonym as a token tuple -> (categories, strong)."""
    table: dict[tuple[str, ...], tuple[tuple[str, ...], bool]] = {}
    for word, cats in _WEAK.items():
        table[tuple(normalize(word).split())] = (cats, False)
    for category, words in _STRONG.items():
        for word in words:
            key = tuple(normalize(word).split())
            previous = table.get(key)
            merged = (previous[0] if previous and previous[1] else ()) + (category,)
            table[key] = (merged, True)
    for word in GENERIC_INTEREST:
        table[tuple(normalize(word).split())] = ((), True)
    return table


PHRASES = _phrase_table()
_LONGEST = max(len(key) for key in PHRASES)


class CategoryMatch:
    """Categories found in a token list, and which token positions named them."""

    __slots__ = ("generic", "positions", "strong", "unsupported", "weak")

    def __init__(self) -> None:
        self.strong: list[str] = []
        self.weak: list[str] = []
        self.generic = False
        self.unsupported: list[str] = []
        self.positions: set[int] = set()

    @property
    def for_search(self) -> list[str]:
        """The categories a search should filter on (strong beats weak); empty: any."""
        return self.strong or self.weak

    @property
    def interests(self) -> list[str]:
        """Every category mentioned, strong or weak, in order of first mention."""
        return list(dict.fromkeys(self.strong + self.weak))


def match_categories(words: Sequence[str]) -> CategoryMatch:
    """Finds category words and phrases in normalised tokens, longest phrase first."""
    found = CategoryMatch()
    ordered: list[tuple[int, tuple[str, ...], bool]] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            hit = PHRASES.get(key)
            if hit is not None:
                cats, strong = hit
                if not cats:
                    found.generic = True
                ordered.append((i, cats, strong))
                found.positions.update(range(i, i + size))
                i += size
                break
        else:
            kind = UNSUPPORTED.get(words[i])
            if kind is not None:
                found.unsupported.append(kind)
                found.positions.add(i)
            i += 1
    for _, cats, strong in ordered:
        target = found.strong if strong else found.weak
        target.extend(c for c in cats if c not in target)
    found.unsupported = list(dict.fromkeys(found.unsupported))
    return found


def categories_in(text: str) -> list[str]:
    """Maps the interest words of a sentence to gazetteer categories, in order of mention.

    "I like museums, old churches and food" -> ["museum", "church", "market"].
    Both kinds of word count here ("art" -> museum and gallery). Words for things the
    gazetteer does not hold (hotels, restaurants) are ignored.
    """
    return match_categories(normalize(text).split()).interests
