"""Pure trip logic: turn a tool call into a proposal, and apply an approved proposal.

Nothing here touches the graph or storage; the trips node and the REST API both call it,
so a change made by hand and a change made by the agent obey the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from .models import Place, Trip
from .tools import TOOL_ARGS, AddTripsArgs, DeleteTripsArgs, UpdateTripsArgs


class ToolArgError(ValueError):
    """The model's arguments do not describe a valid change; the message goes back to it."""


@dataclass(frozen=True)
class Limits:
    max_trips: int = 50
    max_places_per_trip: int = 100


@dataclass(frozen=True)
class Change:
    before: Trip | None
    after: Trip | None


@dataclass(frozen=True)
class Proposal:
    action: str
    changes: list[Change] = field(default_factory=list)

    def choices(self) -> list[tuple[str, Place]]:
        """Places the person may pick one by one: new or changed places of `after` trips."""
        out: list[tuple[str, Place]] = []
        for change in self.changes:
            if change.after is None:
                continue
            old = {p.id: p for p in change.before.places} if change.before else {}
            out.extend((change.after.id, p) for p in change.after.places if old.get(p.id) != p)
        return out

    def unknown_place_ids(self, place_ids: list[str]) -> list[str]:
        """The ids (bare `place` or `trip/place`) that match no choice of this proposal."""
        keys = {f"{t}/{p.id}" for t, p in self.choices()} | {p.id for _, p in self.choices()}
        return [pid for pid in place_ids if pid not in keys]

    def message(self) -> str:
        n = len(self.changes)
        trips = "trip" if n == 1 else "trips"
        if self.action == "add_trips":
            places = sum(len(c.after.places) for c in self.changes if c.after)
            return f"Add {n} {trips} with {places} places?"
        if self.action == "update_trips":
            return f"Update {n} {trips}?"
        return f"Delete {n} {trips}?"

    def payload(self) -> dict[str, Any]:
        """The JSON an approval card is drawn from (see docs/agent-api.md)."""
        return {
            "reason": "trips_approval",
            "action": self.action,
            "message": self.message(),
            "changes": [
                {
                    "before": c.before.model_dump() if c.before else None,
                    "after": c.after.model_dump() if c.after else None,
                }
                for c in self.changes
            ],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Proposal:
        return cls(
            action=payload["action"],
            changes=[
                Change(
                    before=Trip.model_validate(c["before"]) if c.get("before") else None,
                    after=Trip.model_validate(c["after"]) if c.get("after") else None,
                )
                for c in payload["changes"]
            ],
        )


def parse_args(tool: str, args: Any) -> BaseModel:
    """Validate a tool call's arguments, or raise ToolArgError with what is wrong."""
    model = TOOL_ARGS.get(tool)
    if model is None:
        raise ToolArgError(f"Unknown tool {tool!r}. Use one of: {', '.join(TOOL_ARGS)}.")
    if not isinstance(args, dict):
        raise ToolArgError(
            f"The arguments of {tool} were not valid JSON (a JSON object was expected); "
            "send the call again with valid JSON arguments."
        )
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
            for e in exc.errors()[:8]
        )
        raise ToolArgError(f"Invalid arguments for {tool}: {problems}.") from exc


def _check_places(trip: Trip, limits: Limits) -> None:
    if len(trip.places) > limits.max_places_per_trip:
        raise ToolArgError(
            f"Trip {trip.id!r} has {len(trip.places)} places; "
            f"at most {limits.max_places_per_trip} are allowed."
        )


def _unique(ids: list[str], what: str) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ToolArgError(f"Duplicate {what} ids: {', '.join(dupes)}.")


def propose(args: BaseModel, trips: list[Trip], limits: Limits) -> Proposal:
    """Check a change against the current trips and describe it for approval."""
    current = {t.id: t for t in trips}
    if isinstance(args, AddTripsArgs):
        new_ids = [t.id for t in args.trips]
        _unique(new_ids, "trip")
        taken = [i for i in new_ids if i in current]
        if taken:
            raise ToolArgError(
                f"Trip ids already in use: {', '.join(taken)}. Choose new ids for new trips."
            )
        if len(trips) + len(args.trips) > limits.max_trips:
            raise ToolArgError(f"A conversation can hold at most {limits.max_trips} trips.")
        for t in args.trips:
            _check_places(t, limits)
        _unique([p.id for t in args.trips for p in t.places], "place")
        return Proposal("add_trips", [Change(None, t) for t in args.trips])
    if isinstance(args, UpdateTripsArgs):
        ids = [t.id for t in args.trips]
        _unique(ids, "trip")
        unknown = [i for i in ids if i not in current]
        if unknown:
            raise ToolArgError(f"Unknown trip ids: {', '.join(unknown)}.")
        for t in args.trips:
            _check_places(t, limits)
        return Proposal("update_trips", [Change(current[t.id], t) for t in args.trips])
    if isinstance(args, DeleteTripsArgs):
        _unique(args.trip_ids, "trip")
        unknown = [i for i in args.trip_ids if i not in current]
        if unknown:
            raise ToolArgError(f"Unknown trip ids: {', '.join(unknown)}.")
        return Proposal("delete_trips", [Change(current[i], None) for i in args.trip_ids])
    raise ToolArgError(f"{type(args).__name__} is not a change to trips.")


@dataclass(frozen=True)
class Applied:
    trips: list[Trip]
    selected_trip_id: str | None
    decision: str  # approved | partial
    approved_place_ids: list[str]
    summary: str


def _picked(trip_id: str, place: Place, wanted: set[str] | None) -> bool:
    return wanted is None or place.id in wanted or f"{trip_id}/{place.id}" in wanted


def apply(
    proposal: Proposal, trips: list[Trip], selected: str | None, place_ids: list[str] | None
) -> Applied:
    """Apply an approved proposal; `place_ids` None means every proposed place."""
    wanted = set(place_ids) if place_ids is not None else None
    choices = proposal.choices()
    approved = [f"{t}/{p.id}" for t, p in choices if _picked(t, p, wanted)]
    decision = "approved" if len(approved) == len(choices) else "partial"
    by_id = {t.id: t for t in trips}
    order = [t.id for t in trips]
    touched: list[str] = []

    for change in proposal.changes:
        if change.after is None:  # delete
            assert change.before is not None
            by_id.pop(change.before.id, None)
            continue
        old = {p.id: p for p in change.before.places} if change.before else {}
        places: list[Place] = []
        for p in change.after.places:
            if old.get(p.id) == p or _picked(change.after.id, p, wanted):
                places.append(p)
            elif p.id in old:  # a declined edit keeps the place as it was
                places.append(old[p.id])
        trip = change.after.model_copy(update={"places": places})
        if change.before is None:
            if not places and change.after.places:
                continue  # every place declined: nothing to add
            order.append(trip.id)
        by_id[trip.id] = trip
        touched.append(trip.id)

    new_trips = [by_id[i] for i in order if i in by_id]
    if touched:
        new_selected: str | None = touched[-1]
    elif selected in by_id:
        new_selected = selected
    else:
        new_selected = new_trips[0].id if new_trips else None
    summary = _summary(proposal, new_trips, approved, len(choices))
    return Applied(new_trips, new_selected, decision, approved, summary)


def _summary(proposal: Proposal, trips: list[Trip], approved: list[str], offered: int) -> str:
    names = {t.id: t.name for t in trips}
    if proposal.action == "delete_trips":
        gone = ", ".join(c.before.name for c in proposal.changes if c.before)
        return f"The user approved. Deleted trips: {gone}."
    done = [names[c.after.id] for c in proposal.changes if c.after and c.after.id in names]
    verb = "Added" if proposal.action == "add_trips" else "Updated"
    part = (
        f" The user approved {len(approved)} of {offered} proposed places; "
        "the others were left out on purpose, do not add them again."
        if len(approved) < offered
        else ""
    )
    return f"The user approved. {verb} trips: {', '.join(done) or 'none'}.{part}"


def trips_from_state(raw: list[dict[str, Any]] | None) -> list[Trip]:
    return [Trip.model_validate(t) for t in raw or []]


def trips_to_state(trips: list[Trip]) -> list[dict[str, Any]]:
    return [t.model_dump() for t in trips]
