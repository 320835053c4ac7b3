"""The offline planner on hundreds of phrasings (tests/data/planner_phrasings.yaml): the
parser (intent and slots) and the whole turn against the real offline gazetteer (the tool
it ends on, its arguments, its reply), then a sample of them through the real graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from planner_cases import CASES, DATA, SELECTED, TODAY

from travel_agent.graph import _search_content
from travel_agent.llm.planner.requests import ITINERARY_TOOLS, Parsed, Tools, on_request
from travel_agent.llm.planner.results import after_search
from travel_agent.models import Place, Trip
from travel_agent.places.gazetteer.regions import PROVINCES, TRAVEL_REGIONS
from travel_agent.places.offline import OfflineGazetteer
from travel_agent.tools import TOOL_ARGS

# The tools of the itinerary contract (TEAM.md), offered alongside today's.
CONTRACT = Tools(
    frozenset(
        {"search_for_places", "add_trips", "update_trips", "delete_trips", "select_trip"}
        | {"plan_days", "optimise_day", "move_places", "set_start_date"}
    ),
    frozenset({"trips", "day_count", "start_date"}),
)


def _trip(raw: dict[str, Any]) -> Trip:
    places = [
        Place(
            id=p[0],
            name=p[1],
            latitude=p[2],
            longitude=p[3],
            address="",
            rating=None,
            description=p[4] if len(p) > 4 else "",
        )
        for p in raw["places"]
    ]
    lat, lon = raw["center"]
    return Trip(
        id=raw["id"], name=raw["name"], center_latitude=lat, center_longitude=lon, zoom=13,
        places=places,
    )  # fmt: skip


TRIPS = [_trip(t) for t in DATA["trips"]]


@pytest.fixture(scope="module")
def finder() -> OfflineGazetteer:
    return OfflineGazetteer()


def run_turn(
    text: str, finder: OfflineGazetteer, tools: Tools = CONTRACT
) -> tuple[Parsed, str | None, dict[str, Any] | None, str]:
    """One turn as the graph runs it: the request, then (if it searched) the results."""
    parsed, reply = on_request(text, TRIPS, SELECTED, finder, tools, TODAY)
    if reply.tool == "search_for_places":
        assert reply.args is not None
        trip = next((t for t in TRIPS if t.id == reply.args.get("trip_id")), None)
        near = (trip.center_latitude, trip.center_longitude) if trip else None
        results = [finder.search_sync(q, near=near) for q in reply.args["queries"]]
        reply = after_search(_search_content(results), parsed, TRIPS, SELECTED, tools)
    return parsed, reply.tool, reply.args, reply.text


def contains(actual: Any, expected: Any) -> bool:
    """`expected` is a part of `actual` (dicts by key, lists item by item)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and contains(actual[k], v) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(contains(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


def test_the_set_is_large_and_varied() -> None:
    assert len(CASES) >= 300
    assert len({c["say"].lower() for c in CASES}) == len(CASES), "duplicate phrasings"
    intents = {c["intent"] for c in CASES}
    assert len(intents) >= 13


@pytest.mark.parametrize("case", CASES, ids=[c["say"][:60] or "(empty)" for c in CASES])
def test_phrasing(case: dict[str, Any], finder: OfflineGazetteer) -> None:
    parsed, tool, args, text = run_turn(case["say"], finder)
    assert parsed.intent.value == case["intent"], parsed.slots.summary()
    summary = parsed.slots.summary()
    for key, want in (case.get("slots") or {}).items():
        assert summary.get(key) == want, f"slot {key}: {summary}"
    assert (tool or "answer") == case["outcome"], text
    if tool is None:
        assert text.strip(), "every answer says something"
        for words in case.get("reply") or []:
            assert str(words).lower() in text.lower(), text
    else:
        assert args is not None
        if "args" in case:
            assert contains(args, case["args"]), args
        model = TOOL_ARGS.get(tool)
        if model is not None:  # today's tools validate what the planner sends them
            extra = {"day_count", "start_date"} - set(model.model_fields)
            model.model_validate({k: v for k, v in args.items() if k not in extra})


def test_changes_never_add_when_asked_to_remove(finder: OfflineGazetteer) -> None:
    for case in CASES:
        if case["intent"] in {"remove", "delete_all", "question", "list"}:
            _, tool, _, _ = run_turn(case["say"], finder)
            assert tool not in {"add_trips", "search_for_places"}, case["say"]


def test_without_itinerary_tools_day_requests_are_refused_honestly(
    finder: OfflineGazetteer,
) -> None:
    # A graph (or an older agent) that offers no day tools.
    today = Tools(frozenset(TOOL_ARGS) - ITINERARY_TOOLS, frozenset({"trips"}))
    _, tool, _, text = run_turn("optimise day 2", finder, today)
    assert tool is None and "not available" in text
    _, tool, args, _ = run_turn("plan four days in Vancouver from 12 March", finder, today)
    assert tool == "add_trips" and args is not None
    assert "day_count" not in args and "start_date" not in args


def test_every_region_and_province_city_is_in_the_gazetteer(finder: OfflineGazetteer) -> None:
    for name, (country, cities) in TRAVEL_REGIONS.items():
        region = finder.region_in(name)
        assert region is not None and len(region.cities) == len(cities), name
        assert all(c.country == country for c in region.cities), name
    for name, (country, _) in PROVINCES.items():
        region = finder.region_in(f"a trip to {name}")
        assert region is not None and region.cities, name
        assert all(c.country == country for c in region.cities), name


def readme_examples() -> list[tuple[str, str]]:
    text = (Path(__file__).parents[2] / "README.md").read_text()
    section = text.split("## The offline planner", 1)[1].split("\n## ", 1)[0]
    rows: list[tuple[str, str]] = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            for example in cells[0].split(" / "):
                rows.append((example.strip("`"), cells[1]))
    return rows


def test_the_readme_table_is_true(finder: OfflineGazetteer) -> None:
    examples = readme_examples()
    assert len(examples) >= 40
    for text, intent in examples:
        parsed, tool, _, _ = run_turn(text, finder)
        assert parsed.intent.value == intent, text
        if intent in {"remove", "delete_all", "question", "list"}:
            assert tool not in {"add_trips", "search_for_places"}, text
