// Whether the planner answers, and in which mode. While it answers, a light heartbeat
// (/readyz every few seconds, only while the page is visible) notices an outage on an
// idle page; when it is down the page says so and polls with backoff; when it is back,
// the page reloads its state by itself.

import { api } from "./api.js";
import { $ } from "./dom.js";
import { store, update } from "./store.js";

const downBanner = $("banner-down");
const offlineBanner = $("banner-offline");
const DISMISS_KEY = "travel.offline-note-dismissed";

const HEARTBEAT_MS = 3000;
let polling = false;
let onRecovered = async () => {};

export function setRecoveryHandler(handler) {
  onRecovered = handler;
}

function offlineKey(modes) {
  return `${modes.llm_provider}/${modes.places_provider}`;
}

function renderOffline() {
  const { llm_provider: llm, places_provider: places } = store.modes;
  const offlineLlm = llm === "offline";
  const offlinePlaces = places === "offline";
  let dismissed = null;
  try {
    dismissed = localStorage.getItem(DISMISS_KEY);
  } catch {
    /* storage may be blocked */
  }
  if (!store.available || (!offlineLlm && !offlinePlaces) || dismissed === offlineKey(store.modes)) {
    offlineBanner.hidden = true;
    return;
  }
  const parts = [];
  if (offlineLlm) {
    parts.push(
      "No AI model is connected, so it understands simple requests: plan a trip to a city, " +
        "add or remove places, rename, delete, show or list trips.",
    );
  }
  if (offlinePlaces) parts.push("Places come from the built-in gazetteer.");
  $("offline-title").textContent = offlineLlm ? "Offline planner." : "Offline places.";
  $("offline-text").textContent = ` ${parts.join(" ")}`;
  offlineBanner.hidden = false;
}

export function setAvailable(available) {
  if (store.available === available) return;
  update({ available });
  downBanner.hidden = available;
  renderOffline();
  if (!available) poll();
}

export function setModes(modes) {
  const same =
    store.modes.llm_provider === (modes?.llm_provider ?? null) &&
    store.modes.places_provider === (modes?.places_provider ?? null);
  if (same) return;
  update({ modes: { llm_provider: modes?.llm_provider ?? null, places_provider: modes?.places_provider ?? null } });
  renderOffline();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll() {
  if (polling) return;
  polling = true;
  let delay = 1000;
  try {
    for (;;) {
      await sleep(delay);
      try {
        const ready = await api.ready();
        setModes(ready);
        await onRecovered();
        downBanner.hidden = true;
        update({ available: true });
        renderOffline();
        return;
      } catch {
        delay = Math.min(delay * 2, 4000); // /readyz is cheap: a returning planner is seen soon
      }
    }
  } finally {
    polling = false;
  }
}

async function heartbeat() {
  if (store.available && !polling && document.visibilityState === "visible") {
    try {
      setModes(await api.ready());
    } catch {
      if (store.available && !polling) setAvailable(false);
    }
  }
  setTimeout(heartbeat, HEARTBEAT_MS);
}

export function initStatus(agent) {
  store.available = agent.available;
  downBanner.hidden = agent.available;
  setModes(agent);
  $("offline-dismiss").addEventListener("click", () => {
    try {
      localStorage.setItem(DISMISS_KEY, offlineKey(store.modes));
    } catch {
      /* fine: it just comes back next time */
    }
    offlineBanner.hidden = true;
  });
  if (!agent.available) poll();
  setTimeout(heartbeat, HEARTBEAT_MS);
}
