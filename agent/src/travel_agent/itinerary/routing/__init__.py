"""Times and route lines between a day's places: OSRM, Google Routes, or offline estimates."""
