// Dragging a place of the trip card to another day or position (HTML drag and drop, one
// set of listeners on the list). The place menu's "Move to day …" and "Move up/down" do
// the same from the keyboard.

const TYPE = "application/x-travel-place";
let dragged = null; // place id

function clearMarks(list) {
  for (const el of list.querySelectorAll(".is-drop-before, .is-drop-target")) {
    el.classList.remove("is-drop-before", "is-drop-target");
  }
}

// Where a drop at `y` lands in `section`: {day (1-based, null: no day), position (1-based,
// the place's position in the day afterwards), before (the item it goes in front of)}.
function dropPoint(section, y) {
  const items = [...section.querySelectorAll(".place")].filter((el) => el.dataset.placeId !== dragged);
  const at = items.findIndex((el) => {
    const rect = el.getBoundingClientRect();
    return y < rect.top + rect.height / 2;
  });
  const day = section.dataset.day ? Number(section.dataset.day) : null;
  return { day, position: (at === -1 ? items.length : at) + 1, before: items[at] ?? null };
}

// onDrop(placeId, day, position) is called for a drop on a day or on "Not yet scheduled".
export function enableDrag(list, { canDrag, onDrop }) {
  list.addEventListener("dragstart", (event) => {
    const item = event.target.closest?.(".place[draggable='true']");
    if (!item || !canDrag()) {
      if (item) event.preventDefault();
      return;
    }
    dragged = item.dataset.placeId;
    event.dataTransfer.setData(TYPE, dragged);
    event.dataTransfer.setData("text/plain", item.querySelector(".place-name")?.textContent ?? "");
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("is-dragging");
    list.classList.add("is-dragging");
  });
  list.addEventListener("dragend", (event) => {
    event.target.closest?.(".place")?.classList.remove("is-dragging");
    list.classList.remove("is-dragging");
    clearMarks(list);
    dragged = null;
  });
  list.addEventListener("dragover", (event) => {
    const section = event.target.closest?.(".day");
    if (!dragged || !section) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks(list);
    section.classList.add("is-drop-target");
    dropPoint(section, event.clientY).before?.classList.add("is-drop-before");
  });
  list.addEventListener("dragleave", (event) => {
    if (!list.contains(event.relatedTarget)) clearMarks(list);
  });
  list.addEventListener("drop", (event) => {
    const section = event.target.closest?.(".day");
    if (!dragged || !section) return;
    event.preventDefault();
    const placeId = dragged;
    const { day, position } = dropPoint(section, event.clientY);
    clearMarks(list);
    onDrop(placeId, day, position);
  });
}
