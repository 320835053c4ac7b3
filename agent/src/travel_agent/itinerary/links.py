"""A "Google Maps directions" link for a day (Maps URLs: no key, opens the app or site)."""

from __future__ import annotations

from urllib.parse import urlencode

from ..models import Place

#: Maps URLs take at most nine waypoints between origin and destination.
MAX_WAYPOINTS = 9
TRAVEL_MODES = {"walking": "walking", "driving": "driving"}


def _at(p: Place) -> str:
    return f"{p.latitude:.6f},{p.longitude:.6f}"


def directions_url(places: list[Place], profile: str) -> str | None:
    """Directions through `places` in order; None for fewer than two. A day of more than
    eleven places gets its first nine stops between origin and destination."""
    if len(places) < 2:
        return None
    params = {"api": "1", "origin": _at(places[0]), "destination": _at(places[-1])}
    middle = places[1:-1][:MAX_WAYPOINTS]
    if middle:
        params["waypoints"] = "|".join(_at(p) for p in middle)
    params["travelmode"] = TRAVEL_MODES.get(profile, "walking")
    return "https://www.google.com/maps/dir/?" + urlencode(params)
