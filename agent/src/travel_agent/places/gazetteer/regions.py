"""Regions people name that the GeoNames index does not: provinces and states outside the
US (for "Victoria, British Columbia") and travel regions ("Tuscany", "the Amalfi coast").

Hand-written here, because GeoNames' admin1 names are not in the shipped index and travel
regions are not administrative at all. Each province is given with a *witness* city whose
GeoNames admin1 code it shares (so no admin1 code is typed by hand); each travel region
lists its main cities in the gazetteer, best known first. `test_planner_phrasings.py`
checks that every city named here resolves.
"""

from __future__ import annotations

# Province or state name -> (country code, a city in it).
PROVINCES: dict[str, tuple[str, str]] = {
    "alberta": ("CA", "Calgary"),
    "british columbia": ("CA", "Vancouver"),
    "bc": ("CA", "Vancouver"),
    "manitoba": ("CA", "Winnipeg"),
    "nova scotia": ("CA", "Halifax"),
    "ontario": ("CA", "Toronto"),
    "quebec": ("CA", "Montréal"),
    "saskatchewan": ("CA", "Regina"),
    "new south wales": ("AU", "Sydney"),
    "nsw": ("AU", "Sydney"),
    "queensland": ("AU", "Brisbane"),
    "western australia": ("AU", "Perth"),
    "south australia": ("AU", "Adelaide"),
    "tasmania": ("AU", "Hobart"),
    "northern territory": ("AU", "Darwin"),
    "victoria": ("AU", "Melbourne"),
    "england": ("GB", "Manchester"),
    "scotland": ("GB", "Edinburgh"),
    "wales": ("GB", "Cardiff"),
    "northern ireland": ("GB", "Belfast"),
    "andalusia": ("ES", "Sevilla"),
    "andalucia": ("ES", "Sevilla"),
    "catalonia": ("ES", "Barcelona"),
    "catalunya": ("ES", "Barcelona"),
    "basque country": ("ES", "Bilbao"),
    "galicia": ("ES", "Vigo"),
    "canary islands": ("ES", "Las Palmas de Gran Canaria"),
    "the canaries": ("ES", "Las Palmas de Gran Canaria"),
    "balearic islands": ("ES", "Palma"),
    "tuscany": ("IT", "Florence"),
    "toscana": ("IT", "Florence"),
    "lombardy": ("IT", "Milan"),
    "piedmont": ("IT", "Turin"),
    "sicily": ("IT", "Palermo"),
    "sardinia": ("IT", "Cagliari"),
    "campania": ("IT", "Naples"),
    "puglia": ("IT", "Bari"),
    "apulia": ("IT", "Bari"),
    "bavaria": ("DE", "Munich"),
    "hokkaido": ("JP", "Sapporo"),
    "okinawa": ("JP", "Naha"),
}

# Travel regions that are not one province: name -> (country code, main cities).
TRAVEL_REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "amalfi coast": ("IT", ("Salerno", "Naples")),
    "the amalfi coast": ("IT", ("Salerno", "Naples")),
    "cinque terre": ("IT", ("Genoa", "La Spezia")),
    "lake como": ("IT", ("Como", "Milan")),
    "french riviera": ("FR", ("Nice", "Cannes", "Marseille")),
    "cote d azur": ("FR", ("Nice", "Cannes", "Marseille")),
    "provence": ("FR", ("Marseille", "Avignon", "Aix-en-Provence")),
    "normandy": ("FR", ("Rouen", "Caen")),
    "brittany": ("FR", ("Rennes", "Brest")),
    "algarve": ("PT", ("Faro", "Portimão")),
    "the algarve": ("PT", ("Faro", "Portimão")),
    "scottish highlands": ("GB", ("Inverness",)),
    "the highlands": ("GB", ("Inverness",)),
    "dalmatia": ("HR", ("Split", "Dubrovnik", "Zadar")),
    "dalmatian coast": ("HR", ("Split", "Dubrovnik", "Zadar")),
    "cappadocia": ("TR", ("Nevşehir", "Kayseri")),
    "patagonia": ("AR", ("San Carlos de Bariloche", "Ushuaia", "El Calafate")),
    "new england": ("US", ("Boston", "Providence", "Portland, Maine")),
    "the alps": ("AT", ("Innsbruck", "Salzburg")),
    "lapland": ("FI", ("Rovaniemi",)),
    "kansai": ("JP", ("Kyoto", "Osaka", "Kobe")),
    "flanders": ("BE", ("Brugge", "Gent", "Antwerpen")),
    "the cotswolds": ("GB", ("Oxford", "Cheltenham")),
    "cotswolds": ("GB", ("Oxford", "Cheltenham")),
    "the lake district": ("GB", ("Kendal", "Carlisle")),
}
