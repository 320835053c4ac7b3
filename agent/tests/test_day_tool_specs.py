"""What an LLM is offered for reshaping days (issue 11: "an LLM gets clear tool
descriptions for them"): the four day tools, each described, with the arguments the
approval flow reads."""

from __future__ import annotations

from travel_agent.tools import tool_specs

DAY_TOOL_ARGS = {
    "plan_days": ({"trip_id", "day_count"}, {"start_date"}),
    "optimise_day": ({"trip_id", "day"}, set()),
    "move_places": ({"trip_id", "place_ids", "day"}, {"position"}),
    "set_start_date": ({"trip_id", "start_date"}, set()),
}


def test_the_model_is_offered_every_day_tool_with_a_description() -> None:
    specs = {s["function"]["name"]: s["function"] for s in tool_specs()}
    for name, (required, optional) in DAY_TOOL_ARGS.items():
        spec = specs[name]
        assert "Needs approval" in spec["description"], name
        params = spec["parameters"]
        assert set(params["required"]) == required, name
        assert set(params["properties"]) == required | optional, name
        assert all(params["properties"][p].get("description") for p in required - {"trip_id"})
    # add_trips plans days too ("a 3-day trip … from 12 March").
    add = specs["add_trips"]["parameters"]["properties"]
    assert {"day_count", "start_date"} <= set(add)
