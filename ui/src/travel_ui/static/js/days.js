// A trip's days as the page shows them: each day's colour, its places in visiting order,
// the places in no day, what a proposed change moves, and totals as words.

// One colour per day (repeating after ten). Each carries white text at a contrast of at
// least 4.5:1 (WCAG AA), on badges and markers alike.
export const DAY_COLOURS = [
  "#1d4ed8",
  "#b91c1c",
  "#047857",
  "#7e22ce",
  "#b45309",
  "#0e7490",
  "#be185d",
  "#4d7c0f",
  "#4338ca",
  "#9a3412",
];
export const UNSCHEDULED_COLOUR = "#4b5563";

export function dayColour(index) {
  return index === null ? UNSCHEDULED_COLOUR : DAY_COLOURS[index % DAY_COLOURS.length];
}

// [{index, day, places}] for each day (index 0-based), then {index: null, places} for the
// places in no day, in the trip's order. Old trips may lack `days`.
export function schedule(trip) {
  const byId = new Map(trip.places.map((p) => [p.id, p]));
  const days = (trip.days ?? []).map((day, index) => ({
    index,
    day,
    places: day.place_ids.map((id) => byId.get(id)).filter(Boolean),
  }));
  const scheduled = new Set(days.flatMap((d) => d.places.map((p) => p.id)));
  return { days, unscheduled: { index: null, day: null, places: trip.places.filter((p) => !scheduled.has(p.id)) } };
}

// Where each place is: place id -> {index (day, 0-based, null: in no day), number (1-based)}.
export function positions(trip) {
  const { days, unscheduled } = schedule(trip);
  const out = new Map();
  for (const group of [...days, unscheduled]) {
    group.places.forEach((p, i) => out.set(p.id, { index: group.index, number: i + 1 }));
  }
  return out;
}

export function dayName(index, day) {
  const title = day?.title?.trim();
  return title ? `Day ${index + 1}: ${title}` : `Day ${index + 1}`;
}

// "Fri 12 Mar 2027" in the browser's language, from a YYYY-MM-DD date (no time zone shift).
export function dateLabel(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

export function distanceText(metres) {
  if (metres < 1000) return `${Math.round(metres / 10) * 10} m`;
  return `${(metres / 1000).toFixed(metres < 10000 ? 1 : 0)} km`;
}

export function durationText(seconds) {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

// "2.4 km · 35 min walking (estimate)": estimates are always labelled as such.
export function totalsText(route, profile) {
  const how = profile === "driving" ? "driving" : "walking";
  return `${distanceText(route.distance_m)} · ${durationText(route.duration_s)} ${how}${route.estimate ? " (estimate)" : ""}`;
}

// Items of a longest common subsequence of a and b.
function commonOrder(a, b) {
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const out = new Set();
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.add(a[i]);
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) i++;
    else j++;
  }
  return out;
}

// The places a change moves to another day or position, as the agent counts them (its
// itinerary/merge.py): a place moved within a day counts once, not every place it passed.
export function movedPlaceIds(beforeDays = [], afterDays = []) {
  const where = (days) => new Map(days.flatMap((d) => d.place_ids.map((p) => [p, d.id])));
  const old = where(beforeDays);
  const now = where(afterDays);
  const moved = new Set([...new Set([...old.keys(), ...now.keys()])].filter((p) => old.get(p) !== now.get(p)));
  const oldDays = new Map(beforeDays.map((d) => [d.id, d.place_ids]));
  for (const day of afterDays) {
    const prev = oldDays.get(day.id);
    if (!prev) continue;
    const stayedBefore = prev.filter((p) => now.get(p) === day.id);
    const stayedAfter = day.place_ids.filter((p) => old.get(p) === day.id);
    const keep = commonOrder(stayedBefore, stayedAfter);
    for (const p of stayedAfter) if (!keep.has(p)) moved.add(p);
  }
  return moved;
}

// A key for what the routes depend on: the days' order and the places' coordinates.
export function routeKey(trip) {
  const coords = trip.places.map((p) => `${p.id}@${p.latitude},${p.longitude}`).join(";");
  return JSON.stringify([trip.id, (trip.days ?? []).map((d) => d.place_ids), coords]);
}
