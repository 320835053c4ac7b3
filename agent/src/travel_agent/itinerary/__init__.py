"""A trip as an itinerary: days, route order, routes, exports and share links."""
