// The share dialog: make a read-only link to the selected trip (with its expiry), copy
// it, see the trip's links and turn one off. A native <dialog>: it keeps the focus inside,
// Escape closes it and the focus returns to the button that opened it.

import { request } from "./api.js";
import { h, icon } from "./dom.js";

const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
const sharesPath = (trip) => `/api/trips/${encodeURIComponent(trip.id)}/shares`;

export function shareDialog(getTrip) {
  const button = h(
    "button",
    {
      type: "button",
      class: "icon-button trip-out-button",
      id: "trip-share",
      "aria-haspopup": "dialog",
      "aria-label": "Share this trip",
      title: "Share",
    },
    icon("share"),
  );
  const title = h("h2", { id: "share-dialog-title" });
  const create = h("button", { type: "button", class: "button button-primary", id: "share-create" }, "Create a link");
  const linkInput = h("input", { id: "share-link", type: "url", readonly: true, "aria-describedby": "share-expiry" });
  const copy = h("button", { type: "button", class: "button", id: "share-link-copy" }, "Copy link");
  const expiry = h("p", { class: "share-expiry", id: "share-expiry" });
  const fresh = h(
    "div",
    { class: "share-fresh", hidden: true },
    h("label", { class: "share-link-label", for: "share-link", text: "Link (read-only view of this trip)" }),
    h("div", { class: "share-link-row" }, linkInput, copy),
    expiry,
  );
  const status = h("p", { class: "share-status", id: "share-dialog-status", role: "status", "aria-live": "polite" });
  const list = h("ul", { class: "share-list", id: "share-list", "aria-labelledby": "share-list-title" });
  const close = h("button", { type: "button", class: "icon-button share-close", "aria-label": "Close" }, icon("close"));
  const dialog = h(
    "dialog",
    { class: "share-dialog", id: "share-dialog", "aria-labelledby": "share-dialog-title" },
    h("div", { class: "share-dialog-head" }, title, close),
    h(
      "p",
      { class: "share-about" },
      "Anyone with a link sees this trip read-only: its map and days, never your chat. A link opens until it expires or you turn it off.",
    ),
    create,
    fresh,
    status,
    h("h3", { id: "share-list-title", text: "Links to this trip" }),
    list,
  );
  let trip = null;

  function row(share) {
    const state = share.revoked ? "turned off" : share.expired ? "expired" : `opens until ${when(share.expires_at)}`;
    const item = h(
      "li",
      { class: "share-item", dataset: { shareId: share.share_id } },
      h("span", { class: "share-item-text", text: `Made ${when(share.created_at)}, ${state}` }),
    );
    if (!share.revoked && !share.expired) {
      item.append(h("button", { type: "button", class: "button button-small", onclick: () => confirmRevoke(item, share) }, "Turn off"));
    }
    return item;
  }

  function confirmRevoke(item, share) {
    const keep = h("button", { type: "button", class: "button button-small", onclick: () => refresh() }, "Keep");
    const off = h("button", { type: "button", class: "button button-small button-danger" }, "Turn off");
    off.addEventListener("click", async () => {
      off.disabled = true;
      try {
        await request("DELETE", `${sharesPath(trip)}/${encodeURIComponent(share.share_id)}`);
        status.textContent = "The link is turned off: it no longer opens the trip.";
        if (linkInput.dataset.shareId === share.share_id) fresh.hidden = true;
        await refresh();
        create.focus();
      } catch (err) {
        status.textContent = err.message;
        off.disabled = false;
      }
    });
    item.replaceChildren(h("span", { class: "share-item-text", text: "Turn this link off? Anyone who has it can no longer open the trip." }), off, keep);
    keep.focus();
  }

  async function refresh() {
    try {
      const { shares } = await request("GET", sharesPath(trip));
      list.replaceChildren(...shares.map(row));
      if (!shares.length) list.append(h("li", { class: "share-none", text: "No links yet." }));
    } catch (err) {
      list.replaceChildren(h("li", { class: "share-none", text: `The links cannot be listed: ${err.message}` }));
    }
  }

  create.addEventListener("click", async () => {
    create.disabled = true;
    status.textContent = "Making a link…";
    try {
      const share = await request("POST", sharesPath(trip));
      linkInput.value = new URL(share.path, window.location.origin).href;
      linkInput.dataset.shareId = share.share_id;
      expiry.textContent = `Opens until ${when(share.expires_at)}.`;
      fresh.hidden = false;
      status.textContent = "Link made. Copy it and send it to anyone you like.";
      linkInput.focus();
      linkInput.select();
      await refresh();
    } catch (err) {
      status.textContent = err.message;
    } finally {
      create.disabled = false;
    }
  });

  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(linkInput.value);
      status.textContent = "Link copied.";
    } catch {
      // No clipboard (permission or an insecure origin): the selected text can be copied by hand.
      linkInput.focus();
      linkInput.select();
      status.textContent = "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.";
    }
  });

  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => button.focus());

  button.addEventListener("click", () => {
    trip = getTrip();
    if (!trip) return;
    title.textContent = `Share ${trip.name}`;
    fresh.hidden = true;
    linkInput.value = "";
    status.textContent = "";
    list.replaceChildren();
    dialog.showModal();
    create.focus();
    refresh();
  });

  return { button, dialog, close: () => dialog.open && dialog.close() };
}
