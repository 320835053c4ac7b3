// The ui service's browser API. Changes carry the CSRF token from the page's meta tag.

let csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export function setCsrfToken(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const FALLBACK = "Something went wrong. Please try again.";
const OFFLINE = "The planner cannot be reached right now. Please try again in a moment.";

// Answers slower than this count as "unavailable" (a hung connection must not stall polls).
const TIMEOUT_MS = 8000;

export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new ApiError(OFFLINE, 0);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const detail = typeof data?.detail === "string" ? data.detail : FALLBACK;
    throw new ApiError(detail, response.status);
  }
  return data;
}

export const api = {
  state: () => request("GET", "/api/state"),
  history: () => request("GET", "/api/history"),
  ready: () => request("GET", "/readyz"),
  selectTrip: (tripId) => request("PUT", "/api/selected-trip", { trip_id: tripId }),
  createTrip: (trip) => request("POST", "/api/trips", trip),
  renameTrip: (tripId, name) => request("PATCH", `/api/trips/${encodeURIComponent(tripId)}`, { name }),
  deleteTrip: (tripId) => request("DELETE", `/api/trips/${encodeURIComponent(tripId)}`),
  searchPlaces: (q, near) => {
    const params = new URLSearchParams({ q });
    if (near) params.set("near", `${near.latitude.toFixed(5)},${near.longitude.toFixed(5)}`);
    return request("GET", `/api/places/search?${params}`);
  },
  addPlace: (tripId, place) =>
    request("POST", `/api/trips/${encodeURIComponent(tripId)}/places`, place),
  editPlace: (tripId, placeId, changes) =>
    request(
      "PATCH",
      `/api/trips/${encodeURIComponent(tripId)}/places/${encodeURIComponent(placeId)}`,
      changes,
    ),
  deletePlace: (tripId, placeId) =>
    request(
      "DELETE",
      `/api/trips/${encodeURIComponent(tripId)}/places/${encodeURIComponent(placeId)}`,
    ),
  movePlaces: (tripId, placeIds, day, position) =>
    request("POST", `/api/trips/${encodeURIComponent(tripId)}/place-moves`, { place_ids: placeIds, day, position }),
  setStartDate: (tripId, startDate) =>
    request("PUT", `/api/trips/${encodeURIComponent(tripId)}/start-date`, { start_date: startDate }),
  routes: (tripId) => request("GET", `/api/trips/${encodeURIComponent(tripId)}/routes`),
  newConversation: () => request("POST", "/api/new-conversation", {}),
  conversations: () => request("GET", "/api/conversations"),
  openConversation: (key) => request("POST", `/api/conversations/${encodeURIComponent(key)}/open`, {}),
  renameConversation: (key, title) =>
    request("PATCH", `/api/conversations/${encodeURIComponent(key)}`, { title }),
  deleteConversation: (key) => request("DELETE", `/api/conversations/${encodeURIComponent(key)}`),
};

// POSTs and reads the answer as Server-Sent Events, calling onEvent with each parsed
// AG-UI event. Resolves when the stream ends; aborting the signal cancels the run.
export async function streamEvents(path, body, onEvent, signal) {
  const response = await fetch(path, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "text/event-stream",
      "X-CSRF-Token": csrfToken,
    },
    body: JSON.stringify(body),
    credentials: "same-origin",
    signal,
  });
  if (!response.ok || !response.body) {
    let detail = FALLBACK;
    try {
      const data = await response.json();
      if (typeof data?.detail === "string") detail = data.detail;
    } catch {
      /* not JSON */
    }
    onEvent({ type: "RUN_ERROR", message: detail, code: `http_${response.status}` });
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
        .join("\n");
      if (!data) continue; // heartbeat comment
      try {
        onEvent(JSON.parse(data));
      } catch (error) {
        console.error("could not handle an event", error);
      }
    }
  }
}
