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

// The REST state body (`/api/state`) or an AG-UI state snapshot into the store.
export function applyState(state) {
  if (!state) return;
  const changes = {};
  if (Array.isArray(state.trips)) changes.trips = state.trips;
  if ("selected_trip_id" in state) changes.selectedTripId = state.selected_trip_id ?? null;
  if ("pending_approval" in state) changes.pendingApproval = state.pending_approval ?? null;
  if (Array.isArray(state.search_progress)) changes.searchProgress = state.search_progress;
  update(changes);
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
