// This browser's conversations (the agent keeps which are the traveller's): reopen,
// rename or delete one. The page knows them by opaque keys, never by thread ids.

import { api, setCsrfToken } from "./api.js";
import { renderHistory, resetTranscript } from "./chat.js";
import { $, h } from "./dom.js";
import { applyState, setConversationTag, store, update } from "./store.js";
import { toast } from "./toast.js";

const panel = $("conversations");
const list = $("conversation-list");
const openButton = $("conversations-open");

function title(item) {
  if (item.title) return item.title;
  return item.trip_names.length ? item.trip_names.join(", ") : "No trips yet";
}

function when(seconds) {
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// Shows another conversation: its cookie is already set; the page takes its token,
// trips and transcript. Answers asked for the old one meanwhile are dropped.
export function switchConversation(fresh) {
  update({ generation: store.generation + 1 });
  setCsrfToken(fresh.csrf_token);
  setConversationTag(fresh.csrf_token);
  applyState({ ...fresh.state, search_progress: [] });
  resetTranscript(); // unsent messages belong to the conversation left behind
  renderHistory(fresh.history ?? []);
}

function renameForm(item, row) {
  const input = h("input", { class: "conversation-input", maxlength: "120", value: item.title ?? "", "aria-label": "Conversation name", placeholder: title(item) });
  const form = h(
    "form",
    { class: "conversation-rename" },
    input,
    h("button", { type: "submit", class: "button button-small button-primary" }, "Save"),
    h("button", { type: "button", class: "button button-small", onclick: () => refresh() }, "Cancel"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.renameConversation(item.key, input.value.trim() || null);
      await refresh();
    } catch (err) {
      toast(err.message);
    }
  });
  row.replaceChildren(form);
  input.focus();
}

function confirmDelete(item, row) {
  const yes = h("button", { type: "button", class: "button button-small button-danger" }, "Delete");
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    try {
      await api.deleteConversation(item.key);
      toast(`Deleted “${title(item)}”.`);
    } catch (err) {
      toast(err.message);
    }
    await refresh();
  });
  row.replaceChildren(
    h(
      "div",
      { class: "confirm-bar conversation-confirm" },
      h("span", {}, "Delete ", h("strong", { text: `“${title(item)}”` }), " and its trips?"),
      yes,
      h("button", { type: "button", class: "button button-small", onclick: () => refresh() }, "Keep"),
    ),
  );
  yes.focus();
}

async function reopen(item) {
  try {
    switchConversation(await api.openConversation(item.key));
    setOpen(false);
    toast(`Opened “${title(item)}”.`);
  } catch (err) {
    toast(err.message);
  }
}

function row(item) {
  const li = h("li", { class: `conversation${item.current ? " is-current" : ""}`, dataset: { key: item.key } });
  const actions = h(
    "div",
    { class: "conversation-actions" },
    item.current
      ? h("span", { class: "conversation-badge", text: "Open now" })
      : h("button", { type: "button", class: "button button-small button-primary", onclick: () => reopen(item) }, "Open"),
    h("button", { type: "button", class: "button button-small", onclick: () => renameForm(item, li) }, "Rename"),
    item.current
      ? null
      : h("button", { type: "button", class: "button button-small", onclick: () => confirmDelete(item, li) }, "Delete"),
  );
  li.append(
    h(
      "div",
      { class: "conversation-text" },
      h("strong", { class: "conversation-title", text: title(item) }),
      h("span", { class: "conversation-meta", text: item.title && item.trip_names.length ? `${item.trip_names.join(", ")} · ${when(item.updated_at)}` : when(item.updated_at) }),
    ),
    actions,
  );
  return li;
}

async function refresh() {
  try {
    const { items } = await api.conversations();
    list.replaceChildren(...items.map(row));
  } catch (err) {
    list.replaceChildren(h("li", { class: "conversation-empty", text: err.message }));
  }
}

function setOpen(open) {
  panel.hidden = !open;
  openButton.setAttribute("aria-expanded", String(open));
  if (open) refresh();
}

export function initConversations() {
  openButton.addEventListener("click", () => setOpen(panel.hidden));
  $("conversations-close").addEventListener("click", () => setOpen(false));
}
