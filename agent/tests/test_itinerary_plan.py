"""Day planning and route order on real gazetteer places and on laid-out neighbourhoods."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

import pytest

from travel_agent.geo import distance_km, distance_matrix_km
from travel_agent.itinerary import changes
from travel_agent.itinerary.days import plan_days
from travel_agent.itinerary.merge import merge_days, moved_place_ids
from travel_agent.itinerary.route_order import path_length, route_order
from travel_agent.models import Day, Place, Trip
from travel_agent.places.offline import OfflineGazetteer

NEIGHBOURHOODS = {
    "trastevere": (41.8895, 12.4700),
    "monti": (41.8950, 12.4930),
    "prati": (41.9070, 12.4600),
    "testaccio": (41.8770, 12.4760),
}


def _scattered(per_area: int, seed: int) -> list[Place]:
    rng = random.Random(seed)
    places = [
        Place(
            id=f"{area}-{i}",
            name=f"{area} {i}",
            latitude=lat + rng.uniform(-0.002, 0.002),
            longitude=lon + rng.uniform(-0.002, 0.002),
        )
        for area, (lat, lon) in NEIGHBOURHOODS.items()
        for i in range(per_area)
    ]
    rng.shuffle(places)
    return places


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_day_is_one_neighbourhood(seed: int) -> None:
    days = plan_days(_scattered(5, seed), 4)
    areas = [{pid.split("-")[0] for pid in d.place_ids} for d in days]
    assert all(len(a) == 1 for a in areas), areas
    assert sorted(a.pop() for a in areas) == sorted(NEIGHBOURHOODS)


def test_days_are_balanced_and_cover_every_place_once() -> None:
    places = _scattered(5, 7)[:17]
    days = plan_days(places, 3)
    sizes = sorted(len(d.place_ids) for d in days)
    assert sizes == [5, 6, 6]
    ids = [pid for d in days for pid in d.place_ids]
    assert sorted(ids) == sorted(p.id for p in places)
    Trip(id="t", name="t", center_latitude=41.9, center_longitude=12.5, places=places, days=days)


def test_dates_follow_the_start_date() -> None:
    days = plan_days(_scattered(2, 1), 3, datetime.date(2027, 3, 12))
    assert [d.date for d in days] == [datetime.date(2027, 3, d) for d in (12, 13, 14)]


def test_more_days_than_places_leaves_days_empty() -> None:
    days = plan_days(_scattered(1, 1)[:2], 4)
    assert [len(d.place_ids) for d in days].count(0) == 2
    assert len({d.id for d in days}) == 4


async def test_rome_days_do_not_zig_zag() -> None:
    """On the shipped gazetteer's Rome: planned days are far tighter than the same places
    dealt out in search order."""
    gazetteer = OfflineGazetteer()
    places: dict[str, Place] = {}
    for q in ("landmarks in Rome", "attractions in Rome", "museums in Rome", "churches in Rome"):
        for p in (await gazetteer.search(q, limit=10)).places:
            places.setdefault(p.id, p)
    found = list(places.values())
    assert len(found) >= 12
    days = plan_days(found, 3)
    by_id = {p.id: p for p in found}

    def day_length(ids: list[str]) -> float:
        pts = [(by_id[i].latitude, by_id[i].longitude) for i in ids]
        return path_length(list(range(len(pts))), distance_matrix_km(pts))

    planned = sum(day_length(d.place_ids) for d in days)
    dealt = sum(day_length([p.id for p in found[i::3]]) for i in range(3))
    assert planned < 0.6 * dealt, (planned, dealt)


def test_route_order_beats_nearest_neighbour_only_and_visits_all() -> None:
    rng = random.Random(5)
    pts = [(41.85 + rng.random() * 0.1, 12.4 + rng.random() * 0.15) for _ in range(60)]
    order = route_order(pts)
    assert sorted(order) == list(range(60))
    dist = distance_matrix_km(pts)
    # No two legs of the route cross: a 2-opt path has no improving segment reversal.
    for i in range(len(order) - 3):
        for j in range(i + 2, len(order) - 1):
            a, b, c, d = order[i], order[i + 1], order[j], order[j + 1]
            assert dist[a][c] + dist[b][d] >= dist[a][b] + dist[c][d] - 1e-9


def test_route_order_on_a_line_goes_end_to_end() -> None:
    pts = [(41.9, 12.40 + 0.01 * k) for k in (3, 0, 4, 1, 2)]
    order = route_order(pts)
    assert [pts[i][1] for i in order] == sorted(p[1] for p in pts)
    assert route_order(pts, start=2)[0] == 2


def test_haversine_has_one_home() -> None:
    from travel_agent.places import dedup
    from travel_agent.places.gazetteer import geo

    assert dedup.distance_km is distance_km and geo.distance_km is distance_km
    assert abs(distance_km(41.8902, 12.4922, 41.9029, 12.4534) - 3.49) < 0.05


def _days(**days: list[str]) -> list[Day]:
    return [Day(id=k, place_ids=v) for k, v in days.items()]


def test_moving_one_place_within_a_day_counts_one_place() -> None:
    before = _days(d1=["a", "b", "c", "d"])
    after = _days(d1=["d", "a", "b", "c"])
    assert moved_place_ids(before, after) == {"d"}


def test_a_subset_moves_only_the_picked_places() -> None:
    before = _days(d1=["a", "b", "c"], d2=["x", "y"])
    after = _days(d1=["a"], d2=["x", "b", "y", "c"])
    assert moved_place_ids(before, after) == {"b", "c"}
    merged = merge_days(before, after, {"b"}, {"a", "b", "c", "x", "y"})
    assert [d.place_ids for d in merged] == [["a", "c"], ["x", "b", "y"]]
    assert [d.place_ids for d in merge_days(before, after, None, {"a", "b", "c", "x", "y"})] == [
        ["a"],
        ["x", "b", "y", "c"],
    ]
    assert [d.place_ids for d in merge_days(before, after, set(), {"a", "b", "c", "x", "y"})] == [
        ["a", "b", "c"],
        ["x", "y"],
    ]


def test_a_day_must_name_places_of_its_trip_once() -> None:
    place = Place(id="a", name="A", latitude=1, longitude=1)
    base = {"id": "t", "name": "T", "center_latitude": 1, "center_longitude": 1, "places": [place]}
    with pytest.raises(ValueError, match="not a place"):
        Trip.model_validate({**base, "days": [{"id": "d", "place_ids": ["zz"]}]})
    with pytest.raises(ValueError, match="more than one day"):
        Trip.model_validate(
            {**base, "days": [{"id": "d", "place_ids": ["a"]}, {"id": "e", "place_ids": ["a"]}]}
        )
    with pytest.raises(ValueError, match="duplicate day"):
        Trip.model_validate({**base, "days": [{"id": "d"}, {"id": "d"}]})
    old = Trip.model_validate(base)  # stored before days existed
    assert old.days == [] and old.start_date is None


def test_the_day_changes_return_only_trips_a_trip_accepts() -> None:
    """Callers (the tools' proposals, the person's day edits) store what the day functions
    return as it is: each is validated, and a change that would leave the trip invalid is a
    ValueError with a sentence, not a trip."""
    places = [Place(id=i, name=i.upper(), latitude=1, longitude=1) for i in "abc"]
    good = Trip(id="t", name="T", center_latitude=1, center_longitude=1, places=places)
    good = good.model_copy(update={"days": [Day(id="d1"), Day(id="d2")]})
    assert changes.move(good, ["a"], 1, None).days[0].place_ids == ["a"]
    # Not valid (two days with one id): model_copy does not validate.
    broken = good.model_copy(update={"days": [Day(id="d1"), Day(id="d1")]})
    day_changes: list[Callable[[Trip], Trip]] = [
        lambda t: changes.set_start(t, datetime.date(2027, 3, 12)),
        lambda t: changes.move(t, ["a"], None, None),
        lambda t: changes.optimise(t, 1),
        lambda t: changes.spread(t, 2),
    ]
    for change in day_changes:
        with pytest.raises(ValueError, match=r"^That change would leave trip 't' invalid: dup"):
            change(broken)
