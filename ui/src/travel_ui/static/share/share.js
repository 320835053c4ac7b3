// The shared trip's map: markers numbered within each day in the day's colour, the day's
// route line, and the "copy this trip to my trips" button. Read only: nothing else here
// talks to the server.
"use strict";

(function () {
  const COLOURS = ["#d9480f", "#1971c2", "#2f9e44", "#9c36b5", "#e67700", "#0c8599", "#c2255c", "#5c940d"];
  const boot = JSON.parse(document.getElementById("share-boot").textContent);

  function drawMap() {
    const element = document.getElementById("share-map");
    if (!element || !boot.trip || !window.L) return;
    const L = window.L;
    const trip = boot.trip;
    const map = L.map(element, { worldCopyJump: true }).setView(
      [trip.center_latitude, trip.center_longitude],
      trip.zoom || 13,
    );
    // The ui's built-in world map underneath (as on the planner page), street tiles over it.
    const base = boot.tiles.basemap;
    if (base) {
      L.tileLayer(base.url, { attribution: base.attribution, maxNativeZoom: base.max_zoom, maxZoom: 19 }).addTo(map);
    }
    if (boot.tiles.url) {
      const street = L.tileLayer(boot.tiles.url, { attribution: boot.tiles.attribution, maxZoom: 19 });
      const note = document.getElementById("share-map-note");
      street.on("tileerror", () => {
        note.textContent = `Street tiles from ${boot.tiles.host} cannot be loaded right now${base ? "; the built-in world map shows countries and regions" : ""}.`;
        note.hidden = false;
      });
      street.on("tileload", () => {
        note.hidden = true;
      });
      street.addTo(map);
    }
    const places = new Map(trip.places.map((p) => [p.id, p]));
    const bounds = [];
    const marker = (place, label, dayClass) => {
      const pin = document.createElement("span");
      pin.className = `share-marker ${dayClass}`;
      pin.textContent = label;
      const icon = L.divIcon({ html: pin, className: "", iconSize: [26, 26], iconAnchor: [13, 13] });
      const m = L.marker([place.latitude, place.longitude], { icon, title: place.name }).addTo(map);
      const card = document.createElement("div");
      const name = document.createElement("strong");
      name.textContent = place.name;
      card.append(name);
      if (place.address) {
        const address = document.createElement("div");
        address.textContent = place.address;
        card.append(address);
      }
      m.bindPopup(card);
      bounds.push([place.latitude, place.longitude]);
    };
    trip.days.forEach((day, i) => {
      const route = boot.routes.days[i];
      if (route && route.geometry) {
        L.polyline(route.geometry.coordinates.map(([lon, lat]) => [lat, lon]), {
          color: COLOURS[i % COLOURS.length],
          weight: 4,
          opacity: 0.8,
          dashArray: route.estimate ? "6 6" : null,
        }).addTo(map);
      }
      day.place_ids.forEach((id, n) => {
        const place = places.get(id);
        if (place) marker(place, String(n + 1), `day-${i % COLOURS.length}`);
      });
    });
    const scheduled = new Set(trip.days.flatMap((d) => d.place_ids));
    trip.places.filter((p) => !scheduled.has(p.id)).forEach((p) => marker(p, "·", "day-none"));
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [30, 30] });
  }

  function copyButton() {
    const button = document.getElementById("share-copy");
    const status = document.getElementById("share-status");
    if (!button) return;
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = "Copying…";
      try {
        const response = await fetch(`/api/shared/${encodeURIComponent(boot.token)}/copy`, {
          method: "POST",
          headers: { "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
        });
        if (response.ok) {
          status.textContent = "Copied. Opening your trips…";
          window.location.assign("/");
          return;
        }
        const body = await response.json().catch(() => ({}));
        status.textContent = body.detail || "The trip could not be copied. Please try again.";
      } catch {
        status.textContent = "The planner could not be reached. Please try again.";
      }
      button.disabled = false;
    });
  }

  drawMap();
  copyButton();
})();
