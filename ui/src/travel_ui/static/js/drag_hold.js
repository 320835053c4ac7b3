// Redraws held back while a place is being dragged: a redraw under the pointer would
// replace (and move) the places being dragged over. A module of its own so that the day
// routes can ask without loading the drag code, which comes on first use.

let dragging = false;
const held = new Set();

// Runs `redraw` now, or once the drag in progress ends.
export function whenNotDragging(redraw) {
  if (dragging) held.add(redraw);
  else redraw();
}

export function dragStarted() {
  dragging = true;
}

export function dragEnded() {
  dragging = false;
  const now = [...held];
  held.clear();
  for (const redraw of now) redraw();
}
