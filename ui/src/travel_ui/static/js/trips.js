// The trip card: trip selector, the selected trip's days and places, manual add/edit/
// delete, moving places between days, the start date. Every change goes to the agent's
// REST API (through the ui), so the agent sees it; the card redraws from its answer.

import { api } from "./api.js";
import { dayRoute, routeLines, routesFor } from "./day_routes.js";
import { dateLabel, dayColour, dayName, durationText, distanceText, movedPlaceIds, positions, schedule, totalsText } from "./days.js";
import { $, h, icon, stars } from "./dom.js";
import * as mapView from "./map.js";
import { applyState, refetchState, selectedTrip, store, subscribe } from "./store.js";
import { toast } from "./toast.js";

const card = $("trip-card");
const select = $("trip-select");
const count = $("trip-count");
const list = $("place-list");
const empty = $("trip-empty");
const hint = $("trip-hint");
const formSlot = $("place-form-slot");
const addButton = $("trip-add");
const toggle = $("trip-toggle");
const readOnlyNote = $("trip-readonly");
const tripActions = $("trip-actions");
const newTripButton = $("trip-new");
const renameButton = $("trip-rename");
const deleteTripButton = $("trip-delete");
const searchForm = $("place-search");
const searchInput = $("place-search-input");
const searchStatus = $("place-search-status");
const results = $("place-results");
const datesRow = $("trip-dates");
const startInput = $("trip-start");
const startClear = $("trip-start-clear");
const totals = $("trip-totals");
// Touch screens are tapped, not clicked.
const TAP = window.matchMedia("(pointer: coarse)").matches ? "Tap" : "Click";

// The one open editor (add form, edit form or delete confirmation): which trip and place
// it belongs to. Any state from the agent that no longer has them closes it.
let editor = null;
// Which trip the shown search results would be added to (cleared when another is shown).
let resultsTripId = null;
// What the place list was made from; an editor in it makes it stale (key null).
let drawn = { key: null, routes: null };

function busyReason() {
  if (!store.available) return "The planner is unavailable right now; your trips are read-only until it is back.";
  if (store.pendingApproval) return "Approve or cancel the proposed change in the chat first.";
  if (store.running) return "Wait until the planner has finished.";
  return null;
}

// After a change: close the editor and redraw from what the agent now says.
async function reload() {
  editor = null;
  try {
    await refetchState(api.state);
  } finally {
    render();
  }
}

// -- place form (add and edit) -----------------------------------------------------------

function field(label, input) {
  return h("label", { class: "field" }, h("span", { class: "field-label", text: label }), input);
}

function placeForm({ place, coords, title, submitLabel, onSubmit, onCancel }) {
  const name = h("input", { name: "name", required: true, maxlength: "200", value: place?.name ?? "", autocomplete: "off" });
  const address = h("input", { name: "address", maxlength: "500", value: place?.address ?? "", autocomplete: "off" });
  const rating = h("input", {
    name: "rating",
    type: "number",
    min: "0",
    max: "5",
    step: "0.1",
    inputmode: "decimal",
    value: place?.rating ?? "",
  });
  // Editing an existing place can move it: its coordinates are fields of the form.
  const coordinate = (key, limit) =>
    h("input", { name: key, type: "number", required: true, min: String(-limit), max: String(limit), step: "any", inputmode: "decimal", value: String(place[key]) });
  const latitude = place ? coordinate("latitude", 90) : null;
  const longitude = place ? coordinate("longitude", 180) : null;
  const description = h("textarea", { name: "description", maxlength: "2000", rows: "2" });
  description.value = place?.description ?? "";
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "button button-primary" }, submitLabel);
  const form = h(
    "form",
    { class: "place-form", novalidate: false },
    h("h3", { class: "place-form-title", text: title }),
    coords
      ? h("p", { class: "place-form-coords" }, icon("pin"), `${coords.latitude.toFixed(5)}, ${coords.longitude.toFixed(5)}`)
      : null,
    field("Name", name),
    field("Address", address),
    field("Rating (0–5)", rating),
    field("Description", description),
    place ? h("div", { class: "field-pair" }, field("Latitude", latitude), field("Longitude", longitude)) : null,
    error,
    h("div", { class: "form-actions" }, h("button", { type: "button", class: "button", onclick: onCancel }, "Cancel"), save),
  );
  const values = () => {
    const out = {
      name: name.value.trim(),
      address: address.value.trim(),
      rating: rating.value === "" ? null : Number(rating.value),
      description: description.value.trim(),
    };
    if (place) {
      out.latitude = Number(latitude.value);
      out.longitude = Number(longitude.value);
    }
    return out;
  };
  return submitting(form, { save, error, focus: name, values, onSubmit });
}

// A form that sends values() to onSubmit when valid, shows the sentence of a refusal in
// `error` (the form stays open to fix it), and starts with the focus in `focus`.
function submitting(form, { save, error, focus, values, onSubmit }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    save.disabled = true;
    error.hidden = true;
    try {
      await onSubmit(values());
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      save.disabled = false;
    }
  });
  queueMicrotask(() => focus.focus());
  return form;
}

// The selected trip with the card open and a fresh editor on it; null when there is no
// trip or the card is busy (the person is told why). `close` ends the editor before.
function editSelectedTrip(close = discardEditor) {
  const trip = selectedTrip();
  if (!trip) return null;
  const reason = busyReason();
  if (reason) {
    toast(reason);
    return null;
  }
  close();
  setCollapsed(false);
  editor = { tripId: trip.id, placeId: null };
  return trip;
}

async function startAdd() {
  const trip = editSelectedTrip(closeForms);
  if (!trip) return;
  hint.replaceChildren(
    icon("pin"),
    h("span", { text: `${TAP} the map where the place is.` }),
    h("button", { type: "button", class: "text-button", onclick: closeForms }, "Cancel"),
  );
  hint.hidden = false;
  card.classList.add("is-picking");
  const coords = await mapView.pickPoint();
  hint.hidden = true;
  card.classList.remove("is-picking");
  if (!coords || editor?.tripId !== trip.id) return;
  formSlot.replaceChildren(
    placeForm({
      coords,
      title: `New place in ${trip.name}`,
      submitLabel: "Add place",
      onCancel: closeForms,
      onSubmit: async (values) => {
        const body = { ...values, latitude: coords.latitude, longitude: coords.longitude };
        if (body.rating === null) delete body.rating;
        const created = await api.addPlace(trip.id, body);
        mapView.clearPickMarker();
        await reload();
        toast(`Added ${created?.name ?? values.name}.`);
      },
    }),
  );
}

function discardEditor() {
  editor = null;
  mapView.cancelPick();
  hint.hidden = true;
  card.classList.remove("is-picking");
  formSlot.replaceChildren();
  for (const item of list.querySelectorAll(".place.is-editing, .place.is-confirming")) {
    item.classList.remove("is-editing", "is-confirming");
  }
}

function closeForms() {
  discardEditor();
  render();
}

function startEdit(item, trip, place) {
  const reason = busyReason();
  if (reason) return toast(reason);
  discardEditor();
  editor = { tripId: trip.id, placeId: place.id };
  drawn.key = null;
  item.classList.add("is-editing");
  item.replaceChildren(
    placeForm({
      place,
      title: "Edit place",
      submitLabel: "Save",
      onCancel: closeForms,
      onSubmit: async (values) => {
        const changes = {};
        for (const [key, value] of Object.entries(values)) {
          if ((place[key] ?? null) !== value && !(value === "" && !place[key])) changes[key] = value;
        }
        if (Object.keys(changes).length) await api.editPlace(trip.id, place.id, changes);
        await reload();
        if (Object.keys(changes).length) toast(`Saved ${values.name}.`);
      },
    }),
  );
}

// "Remove …?" / "Delete …?" with Keep and a danger button that runs `action`, then says
// `done` and redraws (or says why not).
function confirmBox({ question, label, action, done, extraClass = "" }) {
  const yes = h("button", { type: "button", class: "button button-danger" }, label);
  const keep = h("button", { type: "button", class: "button", onclick: closeForms }, "Keep");
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    try {
      await action();
      toast(done);
      await reload();
    } catch (err) {
      toast(err.message);
      closeForms();
    }
  });
  const box = h("div", { class: `place-confirm ${extraClass}`.trim() }, h("p", {}, ...question), h("div", { class: "form-actions" }, keep, yes));
  return { box, keep };
}

function confirmDelete(item, trip, place) {
  const reason = busyReason();
  if (reason) return toast(reason);
  discardEditor();
  editor = { tripId: trip.id, placeId: place.id };
  drawn.key = null;
  item.classList.add("is-confirming");
  const { box } = confirmBox({
    question: ["Remove ", h("strong", { text: place.name }), " from this trip?"],
    label: "Remove",
    action: () => api.deletePlace(trip.id, place.id),
    done: `Removed ${place.name}.`,
  });
  item.replaceChildren(box);
}

// -- trip actions (new, rename, delete) ----------------------------------------------------

function tripForm({ title, value, submitLabel, onSubmit }) {
  const name = h("input", { name: "trip-name", required: true, maxlength: "200", value, autocomplete: "off" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "button button-primary" }, submitLabel);
  const form = h(
    "form",
    { class: "place-form trip-form" },
    h("h3", { class: "place-form-title", text: title }),
    field("Trip name", name),
    error,
    h("div", { class: "form-actions" }, h("button", { type: "button", class: "button", onclick: closeForms }, "Cancel"), save),
  );
  return submitting(form, { save, error, focus: name, values: () => name.value.trim(), onSubmit });
}

function startNewTrip() {
  const reason = busyReason();
  if (reason) return toast(reason);
  discardEditor();
  setCollapsed(false);
  editor = { tripId: selectedTrip()?.id ?? null, placeId: null };
  formSlot.replaceChildren(
    tripForm({
      title: "New trip",
      value: "",
      submitLabel: "Create trip",
      onSubmit: async (name) => {
        // Until it has places, the new trip is shown where the map is now.
        const view = mapView.view() ?? { latitude: 0, longitude: 0, zoom: 3 };
        await api.createTrip({
          name,
          center_latitude: view.latitude,
          center_longitude: view.longitude,
          zoom: Math.min(20, Math.max(1, view.zoom)),
        });
        await reload();
        toast(`Created ${name}.`);
      },
    }),
  );
}

function startRename() {
  const trip = editSelectedTrip();
  if (!trip) return;
  formSlot.replaceChildren(
    tripForm({
      title: "Rename trip",
      value: trip.name,
      submitLabel: "Save",
      onSubmit: async (name) => {
        if (name !== trip.name) await api.renameTrip(trip.id, name);
        await reload();
        if (name !== trip.name) toast(`Renamed to ${name}.`);
      },
    }),
  );
}

function confirmDeleteTrip() {
  const trip = editSelectedTrip();
  if (!trip) return;
  const n = trip.places.length;
  const { box, keep } = confirmBox({
    question: ["Delete ", h("strong", { text: trip.name }), n ? ` and its ${n} ${n === 1 ? "place" : "places"}?` : "?"],
    label: "Delete trip",
    action: () => api.deleteTrip(trip.id),
    done: `Deleted ${trip.name}.`,
    extraClass: "trip-confirm",
  });
  formSlot.replaceChildren(box);
  queueMicrotask(() => keep.focus());
}

// -- add a place by name (the places provider, searched near the map's centre) ---------------

function clearResults() {
  resultsTripId = null;
  results.replaceChildren();
  searchStatus.textContent = "";
}

async function search(event) {
  event.preventDefault();
  const trip = selectedTrip();
  const query = searchInput.value.trim();
  if (!trip || !query) return;
  searchStatus.textContent = "Searching…";
  try {
    const found = await api.searchPlaces(query, mapView.view());
    if (selectedTrip()?.id !== trip.id) return;
    resultsTripId = trip.id;
    results.replaceChildren(...found.places.map((place) => resultItem(trip, place)));
    const n = found.places.length;
    searchStatus.textContent = n
      ? `${n} ${n === 1 ? "place" : "places"} found: press the down arrow to choose one.`
      : found.note || `Nothing found for “${query}”.`;
  } catch (err) {
    searchStatus.textContent = err.message;
  }
}

function resultItem(trip, place) {
  const button = h(
    "button",
    { type: "button", class: "place-result", "aria-label": `Add ${place.name}${place.address ? `, ${place.address}` : ""}` },
    icon("plus"),
    h("span", { class: "place-result-text" }, h("strong", { text: place.name }), place.address ? h("span", { text: place.address }) : null),
  );
  button.addEventListener("click", async () => {
    const reason = busyReason();
    if (reason) return toast(reason);
    button.disabled = true;
    const body = { name: place.name, address: place.address ?? "", latitude: place.latitude, longitude: place.longitude, description: place.description ?? "" };
    if (place.rating !== null && place.rating !== undefined) body.rating = place.rating;
    try {
      await api.addPlace(trip.id, body);
      clearResults();
      searchInput.value = "";
      await reload();
      toast(`Added ${place.name}.`);
      searchInput.focus();
    } catch (err) {
      toast(err.message);
      button.disabled = false;
    }
  });
  return h("li", {}, button);
}

// Arrow keys move between the search box and its results.
function resultKeys(event) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const buttons = [...results.querySelectorAll(".place-result")];
  if (!buttons.length) return;
  const at = buttons.indexOf(document.activeElement);
  let next = event.key === "ArrowDown" ? at + 1 : at - 1;
  if (at === -1) next = event.key === "ArrowDown" ? 0 : buttons.length - 1;
  event.preventDefault();
  if (next < 0) searchInput.focus();
  else buttons[Math.min(next, buttons.length - 1)].focus();
}

// -- moving places between days (drag, or the place menu from the keyboard) --------------

// The person's own move: `day` 1-based (null: out of every day), `position` its place in
// the day afterwards. The card redraws from the trip the agent then has.
async function movePlace(trip, place, day, position, { done, refocus = false } = {}) {
  const reason = busyReason();
  if (reason) return toast(reason);
  try {
    await api.movePlaces(trip.id, [place.id], day, position);
    toast(done ?? (day ? `Moved ${place.name} to ${dayName(day - 1, trip.days[day - 1])}.` : `${place.name} is not scheduled now.`));
  } catch (err) {
    toast(err.message);
  } finally {
    await reload();
    if (refocus) list.querySelector(`.place[data-place-id="${CSS.escape(place.id)}"]`)?.focus();
  }
}

function onDrop(placeId, day, position) {
  const trip = selectedTrip();
  const place = trip?.places.find((p) => p.id === placeId);
  if (!place) return;
  const now = positions(trip).get(placeId);
  const nowDay = now.index === null ? null : now.index + 1;
  if (nowDay === day && (day === null || now.number === position)) return; // dropped where it was
  movePlace(trip, place, day, day === null ? null : position);
}

async function setStartDate(value) {
  const trip = selectedTrip();
  if (!trip) return;
  const reason = busyReason();
  if (reason) {
    toast(reason);
    return render();
  }
  try {
    await api.setStartDate(trip.id, value);
    toast(value ? `${trip.name} starts on ${dateLabel(value)}.` : `${trip.name} has no dates now.`);
  } catch (err) {
    toast(err.message);
  } finally {
    await reload();
  }
}

// The menu's moves for a place of a trip with days: up/down within its day, to each other
// day, out of the schedule.
function moveItems(trip, place, group, number) {
  if (!trip.days?.length) return [];
  const item = (text, onclick) => h("button", { type: "button", class: "menu-item", onclick }, text);
  const day = group.index === null ? null : group.index + 1;
  const items = [];
  if (day !== null && number > 1) {
    items.push(item("Move up", () => movePlace(trip, place, day, number - 1, { done: `Moved ${place.name} up.`, refocus: true })));
  }
  if (day !== null && number < group.places.length) {
    items.push(item("Move down", () => movePlace(trip, place, day, number + 1, { done: `Moved ${place.name} down.`, refocus: true })));
  }
  trip.days.forEach((d, i) => {
    if (i + 1 !== day) items.push(item(`Move to ${dayName(i, d)}`, () => movePlace(trip, place, i + 1, null, { refocus: true })));
  });
  if (day !== null) items.push(item("Move to Not yet scheduled", () => movePlace(trip, place, null, null, { refocus: true })));
  return items;
}

// -- rendering -----------------------------------------------------------------------------

function placeItem(trip, place, number, group) {
  // The menu's items are made when it is first opened (a long trip has hundreds).
  const menu = h("div", { class: "place-menu", hidden: true });
  const fillMenu = () =>
    menu.append(
      h("button", { type: "button", class: "menu-item", onclick: () => startEdit(item, trip, place) }, icon("edit"), "Edit"),
      ...moveItems(trip, place, group, number),
      h("button", { type: "button", class: "menu-item is-danger", onclick: () => confirmDelete(item, trip, place) }, icon("trash"), "Remove"),
    );
  const more = h(
    "button",
    {
      type: "button",
      disabled: !store.available,
      class: "icon-button place-more",
      "aria-label": `More actions for ${place.name}`,
      "aria-haspopup": "true",
      "aria-expanded": "false",
    },
    icon("more"),
  );
  more.addEventListener("click", (event) => {
    event.stopPropagation();
    const open = menu.hidden;
    if (open && !menu.childElementCount) fillMenu();
    for (const other of list.querySelectorAll(".place-menu")) other.hidden = true;
    menu.hidden = !open;
    more.setAttribute("aria-expanded", String(open));
  });
  const inDays = Boolean(trip.days?.length);
  const item = h(
    "li",
    { class: "place", dataset: { placeId: place.id }, tabindex: "0", "data-draggable": inDays && store.available ? "" : null },
    h(
      "div",
      { class: "place-row" },
      h("span", { class: "badge", text: String(number) }),
      h(
        "div",
        { class: "place-text" },
        h("h3", { class: "place-name", text: place.name }),
        stars(place.rating),
        place.address ? h("p", { class: "place-meta" }, icon("pin"), h("span", { text: place.address })) : null,
        place.description ? h("p", { class: "place-meta" }, icon("info"), h("span", { text: place.description })) : null,
      ),
      more,
    ),
    menu,
  );
  item.addEventListener("mouseenter", () => mapView.highlight(place.id, true));
  item.addEventListener("mouseleave", () => mapView.highlight(place.id, false));
  item.addEventListener("focusin", () => mapView.highlight(place.id, true));
  item.addEventListener("focusout", () => mapView.highlight(place.id, false));
  item.addEventListener("click", (event) => {
    if (event.target.closest("button, form, .place-menu")) return;
    mapView.focusPlace(place.id);
  });
  item.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target === item) mapView.focusPlace(place.id);
  });
  return item;
}

function legItem(leg, profile) {
  const how = profile === "driving" ? "drive" : "walk";
  return h("li", { class: "leg", text: `${distanceText(leg.distance_m)} · ${durationText(leg.duration_s)} ${how}` });
}

// One day (or "Not yet scheduled"): its colour, name, date, totals, places and legs.
function daySection(trip, group, routes) {
  const scheduled = group.index !== null;
  const route = scheduled ? dayRoute(routes, group.day) : null;
  const legs = new Map((route?.legs ?? []).map((leg) => [leg.from_place_id, leg]));
  const items = [];
  group.places.forEach((place, i) => {
    items.push(placeItem(trip, place, i + 1, group));
    const leg = legs.get(place.id);
    if (leg && i < group.places.length - 1) items.push(legItem(leg, routes.profile));
  });
  const name = scheduled ? dayName(group.index, group.day) : "Not yet scheduled";
  const section = h(
    "section",
    { class: `day${scheduled ? "" : " is-unscheduled"}`, dataset: { day: scheduled ? String(group.index + 1) : "" }, "aria-label": name },
    h(
      "header",
      { class: "day-head" },
      h("span", { class: "day-swatch", "aria-hidden": "true" }),
      h("h3", { class: "day-name", text: name }),
      group.day?.date ? h("time", { class: "day-date", datetime: group.day.date, text: dateLabel(group.day.date) }) : null,
      route && group.places.length > 1 ? h("p", { class: "day-totals", text: totalsText(route, routes.profile) }) : null,
    ),
    h("ol", { class: "day-places" }, items),
    group.places.length ? null : h("p", { class: "day-empty", text: scheduled ? "No places yet: drag one here, or use a place's menu." : "Every place has a day." }),
  );
  section.style.setProperty("--day-colour", dayColour(group.index));
  return section;
}

function listItems(trip, routes) {
  if (!trip) return [];
  if (!trip.days?.length) return [h("ol", { class: "day-places" }, trip.places.map((p, i) => placeItem(trip, p, i + 1, null)))];
  const { days, unscheduled } = schedule(trip);
  return [...days, unscheduled].map((group) => daySection(trip, group, routes));
}

function renderDays(trip, readOnly) {
  const hasDays = Boolean(trip?.days?.length);
  datesRow.hidden = !hasDays;
  startInput.disabled = startClear.disabled = readOnly;
  if (hasDays && document.activeElement !== startInput) startInput.value = trip.start_date ?? "";
  startClear.hidden = !trip?.start_date;
  const routes = hasDays ? routesFor(trip, render) : null;
  totals.hidden = !routes;
  if (routes) {
    // The routing service's notes (how estimates are made, or that it failed), once each.
    const notes = [...new Set(routes.days.map((d) => d.note).filter(Boolean))].join(" ");
    totals.replaceChildren(
      `${trip.days.length} ${trip.days.length === 1 ? "day" : "days"} · ${totalsText(routes, routes.profile)}`,
      notes ? h("span", { class: "trip-note", text: notes }) : "",
    );
  }
  mapView.showRoutes(routeLines(trip, routes));
  return routes;
}

// New, changed or re-scheduled places of the pending approval (the agent's proposal,
// before/after), with the day and stop the change gives them; and dashed lines for the
// days it changes.
function proposedPlaces() {
  const changes = store.pendingApproval?.changes ?? [];
  const places = [];
  const lines = [];
  for (const { before, after } of changes) {
    if (!after) continue;
    const old = new Map((before?.places ?? []).map((p) => [p.id, p]));
    const moved = movedPlaceIds(before?.days ?? [], after.days ?? []);
    const where = positions(after);
    for (const p of after.places) {
      const prev = old.get(p.id);
      if (prev && prev.latitude === p.latitude && prev.longitude === p.longitude && !moved.has(p.id)) continue;
      const at = after.days?.length ? where.get(p.id) : null;
      const day = at && at.index !== null ? at.index + 1 : null;
      places.push({ place: p, day, number: at?.number ?? null, colour: day ? dayColour(day - 1) : null });
    }
    const was = new Map((before?.days ?? []).map((d) => [d.id, d.place_ids.join(" ")]));
    for (const line of routeLines(after, null)) {
      const day = after.days[line.day - 1];
      if (was.get(day.id) !== day.place_ids.join(" ")) lines.push(line);
    }
  }
  mapView.showRoutes(lines, { proposed: true });
  return places;
}

export function render() {
  mapView.showProposed(proposedPlaces());
  // During an outage the last known trips stay, read-only.
  const readOnly = !store.available;
  card.hidden = readOnly && !store.trips.length;
  card.classList.toggle("is-readonly", readOnly);
  readOnlyNote.hidden = !readOnly;
  select.disabled = readOnly;
  const trip = selectedTrip();
  select.replaceChildren(...store.trips.map((t) => h("option", { value: t.id, text: t.name })));
  select.hidden = !trip;
  if (trip) select.value = trip.id;
  select.title = trip?.name ?? "";
  const n = trip?.places.length ?? 0;
  const dayCount = trip?.days?.length ?? 0;
  count.textContent = trip
    ? `${n} ${n === 1 ? "place" : "places"}${dayCount ? ` · ${dayCount} ${dayCount === 1 ? "day" : "days"}` : ""}`
    : "No trips yet";
  addButton.disabled = !trip || readOnly;
  tripActions.hidden = readOnly;
  renameButton.hidden = deleteTripButton.hidden = !trip;
  searchForm.hidden = !trip || readOnly;
  if (!trip || readOnly || resultsTripId !== trip.id) clearResults();
  card.classList.toggle("is-busy", Boolean(busyReason()));
  const routes = renderDays(trip, readOnly || Boolean(busyReason()));

  // An editor stays open only while its trip is shown and its place still exists.
  const keep =
    editor &&
    (trip?.id ?? null) === editor.tripId &&
    (editor.placeId === null || trip.places.some((p) => p.id === editor.placeId));
  if (keep) {
    mapView.showTrip(trip, { onSelectPlace, onMovePlace: readOnly ? null : onMovePlace });
    return;
  }
  if (editor) discardEditor();
  // The list is made anew only when what it shows changed: a run starting, or the agent's
  // snapshot of an unchanged trip, keeps it as it is.
  const key = JSON.stringify([trip, store.available]);
  if (key !== drawn.key || routes !== drawn.routes) {
    // A redraw (the agent's answer, routes arriving) keeps the keyboard on the same place.
    const focused = list.contains(document.activeElement) ? document.activeElement.closest(".place")?.dataset.placeId : null;
    list.replaceChildren(...listItems(trip, routes));
    drawn = { key, routes };
    if (focused) list.querySelector(`.place[data-place-id="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
  }
  empty.hidden = Boolean(trip?.places.length);
  empty.replaceChildren(
    trip
      ? h("p", {}, "No places yet. Press ", icon("plus"), ` and ${TAP.toLowerCase()} the map, or ask the planner.`)
      : h("p", {}, "Ask the planner for a trip, for example “Plan a 3-day trip to Rome”."),
  );
  mapView.showTrip(trip, { onSelectPlace, onMovePlace: readOnly ? null : onMovePlace });
}

// A marker dragged to a new point: the place moves there (the agent's answer is redrawn;
// a refused move puts the marker back).
async function onMovePlace(placeId, latitude, longitude) {
  const trip = selectedTrip();
  const place = trip?.places.find((p) => p.id === placeId);
  const reason = busyReason();
  try {
    if (!place) return;
    if (reason) return toast(reason);
    await api.editPlace(trip.id, placeId, { latitude, longitude });
    toast(`Moved ${place.name}.`);
  } catch (err) {
    toast(err.message);
  } finally {
    mapView.forgetDrawn();
    await reload();
  }
}

function onSelectPlace(placeId) {
  const item = list.querySelector(`[data-place-id="${CSS.escape(placeId)}"]`);
  if (!item) return;
  item.scrollIntoView({ block: "nearest", behavior: "smooth" });
  item.classList.add("is-flash");
  setTimeout(() => item.classList.remove("is-flash"), 900);
}

function setCollapsed(collapsed) {
  card.classList.toggle("is-collapsed", collapsed);
  toggle.setAttribute("aria-expanded", String(!collapsed));
  toggle.setAttribute("aria-label", collapsed ? "Expand the trip card" : "Minimise the trip card");
}

export function initTrips() {
  toggle.addEventListener("click", () => {
    setCollapsed(!card.classList.contains("is-collapsed"));
    // The drawer covers part of the map: fit the markers into what is left.
    requestAnimationFrame(() => mapView.fitTrip(selectedTrip()));
  });
  addButton.addEventListener("click", startAdd);
  newTripButton.addEventListener("click", startNewTrip);
  renameButton.addEventListener("click", startRename);
  deleteTripButton.addEventListener("click", confirmDeleteTrip);
  searchForm.addEventListener("submit", search);
  // Dragging is not needed for the first view: its module comes on its own.
  import("./day_drag.js").then(({ enableDrag }) => enableDrag(list, { canDrag: () => !busyReason(), onDrop }));
  startInput.addEventListener("change", () => {
    // A half-typed date is empty until it is whole: only whole dates are sent.
    if (startInput.validity.badInput) return;
    if (startInput.value || selectedTrip()?.start_date) setStartDate(startInput.value || null);
  });
  startClear.addEventListener("click", () => setStartDate(null));
  searchForm.addEventListener("keydown", resultKeys);
  results.addEventListener("keydown", resultKeys);
  select.addEventListener("change", async () => {
    const id = select.value;
    try {
      applyState(await api.selectTrip(id));
    } catch (err) {
      toast(err.message);
      render();
    }
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".place-more, .place-menu")) {
      for (const menu of list.querySelectorAll(".place-menu")) menu.hidden = true;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeForms();
  });
  // Phones start with the drawer folded so the map shows.
  if (window.matchMedia("(max-width: 760px)").matches) setCollapsed(true);
  subscribe((_, changes) => {
    if (["trips", "selectedTripId", "available", "pendingApproval", "running"].some((k) => k in changes)) render();
  });
  render();
}
