"""Pure trip logic: turn a tool call into a proposal, and apply an approved proposal.

Nothing here touches the graph or storage; the trips node and the REST API both call it,
so a change made by hand and a change made by the agent obey the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from .itinerary import changes as day_changes
from .itinerary.merge import merge_days, moved_place_ids
from .models import Place, Trip
from .tools import (
    DAY_TOOLS,
    TOOL_ARGS,
    AddTripsArgs,
    DeleteTripsArgs,
    MovePlacesArgs,
    OptimiseDayArgs,
    PlanDaysArgs,
    SetStartDateArgs,
    UpdateTripsArgs,
)


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
    #: The question for the person, when the action's default wording would be too vague.
    question: str | None = None

    def choices(self) -> list[tuple[str, Place]]:
        """Places the person may pick one by one: new or changed places of `after` trips,
        and places the change moves to another day or position."""
        out: list[tuple[str, Place]] = []
        for change in self.changes:
            if change.after is None:
                continue
            old = {p.id: p for p in change.before.places} if change.before else {}
            moved = moved_place_ids(change.before.days if change.before else [], change.after.days)
            out.extend(
                (change.after.id, p)
                for p in change.after.places
                if old.get(p.id) != p or p.id in moved
            )
        return out

    def unknown_place_ids(self, place_ids: list[str]) -> list[str]:
        """The ids (bare `place` or `trip/place`) that match no choice of this proposal."""
        keys = {f"{t}/{p.id}" for t, p in self.choices()} | {p.id for _, p in self.choices()}
        return [pid for pid in place_ids if pid not in keys]

    def message(self) -> str:
        if self.question:
            return self.question
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
                    "before": c.before.model_dump(mode="json") if c.before else None,
                    "after": c.after.model_dump(mode="json") if c.after else None,
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
            question=payload.get("message"),
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


def _keep_days(given: Trip, current: Trip) -> Trip:
    """An update that leaves out `days`/`start_date` keeps the trip's own (minus places gone)."""
    update: dict[str, Any] = {}
    if "days" not in given.model_fields_set:
        ids = {p.id for p in given.places}
        update["days"] = [
            d.model_copy(update={"place_ids": [i for i in d.place_ids if i in ids]})
            for d in current.days
        ]
    if "start_date" not in given.model_fields_set:
        update["start_date"] = current.start_date
    return given.model_copy(update=update) if update else given


def _day_change(args: BaseModel, trip: Trip) -> tuple[Trip, str]:
    """The trip a day tool would make, and the question for the person."""
    try:
        if isinstance(args, PlanDaysArgs):
            after = day_changes.spread(trip, args.day_count, args.start_date)
            return after, f"Spread {trip.name!r} over {args.day_count} days?"
        if isinstance(args, OptimiseDayArgs):
            after = day_changes.optimise(trip, args.day)
            return after, f"Put day {args.day} of {trip.name!r} in walking order?"
        if isinstance(args, MovePlacesArgs):
            after = day_changes.move(trip, args.place_ids, args.day, args.position)
            n = len(args.place_ids)
            what = "1 place" if n == 1 else f"{n} places"
            where = f"to day {args.day}" if args.day else "out of the schedule"
            return after, f"Move {what} of {trip.name!r} {where}?"
        assert isinstance(args, SetStartDateArgs)
        after = day_changes.set_start(trip, args.start_date)
        when = f"on {args.start_date.isoformat()}" if args.start_date else "with no dates"
        return after, f"Start {trip.name!r} {when}?"
    except ValueError as exc:
        raise ToolArgError(str(exc)) from exc


def propose(args: BaseModel, trips: list[Trip], limits: Limits) -> Proposal:
    """Check a change against the current trips and describe it for approval."""
    current = {t.id: t for t in trips}
    if isinstance(args, PlanDaysArgs | OptimiseDayArgs | MovePlacesArgs | SetStartDateArgs):
        if args.trip_id not in current:
            raise ToolArgError(f"Unknown trip id {args.trip_id!r}.")
        before = current[args.trip_id]
        after, question = _day_change(args, before)
        action = next(name for name in DAY_TOOLS if TOOL_ARGS[name] is type(args))
        return Proposal(action, [Change(before, after)], question)  # after: validated
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
        new = list(args.trips)
        if args.start_date is not None and args.day_count is None:
            # Days the model arranged itself get their dates from start_date.
            new = [day_changes.set_start(t, args.start_date) for t in new]
        if args.day_count is not None:
            new = [
                day_changes.spread(
                    t.model_copy(update={"days": []}), args.day_count, args.start_date
                )
                for t in new
            ]
        return Proposal("add_trips", [Change(None, t) for t in new])
    if isinstance(args, UpdateTripsArgs):
        ids = [t.id for t in args.trips]
        _unique(ids, "trip")
        unknown = [i for i in ids if i not in current]
        if unknown:
            raise ToolArgError(f"Unknown trip ids: {', '.join(unknown)}.")
        for t in args.trips:
            _check_places(t, limits)
        updated = [_keep_days(t, current[t.id]) for t in args.trips]
        try:
            updated = [Trip.model_validate(t.model_dump()) for t in updated]
        except ValidationError as exc:
            raise ToolArgError(
                f"Invalid arguments for update_trips: {exc.errors()[0]['msg']}."
            ) from exc
        return Proposal("update_trips", [Change(current[t.id], t) for t in updated])
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
        picked = (
            None
            if wanted is None
            else {p.id for p in change.after.places if _picked(change.after.id, p, wanted)}
        )
        days = merge_days(
            change.before.days if change.before else [],
            change.after.days,
            picked,
            {p.id for p in places},
        )
        trip = Trip.model_validate(
            {
                **change.after.model_dump(),
                "places": [p.model_dump() for p in places],
                "days": [d.model_dump() for d in days],
            }
        )
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
    if proposal.action in DAY_TOOLS:
        days = next(
            (
                len(t.days)
                for t in trips
                if t.id in {c.after.id for c in proposal.changes if c.after}
            ),
            0,
        )
        verb = f"Changed the days ({days} in all) of"
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
    return [t.model_dump(mode="json") for t in trips]
