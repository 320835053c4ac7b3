// Each day's route (legs, totals, line) from the agent's routes endpoint, asked once per
// shape of the trip (days' order, places' coordinates), and the lines for the map.

import { api } from "./api.js";
import { whenNotDragging } from "./drag_hold.js";
import { dayColour, routeKey, schedule } from "./days.js";

let current = { key: null, routes: null, failed: false };
let asking = null;

// The routes of `trip` if known for its present shape; otherwise null, and they are asked
// for (once) and `onLoaded` runs when they arrive (after the drag of a place, if one is on).
export function routesFor(trip, onLoaded) {
  if (!trip?.days?.length) return null;
  const key = routeKey(trip);
  if (current.key === key) return current.routes;
  if (asking === key) return null;
  asking = key;
  api
    .routes(trip.id)
    .then(
      (routes) => ({ key, routes, failed: false }),
      // Straight lines and no totals: the card says nothing it does not know.
      () => ({ key, routes: null, failed: true }),
    )
    .then((answer) => {
      // An answer for a shape the trip no longer has is dropped.
      if (asking !== key) return;
      asking = null;
      current = answer;
      whenNotDragging(onLoaded);
    });
  return null;
}

// The route of one day (by its id) in `routes`, or null.
export function dayRoute(routes, day) {
  return routes?.days.find((r) => r.day_id === day.id) ?? null;
}

// [{day, colour, coordinates}] for each day with two stops or more: the service's geometry
// when it has one, else straight legs between the stops.
export function routeLines(trip, routes) {
  if (!trip?.days?.length) return [];
  return schedule(trip).days.map(({ index, day, places }) => {
    const geometry = dayRoute(routes, day)?.geometry;
    const coordinates = geometry?.coordinates?.length
      ? geometry.coordinates.map(([lon, lat]) => [lat, lon])
      : places.map((p) => [p.latitude, p.longitude]);
    return { day: index + 1, colour: dayColour(index), coordinates };
  });
}
