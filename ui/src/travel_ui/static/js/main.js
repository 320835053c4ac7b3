// Starts the page from the state the server rendered into it.

import { api } from "./api.js";
import { initChat, renderHistory, resetTranscript, setDecidedHandler, setUnavailableHandler } from "./chat.js";
import { initConversations, switchConversation } from "./conversations.js";
import { $ } from "./dom.js";
import { createMap, invalidate, leafletReady } from "./map.js";
import { initStatus, setAvailable, setRecoveryHandler } from "./status.js";
import { applyState, savedTrips, setConversationTag, store, subscribe, update } from "./store.js";
import { toast } from "./toast.js";
import { initTrips } from "./trips.js";

const boot = JSON.parse($("boot").textContent);
const app = $("app");

setConversationTag(document.querySelector('meta[name="csrf-token"]')?.content ?? "");
initStatus(boot.agent);
// During an outage the page shows the trips this browser last saw, read-only.
if (boot.state) applyState(boot.state);
else if (!boot.agent.available) applyState(savedTrips(), { save: false });
initTrips();
initChat();
// The export menu and the share dialog are not needed for the first view: they come after
// DOMContentLoaded.
document.addEventListener("DOMContentLoaded", () => import("./trip_out.js").then(({ initTripOut }) => initTripOut()), { once: true });
initConversations();
renderHistory(boot.history ?? []);

setUnavailableHandler(() => setAvailable(false));
setRecoveryHandler(async () => {
  const [state, history] = await Promise.all([api.state(), api.history()]);
  applyState(state);
  renderHistory(history.items ?? []);
});

// Phones: the chat is a bottom sheet opened from a button.
function setChatOpen(open) {
  app.classList.toggle("chat-open", open);
  $("chat-open").setAttribute("aria-expanded", String(open));
  $("sheet-backdrop").hidden = !open;
  if (open) $("composer-input").focus({ preventScroll: true });
}
$("chat-open").addEventListener("click", () => setChatOpen(true));
// On a phone the sheet gets out of the way once a change is decided: the map shows it.
setDecidedHandler(() => {
  if (window.matchMedia("(max-width: 760px)").matches) setChatOpen(false);
});
$("chat-close").addEventListener("click", () => setChatOpen(false));
$("sheet-backdrop").addEventListener("click", () => setChatOpen(false));

// New conversation, after a confirmation in the panel (no browser dialogs).
const confirmBar = $("new-confirm");
$("new-conversation").addEventListener("click", () => {
  if (store.running) return;
  confirmBar.hidden = !confirmBar.hidden;
});
$("new-confirm-no").addEventListener("click", () => {
  confirmBar.hidden = true;
});
$("new-confirm-yes").addEventListener("click", async () => {
  confirmBar.hidden = true;
  update({ generation: store.generation + 1 });
  try {
    const fresh = await api.newConversation();
    // State asked for while the cookie was switching may still be the old thread's.
    switchConversation(fresh);
    resetTranscript();
    toast("New conversation started.");
  } catch (err) {
    toast(err.message);
  }
});

subscribe((_, changes) => {
  if ("available" in changes || "running" in changes) {
    $("new-conversation").disabled = !store.available || store.running;
    $("conversations-open").disabled = !store.available || store.running;
  }
});

$("new-conversation").disabled = !store.available;

leafletReady()
  .then(() => createMap($("map"), boot.tiles))
  .catch((error) => toast(`The map could not be shown: ${error.message}.`));

window.addEventListener("resize", invalidate);
document.documentElement.classList.add("is-ready");
