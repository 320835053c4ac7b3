"""iCalendar (RFC 5545): one all-day event per dated day, listing its stops in order."""

from __future__ import annotations

import datetime

import icalendar

from ...models import Trip
from ..routes import TripRoutes
from .common import day_label, day_places, totals


def render(trip: Trip, routes: TripRoutes) -> str:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//CoAgents Travel//itinerary//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", trip.name)
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    for n, (day, route) in enumerate(zip(trip.days, routes.days, strict=True), start=1):
        if day.date is None:
            continue
        places = day_places(trip, day)
        event = icalendar.Event()
        # Stable per trip and day: importing the file again updates the same events.
        event.add("uid", f"{trip.id}.{day.id}@coagents-travel")
        event.add("dtstamp", stamp)
        event.add("dtstart", day.date)
        event.add("dtend", day.date + datetime.timedelta(days=1))
        event.add("summary", f"{trip.name}: {day_label(n, day)}")
        lines = [
            f"{i}. {p.name}" + (f", {p.address}" if p.address else "")
            for i, p in enumerate(places, start=1)
        ]
        if route.legs:
            lines.append(totals(route, routes.profile))
        if route.google_maps_url:
            lines.append(route.google_maps_url)
            event.add("url", route.google_maps_url)
        event.add("description", "\n".join(lines))
        if places:
            event.add("location", places[0].address or places[0].name)
            event.add("geo", (places[0].latitude, places[0].longitude))
        cal.add_component(event)
    text: str = cal.to_ical().decode("utf-8")
    return text
