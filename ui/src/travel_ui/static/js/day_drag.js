// Dragging a place of the trip card to another day or position, with pointer events (one
// set of listeners on the list): a mouse or pen drags the whole place, a finger its number
// badge (so the list still scrolls under a finger). The place menu's "Move to day …" and
// "Move up/down" do the same from the keyboard.

import { dragEnded, dragStarted } from "./drag_hold.js";

const THRESHOLD = 6; // px before a press becomes a drag (a click stays a click)
let drag = null; // {item, pointerId, x, y, started, ghost}

function clearMarks(list) {
  for (const el of list.querySelectorAll(".is-drop-before, .is-drop-target")) {
    el.classList.remove("is-drop-before", "is-drop-target");
  }
}

// Where a drop at (x, y) lands: {section, day (1-based, null: no day), position (1-based,
// the place's position in the day afterwards), before (the item it goes in front of)}.
function dropPoint(list, x, y) {
  const section = document.elementFromPoint(x, y)?.closest(".day");
  if (!section || !list.contains(section)) return null;
  const placeId = drag.item.dataset.placeId;
  const items = [...section.querySelectorAll(".place")].filter((el) => el.dataset.placeId !== placeId);
  const at = items.findIndex((el) => {
    const rect = el.getBoundingClientRect();
    return y < rect.top + rect.height / 2;
  });
  const day = section.dataset.day ? Number(section.dataset.day) : null;
  return { section, day, position: (at === -1 ? items.length : at) + 1, before: items[at] ?? null };
}

function start(list) {
  drag.started = true;
  dragStarted();
  const rect = drag.item.getBoundingClientRect();
  // A see-through copy follows the pointer; the place itself stays, dimmed, until dropped.
  const ghost = drag.item.cloneNode(true);
  ghost.classList.add("place-ghost");
  ghost.removeAttribute("data-place-id");
  ghost.setAttribute("aria-hidden", "true");
  ghost.style.width = `${rect.width}px`;
  drag.offset = { x: drag.x - rect.left, y: drag.y - rect.top };
  drag.ghost = ghost;
  document.body.append(ghost);
  drag.item.classList.add("is-dragging");
  list.classList.add("is-dragging");
}

function finish(list) {
  drag?.ghost?.remove();
  drag?.item.classList.remove("is-dragging");
  list.classList.remove("is-dragging");
  clearMarks(list);
  drag = null;
}

// onDrop(placeId, day, position) runs for a drop on a day or on "Not yet scheduled".
export function enableDrag(list, { canDrag, onDrop }) {
  list.addEventListener("pointerdown", (event) => {
    const item = event.target.closest(".place[data-draggable]");
    if (!item || event.button !== 0 || event.target.closest("button, input, textarea, select, a, form, .place-menu")) return;
    if (event.pointerType === "touch" && !event.target.closest(".badge")) return;
    if (!canDrag()) return;
    drag = { item, pointerId: event.pointerId, x: event.clientX, y: event.clientY, started: false };
  });
  list.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.started) {
      if (Math.hypot(event.clientX - drag.x, event.clientY - drag.y) < THRESHOLD) return;
      list.setPointerCapture(event.pointerId);
      start(list);
    }
    event.preventDefault();
    drag.ghost.style.transform = `translate(${event.clientX - drag.offset.x}px, ${event.clientY - drag.offset.y}px)`;
    clearMarks(list);
    const point = dropPoint(list, event.clientX, event.clientY);
    point?.section.classList.add("is-drop-target");
    point?.before?.classList.add("is-drop-before");
  });
  list.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.started) {
      drag = null; // a click
      return;
    }
    const placeId = drag.item.dataset.placeId;
    const point = dropPoint(list, event.clientX, event.clientY);
    finish(list);
    if (point) onDrop(placeId, point.day, point.position);
    dragEnded();
  });
  list.addEventListener("pointercancel", () => {
    finish(list);
    dragEnded();
  });
}
