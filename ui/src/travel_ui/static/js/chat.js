// The chat panel: transcript, streaming turns, search progress, approvals, chips, stop.

import { api, streamEvents } from "./api.js";
import { approvalCard } from "./approvals.js";
import { $, clear, h, icon, sanitizedHtml } from "./dom.js";
import { applyState, refetchState, selectedTrip, store, subscribe, update } from "./store.js";

const MARKDOWN_EVENT = "travel_ui.markdown";
const SEARCH_TOOL = "search_for_places";
const ROME = "Plan a 3-day trip to Rome, I like museums and old churches";

const transcript = $("transcript");
const input = $("composer-input");
const sendButton = $("send-button");
const chips = $("chips");
const note = $("composer-note");

let controller = null; // aborts the running turn
let turn = null; // the assistant's part of the running turn
let onUnavailable = () => {};
let onDecided = () => {};

export function setDecidedHandler(handler) {
  onDecided = handler;
}
// Messages that never reached the planner (it was down): they and their error stay in the
// transcript, also when it is redrawn after the planner is back.
let unsent = [];

export function setUnavailableHandler(handler) {
  onUnavailable = handler;
}

// -- transcript --------------------------------------------------------------------------

// Whether the transcript follows new content: true until the person scrolls up to read.
// Known from scroll events, so rendering never has to measure the layout.
let pinned = true;
let scrollQueued = false;

function followScroll() {
  pinned = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
}

// Scrolls to the end once per frame, after all of that frame's changes (one layout).
function scrollDown(force = false) {
  if (force) pinned = true;
  if (!pinned || scrollQueued) return;
  scrollQueued = true;
  requestAnimationFrame(() => {
    scrollQueued = false;
    if (pinned) transcript.scrollTop = transcript.scrollHeight;
  });
}

function userMessage(text) {
  return h("div", { class: "msg msg-user" }, h("div", { class: "msg-body", text }));
}

function assistantMessage(html) {
  return h("div", { class: "msg msg-assistant" }, sanitizedHtml(h("div", { class: "msg-body markdown" }), html));
}

function progressBlock(queries, done) {
  const list = h("ul", { class: "progress" });
  setProgress(list, queries.map((query) => ({ query, done })));
  return list;
}

function setProgress(list, items) {
  list.replaceChildren(
    ...items.map((item) =>
      h(
        "li",
        { class: `progress-line${item.done ? " is-done" : ""}` },
        item.done ? icon("check", "progress-icon") : h("span", { class: "spinner", "aria-hidden": "true" }),
        h("span", { class: "progress-text" }, item.done ? "Searched " : "Searching ", h("q", { text: item.query })),
      ),
    ),
  );
}

function errorLine(message) {
  return h("div", { class: "msg-error", role: "alert" }, icon("alert"), h("span", { text: message }));
}

function approvalFor(item, pending) {
  const interruptId = item.interrupt_id ?? pending?.interrupt_id;
  return approvalCard(item, {
    decision: item.decision ?? "pending",
    approvedPlaceIds: item.approved_place_ids ?? [],
    onDecide: (approved, placeIds) => resume(interruptId, approved, placeIds),
  });
}

export function renderHistory(items) {
  const greeting = transcript.querySelector(".greeting");
  clear(transcript).append(greeting);
  for (const item of items) {
    if (item.type === "message" && item.role === "user") transcript.append(userMessage(item.content ?? ""));
    else if (item.type === "message") transcript.append(assistantMessage(item.html ?? ""));
    else if (item.type === "search" && Array.isArray(item.queries)) transcript.append(progressBlock(item.queries, true));
    else if (item.type === "approval") transcript.append(approvalFor(item, store.pendingApproval));
  }
  // Unsent messages stay, unless the planner got them after all.
  const lastUser = items.filter((i) => i.type === "message" && i.role === "user").at(-1);
  unsent = unsent.filter((u) => u.text !== lastUser?.content);
  for (const u of unsent) transcript.append(...u.nodes);
  // A pending approval the history did not carry (older agents) still gets its card.
  const pending = store.pendingApproval;
  if (pending && !items.some((i) => i.type === "approval" && i.decision === "pending")) {
    transcript.append(approvalFor({ ...pending, decision: "pending" }, pending));
  }
  scrollDown(true);
}

// -- a running turn ----------------------------------------------------------------------

function startTurn() {
  const el = h("div", { class: "turn" });
  const typing = h("div", { class: "typing", "aria-label": "The planner is working" }, h("span"), h("span"), h("span"));
  el.append(typing);
  transcript.append(el);
  turn = { el, typing, messages: new Map(), progress: null, failed: false, unavailable: false, searchCalls: new Map(), queries: null };
  scrollDown(true);
}

function placeInTurn(node) {
  turn.el.insertBefore(node, turn.typing);
  scrollDown();
}

function handleEvent(event) {
  if (!turn) return;
  switch (event.type) {
    case "STATE_SNAPSHOT": {
      const snapshot = event.snapshot ?? {};
      applyState(snapshot);
      // The state keeps the last search's lines; show them only for a search in this turn.
      const all = Array.isArray(snapshot.search_progress) ? snapshot.search_progress : [];
      const items = turn.queries ? all.filter((item) => turn.queries.has(item.query)) : [];
      if (items.length) {
        if (!turn.progress) {
          turn.progress = h("ul", { class: "progress" });
          placeInTurn(turn.progress);
        }
        setProgress(turn.progress, items);
      }
      break;
    }
    case "TOOL_CALL_START":
      if (event.toolCallName === SEARCH_TOOL) turn.searchCalls.set(event.toolCallId, "");
      break;
    case "TOOL_CALL_ARGS":
      if (turn.searchCalls.has(event.toolCallId)) {
        turn.searchCalls.set(event.toolCallId, turn.searchCalls.get(event.toolCallId) + (event.delta ?? ""));
      }
      break;
    case "TOOL_CALL_END":
      if (turn.searchCalls.has(event.toolCallId)) {
        // The queries of this turn's search: the lines to show as the search reports them.
        try {
          const queries = JSON.parse(turn.searchCalls.get(event.toolCallId)).queries ?? [];
          turn.queries = new Set(queries);
          turn.progress = null; // each search gets its own block of lines
        } catch {
          /* arguments the agent will refuse anyway */
        }
      }
      break;
    case "STATE_DELTA":
      refreshState();
      break;
    case "TEXT_MESSAGE_START":
    case "TEXT_MESSAGE_CHUNK":
    case "TEXT_MESSAGE_CONTENT": {
      let message = turn.messages.get(event.messageId);
      if (!message) {
        const body = h("div", { class: "msg-body is-streaming" });
        message = { body, text: "" };
        turn.messages.set(event.messageId, message);
        placeInTurn(h("div", { class: "msg msg-assistant" }, body));
      }
      if (typeof event.delta === "string") {
        message.text += event.delta;
        message.body.textContent = message.text; // plain text while it streams
        scrollDown();
      }
      break;
    }
    case "CUSTOM":
      if (event.name === MARKDOWN_EVENT) {
        const message = turn.messages.get(event.value?.messageId);
        if (message) {
          message.body.classList.remove("is-streaming");
          message.body.classList.add("markdown");
          sanitizedHtml(message.body, event.value.html ?? "");
          if (!message.text.trim()) message.body.closest(".msg")?.remove();
          scrollDown();
        }
      }
      break;
    case "RUN_FINISHED": {
      const interrupts = event.outcome?.type === "interrupt" ? event.outcome.interrupts ?? [] : [];
      for (const interrupt of interrupts) {
        const proposal = interrupt.metadata?.langgraph?.raw ?? interrupt.value;
        if (!proposal || !Array.isArray(proposal.changes)) continue;
        const pending = { ...proposal, interrupt_id: interrupt.id };
        update({ pendingApproval: pending });
        const card = approvalFor({ ...pending, decision: "pending" }, pending);
        placeInTurn(card);
        // Keyboard and screen-reader users land on the decision they have to make.
        card.tabIndex = -1;
        card.setAttribute("aria-label", card.querySelector(".approval-head strong")?.textContent ?? "Change proposed");
        requestAnimationFrame(() => card.focus({ preventScroll: true }));
      }
      break;
    }
    case "RUN_ERROR":
      turn.failed = true;
      placeInTurn(errorLine(event.message || "Something went wrong. Please try again."));
      if (event.code === "agent_unavailable") {
        turn.unavailable = true;
        onUnavailable();
      }
      break;
    default:
      break;
  }
}

let refreshTimer = null;
function refreshState() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    try {
      await refetchState(api.state);
    } catch {
      /* the next event or run will bring it */
    }
  }, 150);
}

async function runTurn(path, body) {
  controller = new AbortController();
  update({ running: true });
  startTurn();
  let stopped = false;
  let failed = false;
  let unavailable = false;
  const el = turn.el;
  try {
    await streamEvents(path, body, handleEvent, controller.signal);
  } catch (error) {
    if (error.name === "AbortError") {
      stopped = true;
      placeInTurn(h("div", { class: "msg-note", text: "Stopped." }));
    } else {
      turn.failed = true;
      turn.unavailable = true;
      placeInTurn(errorLine("The connection to the planner was lost. Please try again."));
      onUnavailable();
    }
  } finally {
    failed = stopped || turn.failed;
    unavailable = turn.unavailable;
    for (const message of turn.messages.values()) message.body.classList.remove("is-streaming");
    turn.typing.remove();
    turn = null;
    controller = null;
    update({ running: false });
    // The agent's word on trips and pending approvals is final; a stopped run may take a
    // moment to wind down there.
    setTimeout(refreshState, stopped ? 400 : 0);
  }
  return { failed, unavailable, el };
}

export async function send(text) {
  const message = text.trim();
  if (!message || store.running || !store.available || store.pendingApproval) return;
  const mine = userMessage(message);
  transcript.append(mine);
  scrollDown(true);
  const { failed, unavailable, el } = await runTurn("/api/chat", { message });
  if (!failed) unsent = [];
  if (unavailable) {
    unsent.push({ text: message, nodes: [mine, el] });
    // The text comes back to the composer, to send again once the planner is back.
    if (!input.value.trim()) {
      input.value = message;
      autosize();
    }
  }
}

async function resume(interruptId, approved, placeIds) {
  if (store.running) return false;
  update({ pendingApproval: null });
  const { failed } = await runTurn("/api/resume", {
    interrupt_id: interruptId,
    approved,
    place_ids: placeIds,
  });
  if (!failed) {
    onDecided();
    return true;
  }
  try {
    await refetchState(api.state);
  } catch {
    /* keep what we have */
  }
  // Still pending with the same id: the decision did not reach the agent.
  return store.pendingApproval?.interrupt_id !== interruptId;
}

export function stop() {
  controller?.abort();
}

export function resetTranscript() {
  unsent = [];
  renderHistory([]);
}

// -- composer and suggestions ------------------------------------------------------------

function suggestions() {
  const trip = selectedTrip();
  if (!trip) return [ROME, "What can you do?"];
  const other = store.trips.find((t) => t.id !== trip.id);
  return [`Add a museum to ${trip.name}`, other ? `Show ${other.name}` : "List my trips"];
}

function renderComposer() {
  const blocked = !store.available || Boolean(store.pendingApproval);
  input.disabled = blocked && !store.running;
  sendButton.classList.toggle("is-stop", store.running);
  sendButton.setAttribute("aria-label", store.running ? "Stop" : "Send");
  sendButton.title = store.running ? "Stop" : "Send";
  sendButton.disabled = !store.running && blocked;
  if (!store.available) {
    note.textContent = "The planner is unavailable right now; this page reconnects by itself.";
  } else if (store.pendingApproval && !store.running) {
    note.textContent = "Approve or cancel the proposed change above to continue.";
  } else {
    note.textContent = "";
  }
  note.hidden = !note.textContent;

  const showChips = store.available && !store.running && !store.pendingApproval;
  chips.hidden = !showChips;
  if (showChips) {
    chips.replaceChildren(
      ...suggestions().map((text) =>
        h("button", { type: "button", class: "chip", onclick: () => send(text) }, icon("spark"), h("span", { text })),
      ),
    );
  }
  scrollDown(); // chips and notes take room from the transcript
}

// Longer messages are refused with a sentence, never cut; a counter shows near the limit.
const MAX_MESSAGE = 10000;
const count = $("composer-count");

function renderCount() {
  const n = input.value.trim().length;
  const over = n > MAX_MESSAGE;
  count.hidden = n < MAX_MESSAGE * 0.9;
  count.classList.toggle("is-over", over);
  if (count.hidden) return true; // (numbers in words cost a few ms the first time)
  count.textContent = over
    ? `Too long to send: ${n.toLocaleString("en")} characters, the limit is ${MAX_MESSAGE.toLocaleString("en")}. Please shorten it.`
    : `${n.toLocaleString("en")} / ${MAX_MESSAGE.toLocaleString("en")} characters`;
  return !over;
}

function autosize() {
  input.style.height = "auto";
  // Empty, it is one line (rows=1): measuring would lay out the whole page for nothing.
  if (input.value) input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

export function initChat() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    if (store.running) {
      stop();
      return;
    }
    const text = input.value;
    if (!text.trim()) return;
    if (!renderCount()) {
      input.focus();
      return;
    }
    input.value = "";
    autosize();
    renderCount();
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    autosize();
    renderCount();
  });
  transcript.addEventListener("scroll", followScroll, { passive: true });
  subscribe((_, changes) => {
    if ("running" in changes || "available" in changes || "pendingApproval" in changes || "trips" in changes || "selectedTripId" in changes) {
      renderComposer();
    }
  });
  renderComposer();
}
