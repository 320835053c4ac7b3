"""Place search providers: offline gazetteer, Google Places (New), OpenStreetMap."""
