// The page's view of the thread: trips, selection, pending approval, run and agent status.
// Components subscribe and re-render from it; only the agent changes the real state.

const listeners = new Set();

export const store = {
  trips: [],
  selectedTripId: null,
  pendingApproval: null,
  searchProgress: [],
  running: false,
  available: true,
  modes: { llm_provider: null, places_provider: null },
  // Bumped when the page switches to a new conversation: answers that were asked for the
  // old one are dropped instead of overwriting the new state.
  generation: 0,
};

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function update(changes) {
  Object.assign(store, changes);
  for (const listener of listeners) {
    try {
      listener(store, changes);
    } catch (error) {
      console.error(error);
    }
  }
}

// The last trips the agent sent, kept in this browser so an outage (even a reload during
// one) still shows them. One entry only, tagged with the conversation's CSRF token (a
// signature of its thread id), so another conversation never shows them.
const SAVED_KEY = "travel.last-trips";
let conversationTag = "";

export function setConversationTag(tag) {
  conversationTag = tag;
}

function saveTrips() {
  try {
    const saved = { tag: conversationTag, trips: store.trips, selected_trip_id: store.selectedTripId };
    localStorage.setItem(SAVED_KEY, JSON.stringify(saved));
  } catch {
    /* storage may be full or blocked: outages then show no trips */
  }
}

// The trips saved for this conversation, or null.
export function savedTrips() {
  try {
    const saved = JSON.parse(localStorage.getItem(SAVED_KEY) ?? "null");
    if (saved && saved.tag === conversationTag && Array.isArray(saved.trips)) return saved;
  } catch {
    /* nothing usable */
  }
  return null;
}

// The REST state body (`/api/state`) or an AG-UI state snapshot into the store.
export function applyState(state, { save = true } = {}) {
  if (!state) return;
  const changes = {};
  if (Array.isArray(state.trips)) changes.trips = state.trips;
  if ("selected_trip_id" in state) changes.selectedTripId = state.selected_trip_id ?? null;
  if ("pending_approval" in state) changes.pendingApproval = state.pending_approval ?? null;
  if (Array.isArray(state.search_progress)) changes.searchProgress = state.search_progress;
  update(changes);
  if (save && ("trips" in changes || "selectedTripId" in changes)) saveTrips();
}

// Fetches state and applies it unless the conversation changed meanwhile.
export async function refetchState(fetchState) {
  const generation = store.generation;
  const state = await fetchState();
  if (generation === store.generation) applyState(state);
}

export function selectedTrip() {
  return (
    store.trips.find((trip) => trip.id === store.selectedTripId) ?? store.trips[0] ?? null
  );
}
