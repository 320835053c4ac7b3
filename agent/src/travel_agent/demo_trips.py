"""The two trips every new thread starts with (the original app's demo data)."""

from __future__ import annotations

from .models import Place, Trip


def demo_trips() -> list[Trip]:
    return [
        Trip(
            id="1",
            name="Business Trip to NYC",
            center_latitude=40.7484,
            center_longitude=-73.9857,
            zoom=13,
            places=[
                Place(
                    id="1",
                    name="Empire State Building",
                    address="20 W 34th St, New York, NY 10001",
                    latitude=40.748817,
                    longitude=-73.985428,
                    rating=4.8,
                    description="A famous building in New York City",
                ),
                Place(
                    id="2",
                    name="Central Park",
                    address="New York, NY 10024",
                    latitude=40.785091,
                    longitude=-73.968285,
                    rating=4.7,
                    description="A famous park in New York City",
                ),
                Place(
                    id="3",
                    name="Times Square",
                    address="Times Square, New York, NY 10036",
                    latitude=40.755499,
                    longitude=-73.985701,
                    rating=4.6,
                    description="A famous square in New York City",
                ),
            ],
        ),
        Trip(
            id="2",
            name="Vacation in Paris",
            center_latitude=48.8566,
            center_longitude=2.3522,
            zoom=13,
            places=[
                Place(
                    id="1",
                    name="Eiffel Tower",
                    address="Champ de Mars, 5 Av. Anatole France, 75007 Paris, France",
                    latitude=48.858844,
                    longitude=2.294351,
                    rating=4.7,
                    description="A famous wrought-iron tower in Paris",
                ),
                Place(
                    id="2",
                    name="Louvre Museum",
                    address="Rue de Rivoli, 75001 Paris, France",
                    latitude=48.860611,
                    longitude=2.337644,
                    rating=4.7,
                    description="The world's most visited art museum",
                ),
                Place(
                    id="3",
                    name="Montmartre",
                    address="75018 Paris, France",
                    latitude=48.886705,
                    longitude=2.343104,
                    rating=4.6,
                    description="A hilltop district known for its artists and the Sacré-Cœur",
                ),
            ],
        ),
    ]
