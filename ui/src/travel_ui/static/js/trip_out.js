// A trip out of the app: the export menu and the share button in the trip card's header,
// shown while a trip is selected and the planner answers (an outage is read-only).

import { $ } from "./dom.js";
import { exportMenu } from "./export_menu.js";
import { shareDialog } from "./share_dialog.js";
import { selectedTrip, store, subscribe } from "./store.js";

export function initTripOut() {
  const mount = $("trip-out");
  const menu = exportMenu(selectedTrip);
  const share = shareDialog(selectedTrip);
  mount.append(menu.button, menu.pop, share.button);
  document.body.append(share.dialog);

  let shownTripId = null;
  function render() {
    const trip = selectedTrip();
    mount.hidden = !trip || !store.available;
    // What was open belongs to the trip it was opened for.
    if ((trip?.id ?? null) !== shownTripId || mount.hidden) {
      menu.close({ focus: false });
      share.close();
    }
    shownTripId = trip?.id ?? null;
  }
  subscribe((_, changes) => {
    if (["trips", "selectedTripId", "available"].some((k) => k in changes)) render();
  });
  render();
}
