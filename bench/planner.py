"""Offline planner time per turn: the planner's own work, without the graph or the search.

    .venv/bin/python bench/planner.py [--rounds 5]

Runs every phrasing of agent/tests/data/planner_phrasings.yaml through
`OfflinePlanner.respond` the way the graph calls it (system prompt with the set's trips,
the person's message), and, for turns that searched, the second planner step with the real
offline search results as the tool message (the search itself is not timed: it is the
places provider's, see bench/places_search.py). Times are CPU time of the process (the
machine is shared); wall-clock time per step is printed as well. Prints mean, p50, p95,
p99 and max per step, and the first (cold) turn, which builds the fuzzy city-name table
once per process.
Target (issue 13): well under 5 ms of planner time per turn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from travel_agent.graph import _search_content
from travel_agent.llm.offline_planner import OfflinePlanner
from travel_agent.models import Place, Trip
from travel_agent.places.offline import OfflineGazetteer
from travel_agent.prompts import system_prompt
from travel_agent.tools import tool_specs

WALL: list[float] = []
DATA = Path(__file__).resolve().parents[1] / "agent" / "tests" / "data" / "planner_phrasings.yaml"


def trips_of(data: dict[str, Any]) -> list[Trip]:
    out = []
    for raw in data["trips"]:
        places = [
            Place(id=p[0], name=p[1], latitude=p[2], longitude=p[3], address="", rating=None,
                  description=p[4] if len(p) > 4 else "")
            for p in raw["places"]
        ]  # fmt: skip
        lat, lon = raw["center"]
        out.append(Trip(id=raw["id"], name=raw["name"], center_latitude=lat,
                        center_longitude=lon, zoom=13, places=places))  # fmt: skip
    return out


def timed(planner: OfflinePlanner, messages: list[BaseMessage]) -> tuple[float, Any]:
    # CPU time of this process: the planner's own work, not the time other processes on a
    # shared machine take from it (wall-clock figures are printed too, for comparison).
    start, wall = time.process_time(), time.perf_counter()
    reply = planner.respond(messages)
    WALL.append((time.perf_counter() - wall) * 1000)
    return (time.process_time() - start) * 1000, reply


def summary(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    q = statistics.quantiles(ms, n=100)
    return (
        f"{name:<22} n={len(ms):5d}  mean {statistics.fmean(ms):6.3f}  p50 {q[49]:6.3f}  "
        f"p95 {q[94]:6.3f}  p99 {q[98]:6.3f}  max {ms[-1]:6.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data = yaml.safe_load(DATA.read_text())
    trips = trips_of(data)
    finder = OfflineGazetteer()
    planner = OfflinePlanner(finder=finder).bind_tools(tool_specs())
    assert isinstance(planner, OfflinePlanner)
    system = SystemMessage(content=system_prompt(trips, data["selected"]))
    texts = [c["say"] for c in data["cases"]]

    cold, _ = timed(planner, [system, HumanMessage(content="plan a trip to kyotto")])
    request: list[float] = []
    after: list[float] = []
    whole: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            human = HumanMessage(content=text)
            ms, reply = timed(planner, [system, human])
            request.append(ms)
            total = ms
            if reply.tool == "search_for_places":
                call = AIMessage(
                    content="",
                    tool_calls=[{"name": reply.tool, "args": reply.args, "id": "c1"}],
                )
                results = [finder.search_sync(q) for q in reply.args["queries"]]
                tool = ToolMessage(
                    content=_search_content(results), tool_call_id="c1", name=reply.tool
                )
                ms, _ = timed(planner, [system, human, call, tool])
                after.append(ms)
                total += ms
            whole.append(total)
    print(f"python {sys.version.split()[0]}, load average {os.getloadavg()}")
    print(f"phrasings: {len(texts)} x {args.rounds} rounds; cold first turn {cold:.1f} ms")
    print(summary("request step", request))
    print(summary("after-search step", after))
    print(summary("planner time per turn", whole))
    print(summary("wall clock per step", WALL[1:]))


if __name__ == "__main__":
    main()
