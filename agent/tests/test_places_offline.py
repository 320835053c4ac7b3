"""The offline gazetteer, searched for real: the shipped index, no mocks."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from travel_agent.places.base import PlacesProvider, SearchResult
from travel_agent.places.gazetteer.geo import distance_km
from travel_agent.places.gazetteer.index import load_index, read_index_data
from travel_agent.places.offline import NOT_FOUND, OfflineGazetteer

REPO = Path(__file__).resolve().parents[2]
ROME = (41.8902, 12.4922)
KYOTO = (35.0116, 135.7681)

# The cities issue 2 names as the most visited; each must have curated landmarks.
MOST_VISITED = [
    "Bangkok", "Paris", "London", "Dubai", "Singapore", "Kuala Lumpur", "New York",
    "Istanbul", "Tokyo", "Antalya", "Seoul", "Osaka", "Mecca", "Phuket", "Pattaya", "Milan",
    "Barcelona", "Palma", "Bali", "Hong Kong", "Rome", "Amsterdam", "Prague", "Vienna",
    "Los Angeles", "Las Vegas", "Miami", "San Francisco", "Orlando", "Madrid", "Berlin",
    "Lisbon", "Venice", "Florence", "Kyoto", "Sydney", "Cancún", "Mexico City",
    "Rio de Janeiro", "São Paulo", "Buenos Aires", "Cairo", "Marrakesh", "Cape Town",
    "Athens", "Dublin", "Edinburgh", "Budapest", "Beijing", "Shanghai", "Delhi", "Mumbai",
    "Taipei", "Toronto", "Vancouver",
]  # fmt: skip


@pytest.fixture(scope="module")
def gaz() -> OfflineGazetteer:
    return OfflineGazetteer()


def names(result: SearchResult) -> list[str]:
    return [p.name for p in result.places]


def ids(result: SearchResult) -> list[str]:
    return [p.id for p in result.places]


# ---------------------------------------------------------------- provider contract


async def test_is_a_places_provider_that_needs_no_network(gaz: OfflineGazetteer) -> None:
    provider: PlacesProvider = gaz
    assert provider.name == "offline"
    result = await provider.search("museums in Rome")
    assert isinstance(result, SearchResult)
    assert result.query == "museums in Rome"
    assert result.error is None
    assert result.places
    await provider.aclose()
    # The index is shared: closing one provider does not break another.
    assert (await OfflineGazetteer().search("Rome")).places


def test_places_are_valid_models_with_no_invented_ratings(gaz: OfflineGazetteer) -> None:
    for query in ["Rome", "JFK", "Lyon", "museums in Paris", "Eiffel Tower"]:
        for place in gaz.search_sync(query).places:
            assert place.id.startswith("gaz-")
            assert place.rating is None
            assert place.address
            assert place.description
            assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180


# ---------------------------------------------------------------- cities


@pytest.mark.parametrize("query", ["São Paulo", "são paulo", "Sao Paulo", "SAO PAULO", "Sampa"])
def test_city_in_any_case_with_or_without_accents(gaz: OfflineGazetteer, query: str) -> None:
    result = gaz.search_sync(query)
    assert result.note is None
    assert result.places[0].id == "gaz-sao-paulo-avenida-paulista"
    assert all("São Paulo, Brazil" in p.address for p in result.places)


@pytest.mark.parametrize(
    ("query", "city"),
    [
        ("KYOTO", "kyoto"),
        ("kyoto", "kyoto"),
        ("Firenze", "florence"),  # GeoNames alternate name
        ("Bombay", "mumbai"),
        ("NYC", "new-york"),
        ("new york", "new-york"),
        ("Big Apple", "new-york"),
        ("東京", "tokyo"),  # non-Latin names are kept for big cities
        ("Bali", "bali"),  # curated area name (GeoNames: Denpasar)
        ("Mecca", "mecca"),
    ],
)
def test_city_names_and_alternate_names(gaz: OfflineGazetteer, query: str, city: str) -> None:
    result = gaz.search_sync(query)
    assert result.places, result.note
    assert all(place_id.startswith(f"gaz-{city}-") for place_id in ids(result))


def test_city_without_curated_landmarks_returns_only_the_city(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("Lyon")
    assert len(result.places) == 1
    lyon = result.places[0]
    assert lyon.name == "Lyon"
    assert lyon.id.startswith("gaz-city-")
    assert distance_km(lyon.latitude, lyon.longitude, 45.76, 4.84) < 5
    assert result.note is not None and "Only the city itself is known offline" in result.note

    museums = gaz.search_sync("museums in Lyon")
    assert ids(museums) == [lyon.id]
    assert museums.note is not None and "no curated museums" in museums.note


def test_region_picks_the_homonym(gaz: OfflineGazetteer) -> None:
    texas = gaz.search_sync("Paris, Texas")
    assert len(texas.places) == 1
    assert texas.places[0].address == "Texas, United States"
    assert gaz.search_sync("Paris").places[0].id == "gaz-paris-eiffel-tower"


# ---------------------------------------------------------------- categories


def test_museums_in_rome(gaz: OfflineGazetteer) -> None:
    found = names(gaz.search_sync("museums in Rome"))
    assert {"Vatican Museums", "Capitoline Museums", "Borghese Gallery"} <= set(found)
    assert "Colosseum" not in found and "Trevi Fountain" not in found


def test_old_churches_in_rome_are_churches_only(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("old churches in Rome")
    assert "St. Peter's Basilica" in names(result)
    assert all(p.description.startswith("Church · ") for p in result.places)


@pytest.mark.parametrize(
    ("query", "expected", "not_expected"),
    [
        ("parks near Kyoto", "Philosopher's Path", "Kinkaku-ji"),
        ("food markets Barcelona", "La Boqueria", "Sagrada Família"),
        ("cathedrals in Paris", "Notre-Dame de Paris", "Louvre Museum"),
        ("basilicas in Rome", "Santa Maria Maggiore", "Colosseum"),
        ("art in Paris", "Musée d'Orsay", "Eiffel Tower"),
        ("views in Lisbon", "Miradouro da Senhora do Monte", "Alfama"),
        ("history in Istanbul", "Topkapı Palace", "Grand Bazaar"),
        ("beaches in Bali", "Kuta Beach", "Ubud Palace"),
        ("things to do in Tokyo", "Sensō-ji", "Osaka Castle"),
    ],
)
def test_category_synonyms(
    gaz: OfflineGazetteer, query: str, expected: str, not_expected: str
) -> None:
    found = names(gaz.search_sync(query, limit=50))
    assert expected in found
    assert not_expected not in found


def test_category_results_stay_in_the_city(gaz: OfflineGazetteer) -> None:
    for place in gaz.search_sync("temples in Kyoto", limit=50).places:
        assert distance_km(place.latitude, place.longitude, *KYOTO) < 35
        assert place.address.endswith("Kyoto, Japan")


def test_missing_category_says_so(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("zoos in Rome")
    assert result.places == []
    assert result.note is not None and "no zoos in Rome" in result.note


def test_kinds_of_place_it_does_not_hold(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("hotels in Rome")
    assert result.places == []
    assert result.note is not None and "not hotels" in result.note


def test_a_country_alone_asks_for_a_city(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("Italy")
    assert result.places == []
    assert result.note is not None and "Rome" in result.note


# ---------------------------------------------------------------- landmarks by name


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Eiffel Tower", "gaz-paris-eiffel-tower"),
        ("colosseum", "gaz-rome-colosseum"),
        ("COLOSSEO", "gaz-rome-colosseum"),
        ("sagrada", "gaz-barcelona-sagrada-familia"),
        ("Sagrada Família", "gaz-barcelona-sagrada-familia"),
        ("st peters basilica", "gaz-rome-st-peters-basilica"),
        ("Tower of London", "gaz-london-tower-of-london"),
        # "Golden Gate" is also a town in Florida; the whole landmark name wins.
        ("Golden Gate Bridge", "gaz-san-francisco-golden-gate-bridge"),
        ("Big Ben", "gaz-london-palace-of-westminster"),
        ("Royal Palace Madrid", "gaz-madrid-royal-palace-of-madrid"),
    ],
)
def test_landmark_by_name(gaz: OfflineGazetteer, query: str, first: str) -> None:
    assert ids(gaz.search_sync(query))[0] == first


def test_named_landmark_does_not_drag_in_lookalikes(gaz: OfflineGazetteer) -> None:
    assert ids(gaz.search_sync("Golden Gate Bridge")) == ["gaz-san-francisco-golden-gate-bridge"]
    # "food" is a category word, not the name of Singapore's Maxwell Food Centre.
    assert all("barcelona" in i for i in ids(gaz.search_sync("food markets Barcelona")))


def test_landmark_named_after_an_uncurated_town(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("Giza")
    assert ids(result)[:2] == ["gaz-cairo-pyramids-of-giza", "gaz-cairo-great-sphinx-of-giza"]
    assert result.places[2].name == "Giza"  # the town itself, after its landmarks
    # "Central Park" is also a GeoNames name of Bethpage, NY; the landmark is meant.
    assert ids(gaz.search_sync("Central Park")) == ["gaz-new-york-central-park"]


# ---------------------------------------------------------------- airports


@pytest.mark.parametrize("query", ["JFK", "jfk", "JFK airport", "Kennedy airport"])
def test_airport_by_code_or_name(gaz: OfflineGazetteer, query: str) -> None:
    result = gaz.search_sync(query)
    assert ids(result)[0] == "gaz-airport-jfk"
    assert "(JFK)" in result.places[0].name


def test_heathrow_airport(gaz: OfflineGazetteer) -> None:
    assert ids(gaz.search_sync("Heathrow airport")) == ["gaz-airport-lhr"]


def test_airports_in_a_city(gaz: OfflineGazetteer) -> None:
    found = ids(gaz.search_sync("airports in London"))
    assert {"gaz-airport-lhr", "gaz-airport-lgw", "gaz-airport-stn"} <= set(found)
    assert "gaz-airport-nht" not in found[:5]  # RAF Northolt ranks after civil airports


# ---------------------------------------------------------------- nothing invented


@pytest.mark.parametrize(
    "query",
    # "Mont" is a town name too, but the query is not about that town.
    ["Atlantis", "xyzzy", "", "   ", "museums in Atlantis", "Mont Saint-Michel", "Lyon xyzzy"],
)
def test_unknown_places_return_nothing(gaz: OfflineGazetteer, query: str) -> None:
    result = gaz.search_sync(query)
    assert result.places == []
    assert result.note == NOT_FOUND


def test_unknown_words_next_to_a_city_are_reported(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("romantic places in Paris")
    assert result.places
    assert result.note is not None and "romantic" in result.note


# ---------------------------------------------------------------- dedup, limit, near


def test_results_are_deduplicated(gaz: OfflineGazetteer) -> None:
    # Both names of one landmark, and three overlapping phrasings of one city.
    for query in ["Big Ben Houses of Parliament", "Rome Roma", "Chinatown", "NYC New York"]:
        found = ids(gaz.search_sync(query, limit=50))
        assert len(found) == len(set(found)), query
    assert ids(gaz.search_sync("Big Ben Houses of Parliament")) == [
        "gaz-london-palace-of-westminster"
    ]


def test_limit(gaz: OfflineGazetteer) -> None:
    assert len(gaz.search_sync("Rome").places) == 10
    assert len(gaz.search_sync("Rome", limit=3).places) == 3
    assert gaz.search_sync("Rome", limit=0).places == []
    assert len(gaz.search_sync("Rome", limit=100).places) == 19  # all curated for Rome


def test_near_resolves_homonyms(gaz: OfflineGazetteer) -> None:
    springfield_il = (39.80, -89.65)
    anywhere = gaz.search_sync("Springfield").places[0]
    near_il = gaz.search_sync("Springfield", near=springfield_il).places[0]
    assert distance_km(near_il.latitude, near_il.longitude, *springfield_il) < 20
    assert distance_km(anywhere.latitude, anywhere.longitude, *springfield_il) > 100


def test_near_limits_and_sorts_unnamed_searches(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("museums", near=ROME, limit=50)
    assert result.places
    distances = [distance_km(p.latitude, p.longitude, *ROME) for p in result.places]
    assert all(d <= 50 for d in distances)
    assert distances == sorted(distances)
    assert "Vatican Museums" in names(result)

    singapore = (1.29, 103.85)
    assert ids(gaz.search_sync("Chinatown", near=singapore)) == ["gaz-singapore-chinatown"]
    assert len(gaz.search_sync("Chinatown").places) == 3


def test_near_sorts_a_named_city_by_distance(gaz: OfflineGazetteer) -> None:
    trevi = (41.9009, 12.4833)
    result = gaz.search_sync("churches in Rome", near=trevi, limit=50)
    distances = [distance_km(p.latitude, p.longitude, *trevi) for p in result.places]
    assert distances == sorted(distances)


def test_category_without_city_or_point_asks_for_a_city(gaz: OfflineGazetteer) -> None:
    result = gaz.search_sync("museums")
    assert result.places == []
    assert result.note is not None and "Name a city" in result.note


# ---------------------------------------------------------------- planner helpers


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("Plan a 3-day trip to Rome, I like museums and old churches", "Rome", "IT"),
        ("KYOTO", "Kyoto", "JP"),
        ("são paulo", "São Paulo", "BR"),
        ("new york", "New York", "US"),
        ("NYC", "New York", "US"),
        ("plan a weekend in new york city", "New York", "US"),
        ("I want to visit Kyoto and Osaka", "Kyoto", "JP"),
        ("Trip to Paris, Texas", "Paris", "US"),
        ("Take me to Nice in June", "Nice", "FR"),
        ("a nice trip to paris", "Paris", "FR"),
        ("Plan a trip to Bali with beaches", "Bali", "ID"),
        ("plan a day in marrakech", "Marrakesh", "MA"),
    ],
)
def test_find_city_in_a_sentence(gaz: OfflineGazetteer, text: str, name: str, country: str) -> None:
    city = gaz.find_city(text)
    assert city is not None
    assert (city.name, city.country) == (name, country)


def test_find_city_details(gaz: OfflineGazetteer) -> None:
    rome = gaz.find_city("Plan a 3-day trip to Rome")
    assert rome is not None
    assert rome.has_landmarks and rome.country_name == "Italy"
    assert rome.population > 2_000_000
    assert distance_km(rome.lat, rome.lon, *ROME) < 10
    lyon = gaz.find_city("a weekend in Lyon")
    assert lyon is not None and not lyon.has_landmarks


def test_find_city_prefers_the_most_populous_homonym(gaz: OfflineGazetteer) -> None:
    index = load_index()
    springfields = index.cities_named("springfield")
    assert len(springfields) > 3
    city = gaz.find_city("Plan a trip to Springfield")
    assert city is not None
    assert city.population == max(index.cities.population[c] for c in springfields)


@pytest.mark.parametrize(
    "text", ["Plan a trip to Atlantis", "Plan a trip to Italy", "list my trips", "", "hello"]
)
def test_find_city_returns_none_without_a_city(gaz: OfflineGazetteer, text: str) -> None:
    assert gaz.find_city(text) is None


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("I like museums, old churches and street food", ["museum", "church", "market"]),
        ("I love art", ["museum", "gallery"]),
        ("history and views", ["viewpoint", "monument", "palace", "castle"]),
        ("Plan a trip to Tokyo. I like temples, gardens and food", ["temple", "garden", "market"]),
        ("Plan a trip to Miami Beach", []),  # part of a city name, not an interest
        ("Plan a trip to Rome", []),
    ],
)
def test_categories_in(gaz: OfflineGazetteer, text: str, categories: list[str]) -> None:
    assert gaz.categories_in(text) == categories
    assert set(categories) <= set(OfflineGazetteer.categories())


# ---------------------------------------------------------------- the data


def test_most_visited_cities_have_curated_landmarks(gaz: OfflineGazetteer) -> None:
    index = load_index()
    assert len(index.landmarks_by_city) >= 50
    for name in MOST_VISITED:
        city = gaz.find_city(name)
        assert city is not None and city.has_landmarks, name
        result = gaz.search_sync(name, limit=100)
        assert 8 <= len(result.places) <= 25, name


def test_landmark_ids_are_unique_and_stable() -> None:
    index = load_index()
    landmark_ids = [lm.id for lm in index.landmarks]
    assert len(landmark_ids) == len(set(landmark_ids))
    assert "gaz-rome-colosseum" in landmark_ids


@pytest.mark.slow
def test_committed_index_is_up_to_date(tmp_path: Path) -> None:
    """Regenerates the index from its sources; rerun the build script if this fails."""
    fresh = tmp_path / "gazetteer.json.gz"
    subprocess.run(
        [sys.executable, str(REPO / "agent/scripts/build_gazetteer.py"), "--output", str(fresh)],
        check=True,
        cwd=REPO,
        timeout=240,
    )
    regenerated = json.loads(gzip.decompress(fresh.read_bytes()))
    assert regenerated == read_index_data(), (
        "places/data/gazetteer.json.gz is stale: run "
        ".venv/bin/python agent/scripts/build_gazetteer.py and commit the result"
    )
