// Approval cards: the person's say over every change to trips (human in the loop).
// Pending cards take a decision; decided cards stay in the transcript, disabled.

import { h, icon } from "./dom.js";

const TITLES = {
  add_trips: "New trip proposed",
  update_trips: "Change proposed",
  delete_trips: "Deletion proposed",
};

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

// What a change to one trip does, with the places the person may leave out.
function changeSection(change, state) {
  const { before, after } = change;
  if (!before && after) {
    return h(
      "section",
      { class: "approval-change" },
      h("h4", { class: "approval-trip", text: after.name }),
      h("p", { class: "approval-sub", text: `${plural(after.places.length, "place")} · tick the ones you want` }),
      h("div", { class: "approval-places" }, after.places.map((p) => placeRow(p, state.rowOptions(after.id, p)))),
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
  // An update: only what differs.
  const rows = [];
  if (before.name !== after.name) rows.push(beforeAfter("Trip name", before.name, after.name));
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
    const options = state.rowOptions(after.id, place);
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
    rows.push(h("div", { class: "approval-places" }, added.map((p) => placeRow(p, state.rowOptions(after.id, p)))));
  }
  if (removed.length) {
    rows.push(h("p", { class: "approval-sub", text: `Removes ${plural(removed.length, "place")}:` }));
    rows.push(h("ul", { class: "approval-gone" }, removed.map((p) => h("li", { text: p.name }))));
  }
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
    for (const p of after.places) {
      if (!old.has(p.id) || !samePlace(old.get(p.id), p)) choices.push({ tripId: after.id, placeId: p.id });
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
  const state = {
    rowOptions: (tripId, place) => ({
      checkable: choiceKeys.has(key(tripId, place.id)),
      checked: pending ? true : wasApproved(tripId, place.id),
      disabled: !pending,
      tripId,
      onChange: () => refresh(),
    }),
  };

  const confirmLabel = () => {
    if (action === "delete_trips") return "Delete trip";
    if (action === "update_trips") return "Apply changes";
    const n = checks().filter((c) => c.checked).length;
    return n === checks().length ? "Add trip" : `Add ${plural(n, "place")}`;
  };
  const confirm = h("button", { type: "button", class: "button button-primary approval-confirm" });
  const cancel = h("button", { type: "button", class: "button approval-cancel" }, "Cancel");
  const footer = h("footer", { class: "approval-actions" }, cancel, confirm);
  const status = h("p", { class: "approval-status", role: "status" });

  function refresh() {
    confirm.textContent = confirmLabel();
    const none = action === "add_trips" && checks().every((c) => !c.checked);
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

  card.append(
    h(
      "header",
      { class: "approval-head" },
      icon("spark"),
      h("div", {}, h("strong", { text: TITLES[action] ?? "Change proposed" }), proposal.message ? h("p", { class: "approval-message", text: proposal.message }) : null),
    ),
    ...changes.map((change) => changeSection(change, state)),
    footer,
    status,
  );
  status.hidden = true;
  if (pending) refresh();
  else showDecided(decision, checks().filter((c) => c.checked).length);
  return card;
}
