// Approval cards: the person's say over every change to trips (human in the loop).
// Pending cards take a decision; decided cards stay in the transcript, disabled; those of
// the history come folded (what was decided; the proposal opens on request).

import { dateLabel, dayColour, dayName, movedPlaceIds, positions, schedule } from "./days.js";
import { h, icon } from "./dom.js";

const TITLES = {
  add_trips: "New trip proposed",
  update_trips: "Change proposed",
  delete_trips: "Deletion proposed",
  plan_days: "Day plan proposed",
  optimise_day: "New day order proposed",
  move_places: "Move proposed",
  set_start_date: "New dates proposed",
};
const DAY_ACTIONS = new Set(["plan_days", "optimise_day", "move_places", "set_start_date"]);

const PLACE_FIELDS = [
  ["name", "Name"],
  ["address", "Address"],
  ["rating", "Rating"],
  ["description", "Description"],
];

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function samePlace(a, b) {
  return ["name", "address", "latitude", "longitude", "rating", "description"].every(
    (f) => (a[f] ?? null) === (b[f] ?? null),
  );
}

function checkbox(place, { checked, disabled, onChange }) {
  return h("input", {
    type: "checkbox",
    class: "approval-check",
    checked,
    disabled,
    dataset: { placeId: place.id },
    "aria-label": `Include ${place.name}`,
    onchange: onChange,
  });
}

function placeRow(place, options) {
  const { checkable } = options;
  const box = checkable ? checkbox(place, options) : null;
  return h(
    "label",
    { class: `approval-place${checkable ? "" : " is-static"}` },
    box,
    h(
      "span",
      { class: "approval-place-text" },
      h("span", { class: "approval-place-name", text: place.name }),
      place.address ? h("span", { class: "approval-place-address", text: place.address }) : null,
    ),
  );
}

function fieldText(field, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (field === "rating") return `${Number(value).toFixed(1)} ★`;
  return String(value);
}

function beforeAfter(label, before, after) {
  return h(
    "div",
    { class: "diff-row" },
    h("span", { class: "diff-label", text: label }),
    h("span", { class: "diff-before", text: before }),
    icon("chevron", "diff-arrow"),
    h("span", { class: "diff-after", text: after }),
  );
}

function where(at, days) {
  if (!at) return "new";
  if (at.index === null) return "not scheduled";
  return `${dayName(at.index, days[at.index])}, stop ${at.number}`;
}

// The days after the change (before → after): each day's places in order, the places it
// moves (ticked or not) marked with where they were; days it leaves as they were say so.
function daysBlock(before, after, state) {
  if (!after.days?.length && !before?.days?.length) return null;
  const moved = movedPlaceIds(before?.days ?? [], after.days ?? []);
  const was = before ? positions(before) : new Map();
  const oldDays = new Map((before?.days ?? []).map((d) => [d.id, d]));
  const rows = [];
  if ((before?.start_date ?? null) !== (after.start_date ?? null)) {
    rows.push(beforeAfter("Start date", before?.start_date ? dateLabel(before.start_date) : "—", after.start_date ? dateLabel(after.start_date) : "—"));
  }
  const { days, unscheduled } = schedule(after);
  for (const group of [...days, unscheduled]) {
    const { index, day, places } = group;
    const old = day ? oldDays.get(day.id) : null;
    const same = old && old.place_ids.join(" ") === day.place_ids.join(" ") && (old.date ?? null) === (day.date ?? null);
    if (index === null && !places.some((p) => moved.has(p.id))) continue;
    const name = index === null ? "Not yet scheduled" : dayName(index, day);
    const head = h(
      "h5",
      { class: "approval-day-name" },
      h("span", { class: "day-swatch", "aria-hidden": "true" }),
      h("span", { text: name }),
      day?.date ? h("span", { class: "approval-day-date", text: dateLabel(day.date) }) : null,
    );
    const section = h("div", { class: "approval-day", dataset: { day: index === null ? "" : String(index + 1) } }, head);
    section.style.setProperty("--day-colour", dayColour(index));
    if (same && before) {
      section.append(h("p", { class: "approval-sub", text: `Unchanged (${places.length} ${places.length === 1 ? "place" : "places"})` }));
    } else {
      section.append(
        h(
          "ol",
          { class: "approval-day-places" },
          places.map((p, i) => {
            const options = state.claim(after.id, p);
            const from = moved.has(p.id) && before ? h("span", { class: "approval-place-address", text: `was: ${where(was.get(p.id), before.days)}` }) : null;
            return h(
              "li",
              {},
              h(
                "label",
                { class: `approval-place${options.checkable ? "" : " is-static"}` },
                options.checkable ? checkbox(p, options) : null,
                // A day's stop number after the checkbox (not a list marker before it).
                index === null ? null : h("span", { class: "approval-stop", text: `${i + 1}.` }),
                h("span", { class: "approval-place-text" }, h("span", { class: "approval-place-name", text: p.name }), from),
              ),
            );
          }),
        ),
      );
    }
    rows.push(section);
  }
  return h("div", { class: "approval-days" }, rows);
}

// What a change to one trip does, with the places the person may leave out.
function changeSection(change, state) {
  const { before, after } = change;
  if (!before && after && after.days?.length) {
    return h(
      "section",
      { class: "approval-change" },
      h("h4", { class: "approval-trip", text: after.name }),
      h("p", { class: "approval-sub", text: `${plural(after.places.length, "place")} over ${plural(after.days.length, "day")} · tick the ones you want` }),
      daysBlock(null, after, state),
      // Places the plan leaves in no day are offered on their own.
      h("div", { class: "approval-places" }, after.places.map((p) => state.claim(after.id, p)).filter((o) => o.checkable).map((o) => placeRow(o.place, o))),
    );
  }
  if (!before && after) {
    return h(
      "section",
      { class: "approval-change" },
      h("h4", { class: "approval-trip", text: after.name }),
      h("p", { class: "approval-sub", text: `${plural(after.places.length, "place")} · tick the ones you want` }),
      h("div", { class: "approval-places" }, after.places.map((p) => placeRow(p, state.claim(after.id, p)))),
    );
  }
  if (before && !after) {
    return h(
      "section",
      { class: "approval-change is-delete" },
      h("h4", { class: "approval-trip" }, "Delete ", h("span", { text: `“${before.name}”` })),
      h("p", { class: "approval-sub", text: before.places.length ? `These ${plural(before.places.length, "place")} go with it:` : "It has no places." }),
      h(
        "ul",
        { class: "approval-gone" },
        before.places.map((p) => h("li", { text: p.name })),
      ),
    );
  }
  // An update: only what differs; days first (they claim the places they move).
  const rows = [];
  if (before.name !== after.name) rows.push(beforeAfter("Trip name", before.name, after.name));
  const dayRows = daysBlock(before, after, state);
  const old = new Map(before.places.map((p) => [p.id, p]));
  const now = new Map(after.places.map((p) => [p.id, p]));
  const added = after.places.filter((p) => !old.has(p.id));
  const removed = before.places.filter((p) => !now.has(p.id));
  for (const place of after.places) {
    const prev = old.get(place.id);
    if (!prev) continue;
    const diffs = PLACE_FIELDS.filter(([f]) => (prev[f] ?? "") !== (place[f] ?? ""));
    const moved = prev.latitude !== place.latitude || prev.longitude !== place.longitude;
    if (!diffs.length && !moved) continue;
    const options = state.claim(after.id, place);
    rows.push(
      h(
        "div",
        { class: "diff-place" },
        h(
          "label",
          { class: "diff-place-name" },
          options.checkable ? checkbox(place, options) : null,
          h("span", { text: prev.name }),
        ),
        diffs.map(([f, label]) => beforeAfter(label, fieldText(f, prev[f]), fieldText(f, place[f]))),
        moved ? h("div", { class: "diff-row diff-note", text: "Moves to a new spot on the map" }) : null,
      ),
    );
  }
  if (added.length) {
    rows.push(h("p", { class: "approval-sub", text: `Adds ${plural(added.length, "place")}:` }));
    rows.push(h("div", { class: "approval-places" }, added.map((p) => placeRow(p, state.claim(after.id, p)))));
  }
  if (removed.length) {
    rows.push(h("p", { class: "approval-sub", text: `Removes ${plural(removed.length, "place")}:` }));
    rows.push(h("ul", { class: "approval-gone" }, removed.map((p) => h("li", { text: p.name }))));
  }
  if (dayRows) rows.push(dayRows);
  if (!rows.length) rows.push(h("p", { class: "approval-sub", text: "Nothing visible changes." }));
  return h("section", { class: "approval-change" }, h("h4", { class: "approval-trip", text: after.name }), rows);
}

function doneText(action, decision, chosen, offered) {
  if (decision === "cancelled") return "Cancelled";
  if (decision === "partial" && action === "add_trips") {
    return `Added ${chosen} of ${plural(offered, "place")}`;
  }
  if (decision === "partial") return `Applied ${chosen} of ${plural(offered, "place change")}`;
  if (action === "add_trips") return "Added";
  if (action === "delete_trips") return "Deleted";
  return "Changes applied";
}

// proposal: {action, message, changes}; options: {decision, approvedPlaceIds, onDecide}.
// onDecide(approved, placeIds|null) returns a promise that settles when the agent answered.
export function approvalCard(proposal, { decision = "pending", approvedPlaceIds = [], onDecide } = {}) {
  const action = proposal.action;
  const changes = Array.isArray(proposal.changes) ? proposal.changes : [];
  // Places the person may pick one by one (as the agent offers them): the new or changed
  // places of each trip after the change. Unchanged places always stay.
  const choices = [];
  for (const { before, after } of changes) {
    if (!after) continue;
    const old = new Map((before?.places ?? []).map((p) => [p.id, p]));
    // And the places it moves to another day or position (as the agent counts them).
    const moved = movedPlaceIds(before?.days ?? [], after.days ?? []);
    for (const p of after.places) {
      if (!old.has(p.id) || !samePlace(old.get(p.id), p) || moved.has(p.id)) choices.push({ tripId: after.id, placeId: p.id });
    }
  }
  const key = (tripId, placeId) => `${tripId}/${placeId}`;
  const choiceKeys = new Set(choices.map((c) => key(c.tripId, c.placeId)));
  // History names approved places as "trip/place" (bare ids are accepted too).
  const approved = new Set(decision === "partial" ? approvedPlaceIds : [...choiceKeys]);
  const wasApproved = (tripId, placeId) => approved.has(key(tripId, placeId)) || approved.has(placeId);
  const pending = decision === "pending";

  const card = h("article", { class: "approval", dataset: { action } });
  const checks = () => [...card.querySelectorAll(".approval-check")];
  // Each offered place gets one checkbox, in the first row that shows it.
  const claimed = new Set();
  const state = {
    claim: (tripId, place) => {
      const k = key(tripId, place.id);
      const checkable = choiceKeys.has(k) && !claimed.has(k);
      if (checkable) claimed.add(k);
      return {
        place,
        checkable,
        checked: pending ? true : wasApproved(tripId, place.id),
        disabled: !pending,
        tripId,
        onChange: () => refresh(),
      };
    },
  };

  const confirmLabel = () => {
    if (action === "delete_trips") return "Delete trip";
    if (action === "update_trips") return "Apply changes";
    const n = checks().filter((c) => c.checked).length;
    if (DAY_ACTIONS.has(action)) return n === checks().length ? "Apply" : `Apply ${n} of ${plural(checks().length, "place")}`;
    return n === checks().length ? "Add trip" : `Add ${plural(n, "place")}`;
  };
  const confirm = h("button", { type: "button", class: "button button-primary approval-confirm" });
  const cancel = h("button", { type: "button", class: "button approval-cancel" }, "Cancel");
  const footer = h("footer", { class: "approval-actions" }, cancel, confirm);
  const status = h("p", { class: "approval-status", role: "status" });

  function refresh() {
    confirm.textContent = confirmLabel();
    const none = (action === "add_trips" || (DAY_ACTIONS.has(action) && checks().length > 0)) && checks().every((c) => !c.checked);
    confirm.disabled = none;
    confirm.title = none ? "Tick at least one place, or cancel" : "";
  }

  function showDecided(result, chosen) {
    card.classList.add("is-done");
    card.classList.toggle("is-cancelled", result === "cancelled");
    for (const c of checks()) c.disabled = true;
    footer.hidden = true;
    status.replaceChildren(
      icon(result === "cancelled" ? "close" : "check"),
      h("span", { text: doneText(action, result, chosen, choices.length) }),
    );
    status.hidden = false;
  }

  function setBusy(busy) {
    confirm.disabled = busy;
    cancel.disabled = busy;
    for (const c of checks()) c.disabled = busy;
    card.classList.toggle("is-busy", busy);
  }

  async function decide(approvedChoice) {
    const boxes = checks();
    const picked = boxes.filter((c) => c.checked).map((c) => c.dataset.placeId);
    // All picked: a plain approval. Otherwise the picked place ids, as the contract names them.
    const placeIds = approvedChoice && picked.length < boxes.length ? picked : null;
    const result = !approvedChoice ? "cancelled" : placeIds ? "partial" : "approved";
    const chosen = picked.length;
    setBusy(true);
    showDecided(result, chosen);
    const ok = await onDecide?.(approvedChoice, placeIds);
    if (ok === false) {
      // The agent did not take the decision (still pending): let the person try again.
      card.classList.remove("is-done", "is-cancelled");
      footer.hidden = false;
      status.hidden = true;
      setBusy(false);
      refresh();
    }
  }

  cancel.addEventListener("click", () => decide(false));
  confirm.addEventListener("click", () => decide(true));

  const head = h(
    "header",
    { class: "approval-head" },
    icon("spark"),
    h("div", {}, h("strong", { text: TITLES[action] ?? "Change proposed" }), proposal.message ? h("p", { class: "approval-message", text: proposal.message }) : null),
  );
  const sections = () => changes.map((change) => changeSection(change, state));
  status.hidden = true;
  if (pending) {
    card.append(head, ...sections(), footer, status);
    refresh();
    return card;
  }
  // Already decided (the conversation's history): what was decided, with the proposal
  // itself folded away and made when first opened (a day plan lists every place).
  const details = h("details", { class: "approval-details" }, h("summary", { class: "approval-summary", text: "Show what was proposed" }));
  details.addEventListener("toggle", () => {
    if (details.open && details.childElementCount === 1) details.append(...sections());
  });
  card.append(head, details, footer, status);
  const chosen = decision === "partial" ? choices.filter((c) => wasApproved(c.tripId, c.placeId)).length : choices.length;
  showDecided(decision, chosen);
  return card;
}
