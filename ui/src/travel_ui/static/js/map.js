// The Leaflet map: markers numbered within their day in the day's colour, a route line per
// day, popups with the place card, fitting the view to the trip, highlighting from the
// list, and picking a point to add.

import { dayColour, dayName, positions } from "./days.js";
import { h, stars } from "./dom.js";

// Leaflet is fetched in parallel from the start (a preload in the page's head) but runs
// after DOMContentLoaded, so the chat and the trip list do not wait for it (nor for the
// map's first layout); the map appears as soon as it has run.
let L = null;
let map = null;
let shown = null; // the trip to show once the map exists
let markerLayer = null;
let pickMarker = null;
const markers = new Map(); // place id -> marker
let lastFitKey = null;
let lastDrawKey = null;
let tileInfo = null;
let streetTiles = "unknown"; // unknown | ok | failing

// Says plainly what the map cannot show, instead of a silent grey.
function renderNote() {
  const note = document.getElementById("map-note");
  if (!note || !tileInfo) return;
  const beyondBase = tileInfo.baseZoom !== null && map.getZoom() > tileInfo.baseZoom;
  let text = "";
  const narrow = map.getSize().x < 520; // phones: one short line, clear of the markers
  if (narrow && tileInfo.online && streetTiles === "failing") {
    text = `Street tiles from ${tileInfo.host} cannot be loaded: built-in world map only.`;
  } else if (narrow && !tileInfo.online && beyondBase) {
    text = "Street detail needs internet or your own tile server (TILE_URL).";
  } else if (tileInfo.online && streetTiles === "failing") {
    text = `Map tiles from ${tileInfo.host} cannot be loaded right now.`;
    if (tileInfo.baseZoom !== null) text += " The built-in world map shows countries and regions.";
    if (beyondBase) text += " Street detail needs internet or your own tile server (TILE_URL).";
  } else if (!tileInfo.online && beyondBase) {
    text = "Street detail needs internet or your own tile server (TILE_URL); the built-in map shows countries and regions.";
  }
  note.textContent = text;
  note.hidden = !text;
}

export function placeCard(place, number) {
  return h(
    "div",
    { class: "place-popup" },
    h(
      "div",
      { class: "place-popup-title" },
      number ? h("span", { class: "badge" }, String(number)) : null,
      h("strong", { text: place.name }),
    ),
    stars(place.rating),
    place.address ? h("p", { class: "place-popup-address", text: place.address }) : null,
    place.description ? h("p", { class: "place-popup-description", text: place.description }) : null,
  );
}

// Resolves once Leaflet has run. Called while the page's modules run (before
// DOMContentLoaded).
export function leafletReady() {
  if (window.L) return Promise.resolve();
  return new Promise((resolve, reject) => {
    document.addEventListener(
      "DOMContentLoaded",
      () => {
        const script = h("script", { src: document.getElementById("leaflet-script").href });
        script.addEventListener("load", () => resolve(), { once: true });
        script.addEventListener("error", () => reject(new Error("the map library did not load")), { once: true });
        document.head.append(script);
      },
      { once: true },
    );
  });
}

export function createMap(element, tiles) {
  L = window.L;
  map = L.map(element, { zoomControl: false, worldCopyJump: true, minZoom: 2 }).setView(
    [30, 10],
    3,
  );
  L.control.zoom({ position: "bottomright" }).addTo(map);
  // The trip first, so tiles are asked for the view it fits, not the world view.
  markerLayer = L.layerGroup().addTo(map);
  if (shown) showTrip(shown.trip, shown.options);
  // The built-in world map (zoom 0-6, from the ui) always lies underneath, so the map is
  // never a blank grid; street tiles from TILE_URL go over it when they load.
  const base = tiles.basemap;
  if (base) {
    L.tileLayer(base.url, { attribution: base.attribution, maxNativeZoom: base.max_zoom, maxZoom: 19 }).addTo(map);
  }
  let online = null;
  if (tiles.url) {
    online = L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19, crossOrigin: false });
    online.on("tileerror", () => {
      streetTiles = "failing";
      renderNote();
    });
    online.on("tileload", () => {
      streetTiles = "ok";
      renderNote();
    });
    online.addTo(map);
  }
  tileInfo = { host: tiles.host, online: Boolean(online), baseZoom: base?.max_zoom ?? null };
  if (proposedShown.length) showProposed(proposedShown);
  showRoutes(routesShown.stored);
  map.on("zoomend", renderNote);
  map.on("zoomend", spreadMarkers);
  renderNote();
  return map;
}

function markerIcon(number, colour) {
  const el = h("span", { class: "marker-pin" }, h("span", { class: "marker-number" }, String(number)));
  if (colour) el.style.setProperty("--day-colour", colour);
  return L.divIcon({
    className: "marker",
    html: el,
    iconSize: [32, 32],
    iconAnchor: [16, 16],
    popupAnchor: [0, -18],
  });
}

// Room the overlays take on the map's edges, so fitted markers are not hidden under them.
function overlayPadding() {
  const mapRect = map.getContainer().getBoundingClientRect();
  const card = document.getElementById("trip-card");
  let left = 48;
  let bottom = 48;
  if (card && !card.hidden) {
    const rect = card.getBoundingClientRect();
    const isDrawer = rect.width >= mapRect.width - 2;
    // A drawer may cover most of a phone's map: keep a strip above it for the markers.
    if (isDrawer) bottom = Math.min(mapRect.bottom - rect.top + 32, mapRect.height - 160);
    else left = Math.min(rect.right - mapRect.left + 40, mapRect.width / 2);
  }
  return { paddingTopLeft: [left, 72], paddingBottomRight: [48, bottom] };
}

export function showTrip(trip, options = {}) {
  shown = { trip, options };
  if (!map) return;
  const { onSelectPlace, onMovePlace } = options;
  // Redraw only when what the markers show changed: re-renders of the same trip keep them
  // (and an open popup or a highlighted marker).
  const drawKey = trip ? JSON.stringify([trip.id, Boolean(onMovePlace), trip.days ?? [], trip.places.map((p) => [p.id, p.name, p.latitude, p.longitude, p.rating, p.address, p.description])]) : "";
  if (drawKey === lastDrawKey && markers.size === (trip?.places.length ?? 0)) return;
  lastDrawKey = drawKey;
  markerLayer.clearLayers();
  markers.clear();
  if (!trip) return;
  const where = positions(trip);
  const hasDays = Boolean(trip.days?.length);
  trip.places.forEach((place, index) => {
    // Trips with days: numbered within the day, in its colour; otherwise 1..n in order.
    const at = where.get(place.id);
    const number = hasDays ? at.number : index + 1;
    const colour = hasDays ? dayColour(at.index) : null;
    const label = hasDays
      ? `${at.index === null ? "Not yet scheduled" : dayName(at.index, trip.days[at.index])}, stop ${number}: ${place.name}`
      : `${number}. ${place.name}`;
    const marker = L.marker([place.latitude, place.longitude], {
      icon: markerIcon(number, colour),
      title: place.name,
      alt: label,
      riseOnHover: true,
      // Dragging a marker moves its place (the place editor's coordinates do the same
      // without a mouse).
      draggable: Boolean(onMovePlace),
    });
    marker.on("dragend", () => {
      const point = marker.getLatLng().wrap();
      onMovePlace?.(place.id, round(point.lat), round(point.lng));
    });
    marker.bindPopup(() => placeCard(place, number), { maxWidth: 300, minWidth: 200 });
    marker.on("click", () => onSelectPlace?.(place.id));
    marker.addTo(markerLayer);
    // A div icon has no alt text: name the marker for screen readers.
    const el = marker.getElement();
    el?.setAttribute("role", "button");
    el?.setAttribute("aria-label", label);
    if (hasDays) el?.setAttribute("data-day", at.index === null ? "" : String(at.index + 1));
    markers.set(place.id, marker);
  });
  const fitKey = `${trip.id}|${trip.places.map((p) => `${p.id}@${p.latitude},${p.longitude}`).join(";")}`;
  if (fitKey !== lastFitKey) {
    lastFitKey = fitKey;
    fitTrip(trip);
  }
  // After the fit: the spread depends on the zoom the markers are shown at.
  spreadMarkers();
}

function round(value) {
  return Math.round(value * 1e5) / 1e5;
}

// Where the map is looking: new trips start there, and place searches prefer it.
export function view() {
  if (!map) return null;
  const center = map.getCenter().wrap();
  return { latitude: round(center.lat), longitude: round(center.lng), zoom: Math.round(map.getZoom()) };
}

// The next showTrip redraws the markers even if the trip looks the same (a refused drag
// must put its marker back).
export function forgetDrawn() {
  lastDrawKey = null;
}

// Places at almost the same point (St. Peter's and the Sistine Chapel) would hide each
// other: at the current zoom, markers closer than a pin are spread on a small ring around
// their middle, each still naming its own place. The icon's margin moves (not the marker's
// position), so clicks and the map's coordinates stay true.
const PIN = 32;
function spreadMarkers() {
  if (!map) return;
  const groups = [];
  for (const marker of markers.values()) {
    const point = map.latLngToLayerPoint(marker.getLatLng());
    const group = groups.find((g) => g.some((o) => o.point.distanceTo(point) < PIN));
    if (group) group.push({ marker, point });
    else groups.push([{ marker, point }]);
  }
  for (const group of groups) {
    const n = group.length;
    const middle = group.reduce((sum, e) => sum.add(e.point), L.point(0, 0)).divideBy(n);
    // A ring on which neighbouring pins (and their square hit areas) do not touch.
    const radius = n === 1 ? 0 : (PIN * 1.5) / (2 * Math.sin(Math.PI / n));
    group.forEach(({ marker, point }, i) => {
      const el = marker.getElement();
      if (!el) return;
      const angle = (2 * Math.PI * i) / n - Math.PI / 2;
      const dx = n === 1 ? 0 : middle.x + radius * Math.cos(angle) - point.x;
      const dy = n === 1 ? 0 : middle.y + radius * Math.sin(angle) - point.y;
      el.style.marginLeft = `${-PIN / 2 + dx}px`;
      el.style.marginTop = `${-PIN / 2 + dy}px`;
      el.classList.toggle("is-spread", n > 1);
    });
  }
}

// The places a pending approval would add or move, drawn apart from the stored ones
// (dashed, named "Proposed: …"; in the proposed day's colour with the proposed stop
// number when the change puts them in a day, else unnumbered).
let proposedLayer = null;
let proposedShown = [];
export function showProposed(places) {
  proposedShown = places;
  if (!map) return;
  proposedLayer ??= L.layerGroup().addTo(map);
  proposedLayer.clearLayers();
  for (const { place, day, number, colour } of places) {
    const pin = h("span", { class: "marker-pin" }, day ? String(number) : "?");
    if (colour) pin.style.setProperty("--day-colour", colour);
    const icon = L.divIcon({ className: `proposed-marker marker-proposed${day ? " is-in-day" : ""}`, html: pin, iconSize: [28, 28], iconAnchor: [14, 14] });
    const label = day ? `Proposed: day ${day}, stop ${number}: ${place.name}` : `Proposed: ${place.name}`;
    const marker = L.marker([place.latitude, place.longitude], { icon, title: label, keyboard: false });
    marker.bindPopup(() => placeCard(place, day ? number : null), { maxWidth: 300, minWidth: 200 });
    marker.addTo(proposedLayer);
    const el = marker.getElement();
    el?.setAttribute("aria-label", label);
    if (day) el?.setAttribute("data-day", String(day));
  }
}

// One line per day in the day's colour: the routing service's geometry, or straight legs
// between the stops when it has none. `lines`: [{day (1-based), colour, coordinates:
// [[lat, lon], ...], label}]. Proposed days are drawn dashed.
let routeLayer = null;
let routesShown = { stored: [], proposed: [] };
let routesDrawn = null;
export function showRoutes(lines, { proposed = false } = {}) {
  routesShown = { ...routesShown, [proposed ? "proposed" : "stored"]: lines };
  if (!map) return;
  // Redraw only when a line changed (the card re-renders often).
  const key = JSON.stringify(routesShown);
  if (routeLayer && key === routesDrawn) return;
  routesDrawn = key;
  routeLayer ??= L.layerGroup().addTo(map);
  routeLayer.clearLayers();
  for (const kind of ["stored", "proposed"]) {
    for (const line of routesShown[kind]) {
      if (line.coordinates.length < 2) continue;
      const dashed = kind === "proposed";
      const path = L.polyline(line.coordinates, {
        color: line.colour,
        weight: dashed ? 3 : 4,
        opacity: dashed ? 0.9 : 0.75,
        dashArray: dashed ? "6 8" : null,
        interactive: false,
        className: `route-line${dashed ? " is-proposed" : ""}`,
      }).addTo(routeLayer);
      path.getElement()?.setAttribute("data-day", String(line.day));
    }
  }
}

export function fitTrip(trip) {
  if (!map || !trip) return;
  if (trip.places.length === 0) {
    map.setView([trip.center_latitude, trip.center_longitude], trip.zoom ?? 12);
    return;
  }
  const bounds = L.latLngBounds(trip.places.map((p) => [p.latitude, p.longitude]));
  map.fitBounds(bounds, { ...overlayPadding(), maxZoom: 15, animate: false });
}

export function highlight(placeId, on) {
  if (!map) return;
  const marker = markers.get(placeId);
  const el = marker?.getElement();
  if (!el) return;
  el.classList.toggle("is-active", on);
  marker.setZIndexOffset(on ? 1000 : 0);
}

export function focusPlace(placeId) {
  if (!map) return;
  const marker = markers.get(placeId);
  if (!marker) return;
  map.panTo(marker.getLatLng());
  marker.openPopup();
}

// Waits for one click on the map; resolves with its coordinates (null when cancelled).
let pickResolve = null;
let pickHandler = null;
export function pickPoint() {
  if (!map) return Promise.resolve(null);
  cancelPick();
  map.getContainer().classList.add("is-picking");
  return new Promise((resolve) => {
    pickResolve = resolve;
    pickHandler = (event) => {
      map.off("click", pickHandler);
      pickHandler = null;
      pickResolve = null;
      map.getContainer().classList.remove("is-picking");
      showPickMarker(event.latlng);
      resolve({ latitude: event.latlng.lat, longitude: event.latlng.lng });
    };
    map.on("click", pickHandler);
  });
}

export function cancelPick() {
  if (!map) return;
  if (pickHandler) map.off("click", pickHandler);
  pickHandler = null;
  map.getContainer().classList.remove("is-picking");
  pickResolve?.(null);
  pickResolve = null;
  clearPickMarker();
}

function showPickMarker(latlng) {
  clearPickMarker();
  pickMarker = L.marker(latlng, {
    icon: L.divIcon({ className: "marker marker-new", html: h("span", { class: "marker-pin" }, "+"), iconSize: [32, 32], iconAnchor: [16, 16] }),
    interactive: false,
  }).addTo(map);
}

export function clearPickMarker() {
  pickMarker?.remove();
  pickMarker = null;
}

export function invalidate() {
  map?.invalidateSize();
}
