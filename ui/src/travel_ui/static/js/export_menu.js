// The trip card's export menu: the selected trip as a file for other apps, and a
// "Google Maps directions" link per day. A menu button in the WAI-ARIA pattern: arrow
// keys move, Escape closes and gives the focus back to the button.

import { request } from "./api.js";
import { h, icon } from "./dom.js";
import { toast } from "./toast.js";

const FORMATS = [
  ["geojson", "GeoJSON", "maps and GIS apps"],
  ["gpx", "GPX", "GPS devices and hiking apps"],
  ["ics", "iCalendar", "your calendar"],
  ["kml", "KML", "Google Earth"],
  ["md", "Markdown", "notes and documents"],
];
// A calendar has an event per dated day: without one the agent refuses it (422), so the
// item says so before anyone tries. Same sentences as the agent's (docs/agent-api.md).
function noCalendar(trip) {
  if (trip.days?.some((d) => d.date)) return null;
  return trip.days?.length
    ? "This trip has no dates yet: set a start date to export it as a calendar."
    : "This trip has no days yet: plan it into days with a start date to export it as a calendar.";
}
const OFFLINE = "The planner cannot be reached right now. Please try again in a moment.";
const TIMEOUT_MS = 15000;

// The file name the agent chose (Content-Disposition), or a plain one.
function fileName(response, format) {
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "");
  return match ? match[1] : `trip.${format}`;
}

// Fetched first, so a refusal is a sentence on the page rather than a broken file.
async function download(trip, format, label) {
  let response;
  try {
    response = await fetch(`/api/trips/${encodeURIComponent(trip.id)}/export?format=${format}`, {
      credentials: "same-origin",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new Error(OFFLINE);
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const why = typeof body?.detail === "string" ? ` ${body.detail}` : " Please try again.";
    throw new Error(`The ${label} file of ${trip.name} could not be made.${why}`);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: fileName(response, format), hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy by the next task; the blob is not needed after it.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function exportMenu(getTrip) {
  const button = h(
    "button",
    {
      type: "button",
      class: "icon-button trip-out-button",
      id: "trip-export",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": "trip-export-menu",
      "aria-label": "Export this trip",
      title: "Export",
    },
    icon("download"),
  );
  const status = h("p", { class: "trip-out-status", role: "status", "aria-live": "polite" });
  const menu = h("div", { id: "trip-export-menu", role: "menu", "aria-label": "Export this trip" });
  // The menu and its status line (a live region may not sit inside role=menu).
  const pop = h("div", { class: "trip-out-menu", id: "trip-export-pop", hidden: true }, menu, status);
  const items = () => [...menu.querySelectorAll('[role="menuitem"]')];

  function close({ focus = true } = {}) {
    if (pop.hidden) return;
    pop.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focus) button.focus();
  }

  async function choose(trip, format, label) {
    status.textContent = `Preparing the ${label} file…`;
    try {
      await download(trip, format, label);
      close();
      toast(`${label} file of ${trip.name} downloaded.`);
    } catch (err) {
      status.textContent = err.message;
      toast(err.message);
    }
  }

  async function directions(trip, group) {
    group.replaceChildren(h("p", { class: "trip-out-note", role: "none", text: "Finding each day's directions…" }));
    try {
      const routes = await request("GET", `/api/trips/${encodeURIComponent(trip.id)}/routes`);
      const links = routes.days.filter((d) => d.google_maps_url);
      group.replaceChildren(
        ...links.map((d) =>
          h(
            "a",
            { role: "menuitem", class: "trip-out-item", href: d.google_maps_url, target: "_blank", rel: "noopener noreferrer" },
            h("span", { class: "trip-out-label", text: `Day ${d.day}${d.title ? ` · ${d.title}` : ""}` }),
            h("span", { class: "trip-out-hint", text: "Directions in Google Maps" }),
          ),
        ),
      );
      if (!links.length) {
        group.append(h("p", { class: "trip-out-note", role: "none", text: "No day has two places yet, so there are no directions." }));
      }
    } catch (err) {
      group.replaceChildren(h("p", { class: "trip-out-note", role: "none", text: `Directions cannot be shown: ${err.message}` }));
    }
  }

  function open() {
    const trip = getTrip();
    if (!trip) return;
    status.textContent = "";
    const formats = h(
      "div",
      { role: "group", "aria-label": `Download ${trip.name} as` },
      ...FORMATS.map(([format, label, hint]) => {
        const why = format === "ics" ? noCalendar(trip) : null;
        // Disabled but focusable (menu pattern): arrows still reach it and it says why.
        return h(
          "button",
          {
            type: "button",
            role: "menuitem",
            class: "trip-out-item",
            "aria-disabled": why ? "true" : null,
            onclick: () => (why ? (status.textContent = why) : choose(trip, format, label)),
          },
          h("span", { class: "trip-out-label", text: label }),
          h("span", { class: "trip-out-hint", text: why ? "needs dates: set a start date first" : `for ${hint}` }),
        );
      }),
    );
    // Headings are for the eye; the groups' labels say the same to screen readers.
    const heading = (text) => h("p", { class: "trip-out-heading", role: "none", "aria-hidden": "true", text });
    menu.replaceChildren(heading(`Download ${trip.name} as`), formats);
    if (trip.days?.length) {
      const group = h("div", { role: "group", "aria-label": "Directions in Google Maps, per day" });
      menu.append(heading("Directions per day"), group);
      directions(trip, group);
    }
    pop.hidden = false;
    button.setAttribute("aria-expanded", "true");
    items()[0]?.focus();
  }

  button.addEventListener("click", () => (pop.hidden ? open() : close()));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      open();
      if (event.key === "ArrowUp") items().at(-1)?.focus();
    }
  });
  menu.addEventListener("keydown", (event) => {
    const all = items();
    const at = all.indexOf(document.activeElement);
    const go = (i) => all[(i + all.length) % all.length]?.focus();
    if (event.key === "ArrowDown") go(at + 1);
    else if (event.key === "ArrowUp") go(at - 1);
    else if (event.key === "Home") go(0);
    else if (event.key === "End") go(all.length - 1);
    else if (event.key === "Escape") {
      event.stopPropagation();
      close();
    } else {
      if (event.key === "Tab") close({ focus: false });
      return;
    }
    event.preventDefault();
  });
  // A click elsewhere closes the menu; the download's own (scripted) click does not.
  document.addEventListener("click", (event) => {
    if (event.isTrusted && !pop.hidden && !pop.contains(event.target) && !button.contains(event.target)) close({ focus: false });
  });

  return { button, pop, close };
}
