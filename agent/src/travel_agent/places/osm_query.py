"""Reading a place-search query for OpenStreetMap: which kind of place ("museums") and
where ("in Rome"), and the OSM tags that kind maps to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .gazetteer.text import normalize


@dataclass(frozen=True)
class Category:
    """A kind of place and the Overpass tag filters that select it."""

    label: str
    filters: tuple[str, ...]


def _c(label: str, *filters: str) -> Category:
    return Category(label, filters)


_ATTRACTION = _c("attraction", '["tourism"="attraction"]')
_MUSEUM = _c("museum", '["tourism"="museum"]')
_GALLERY = _c("gallery", '["tourism"="gallery"]')
_PARK = _c("park", '["leisure"="park"]')
_GARDEN = _c("garden", '["leisure"="garden"]')
_RESTAURANT = _c("restaurant", '["amenity"="restaurant"]')
_CAFE = _c("cafe", '["amenity"="cafe"]')
_BAR = _c("bar", '["amenity"~"^(bar|pub)$"]')
_HOTEL = _c("hotel", '["tourism"="hotel"]')
_STAY = _c("accommodation", '["tourism"~"^(hotel|hostel|guest_house|apartment)$"]')
_HOSTEL = _c("hostel", '["tourism"="hostel"]')
_VIEWPOINT = _c("viewpoint", '["tourism"="viewpoint"]')
_MONUMENT = _c("monument", '["historic"~"^(monument|memorial)$"]')
_CASTLE = _c("castle", '["historic"="castle"]')
_RUINS = _c("ruins", '["historic"~"^(ruins|archaeological_site)$"]')
_HISTORIC = _c(
    "historic site",
    '["historic"~"^(castle|monument|memorial|ruins|archaeological_site|fort|city_gate)$"]',
)
_WORSHIP = _c("place of worship", '["amenity"="place_of_worship"]')
_ZOO = _c("zoo", '["tourism"="zoo"]')
_AQUARIUM = _c("aquarium", '["tourism"="aquarium"]')
_THEME_PARK = _c("theme park", '["tourism"="theme_park"]')
_BEACH = _c("beach", '["natural"="beach"]')
_MARKET = _c("market", '["amenity"="marketplace"]')
_THEATRE = _c("theatre", '["amenity"="theatre"]')
_CINEMA = _c("cinema", '["amenity"="cinema"]')
_NIGHTCLUB = _c("nightclub", '["amenity"="nightclub"]')
_MALL = _c("shopping centre", '["shop"="mall"]')
_CAMPING = _c("campsite", '["tourism"="camp_site"]')

# Longest phrases first, so "theme parks" is not read as "parks".
KEYWORDS: dict[str, Category] = {
    "things to do": _ATTRACTION,
    "places to visit": _ATTRACTION,
    "places to stay": _STAY,
    "theme park": _THEME_PARK,
    "amusement park": _THEME_PARK,
    "art gallery": _GALLERY,
    "art galleries": _GALLERY,
    "historic site": _HISTORIC,
    "historical site": _HISTORIC,
    "shopping centre": _MALL,
    "shopping center": _MALL,
    "attraction": _ATTRACTION,
    "attractions": _ATTRACTION,
    "sights": _ATTRACTION,
    "sightseeing": _ATTRACTION,
    "landmark": _ATTRACTION,
    "landmarks": _ATTRACTION,
    "museum": _MUSEUM,
    "museums": _MUSEUM,
    "gallery": _GALLERY,
    "galleries": _GALLERY,
    "park": _PARK,
    "parks": _PARK,
    "garden": _GARDEN,
    "gardens": _GARDEN,
    "restaurant": _RESTAURANT,
    "restaurants": _RESTAURANT,
    "food": _RESTAURANT,
    "dining": _RESTAURANT,
    "cafe": _CAFE,
    "cafes": _CAFE,
    "café": _CAFE,
    "cafés": _CAFE,
    "coffee": _CAFE,
    "bar": _BAR,
    "bars": _BAR,
    "pub": _BAR,
    "pubs": _BAR,
    "hotel": _HOTEL,
    "hotels": _HOTEL,
    "accommodation": _STAY,
    "accommodations": _STAY,
    "hostel": _HOSTEL,
    "hostels": _HOSTEL,
    "viewpoint": _VIEWPOINT,
    "viewpoints": _VIEWPOINT,
    "views": _VIEWPOINT,
    "lookout": _VIEWPOINT,
    "monument": _MONUMENT,
    "monuments": _MONUMENT,
    "memorial": _MONUMENT,
    "memorials": _MONUMENT,
    "castle": _CASTLE,
    "castles": _CASTLE,
    "ruins": _RUINS,
    "historic": _HISTORIC,
    "historical": _HISTORIC,
    "church": _WORSHIP,
    "churches": _WORSHIP,
    "cathedral": _WORSHIP,
    "cathedrals": _WORSHIP,
    "temple": _WORSHIP,
    "temples": _WORSHIP,
    "mosque": _WORSHIP,
    "mosques": _WORSHIP,
    "synagogue": _WORSHIP,
    "synagogues": _WORSHIP,
    "zoo": _ZOO,
    "zoos": _ZOO,
    "aquarium": _AQUARIUM,
    "aquariums": _AQUARIUM,
    "beach": _BEACH,
    "beaches": _BEACH,
    "market": _MARKET,
    "markets": _MARKET,
    "theatre": _THEATRE,
    "theatres": _THEATRE,
    "theater": _THEATRE,
    "theaters": _THEATRE,
    "cinema": _CINEMA,
    "cinemas": _CINEMA,
    "nightlife": _NIGHTCLUB,
    "nightclub": _NIGHTCLUB,
    "nightclubs": _NIGHTCLUB,
    "mall": _MALL,
    "malls": _MALL,
    "shopping": _MALL,
    "campsite": _CAMPING,
    "campsites": _CAMPING,
    "camping": _CAMPING,
}
# Compared in the gazetteer's normal form (one normaliser for every name and query).
_NORMAL = {normalize(k): v for k, v in KEYWORDS.items()}
_PHRASES = sorted(_NORMAL, key=len, reverse=True)

_SPLIT = re.compile(r"^(?P<what>.+?)\s+(?:in|near|around|at)\s+(?P<where>\S.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuery:
    """`category` is None for a named place ("Colosseum"); `area` is None when the query
    names no place to search in."""

    text: str
    category: Category | None
    area: str | None


def find_category(words: str) -> Category | None:
    padded = f" {normalize(words)} "
    for phrase in _PHRASES:
        if any(f" {phrase}{plural} " in padded for plural in ("", "s", "es")):
            return _NORMAL[phrase]
    return None


# Capitalised words that still describe a kind of place rather than name one.
_GENERIC = frozenset(
    {
        *("best", "top", "good", "great", "famous", "popular", "old", "new", "cheap"),
        *("local", "nice", "beautiful", "family", "romantic", "hidden", "historic"),
        *("historical", "main", "big", "small", "free", "the", "a", "an", "some", "most"),
        *("must", "see", "visit"),
    }
)


def _names_something(what: str) -> bool:
    """True for "Vatican Museums" or "Hotel Artemide": a proper name, not a kind of place."""
    for word in re.findall(r"[^\W\d_][\w'’-]*", what):
        lowered = normalize(word)
        if word[0].isupper() and lowered not in _NORMAL and lowered not in _GENERIC:
            return True
    return False


def parse_query(query: str) -> ParsedQuery:
    """ "museums in Rome" → museum around Rome; "Colosseum" → a named place."""
    text = " ".join(query.split())
    match = _SPLIT.match(text)
    what, where = (match["what"], match["where"]) if match else (text, None)
    category = find_category(what)
    if category is None or _names_something(what):
        return ParsedQuery(text=text, category=None, area=None)
    return ParsedQuery(text=text, category=category, area=where.strip(" .,?!") if where else None)
