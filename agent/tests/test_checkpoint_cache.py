"""The checkpoint serializer that keeps decoded values by their bytes: what a caller gets
is what the bytes say, whatever an earlier caller did with its copy, and it stays bounded.
The service-level behaviour (long conversations, replays, approvals) is covered through
HTTP by test_flows, test_replayed_history, test_storage_growth and test_js_client."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from travel_agent.checkpoint_cache import MIN_BYTES, CachingSerializer

BOUND = 4 * 1024 * 1024  # the default of CHECKPOINT_CACHE_BYTES


def _conversation(turns: int, tag: str = "") -> dict[str, object]:
    messages: list[object] = []
    for i in range(turns):
        messages.append(HumanMessage(content=f"List my trips {tag}{i}", id=f"u{tag}{i}"))
        messages.append(AIMessage(content=f"You have 2 trips. {tag}{i}", id=f"a{tag}{i}"))
    trips = [{"id": "t1", "name": "Rome", "places": [{"id": "p1", "name": "Colosseum"}]}]
    return {"messages": messages, "trips": trips, "selected_trip_id": None}


def test_a_repeated_read_is_what_the_bytes_say_even_after_a_caller_changed_its_copy() -> None:
    serde = CachingSerializer(max_bytes=BOUND)
    data = serde.dumps_typed(_conversation(100))
    assert len(data[1]) >= MIN_BYTES  # large enough to be kept

    first = serde.loads_typed(data)
    first["trips"][0]["places"].append({"id": "p2", "name": "changed in place"})
    first["messages"].append(HumanMessage(content="appended", id="x"))
    first["selected_trip_id"] = "t1"

    second = serde.loads_typed(data)
    assert second == JsonPlusSerializer().loads_typed(data)
    assert len(second["trips"][0]["places"]) == 1
    assert len(second["messages"]) == 200
    assert second["selected_trip_id"] is None
    assert second["messages"] is not first["messages"]


def test_small_blobs_and_other_bytes_are_decoded_as_usual() -> None:
    serde = CachingSerializer(max_bytes=BOUND)
    small = serde.dumps_typed({"trips": []})
    assert serde.loads_typed(small) == {"trips": []}
    a, b = serde.dumps_typed(_conversation(60, "a")), serde.dumps_typed(_conversation(60, "b"))
    assert serde.loads_typed(a)["messages"][0].content == "List my trips a0"
    assert serde.loads_typed(b)["messages"][0].content == "List my trips b0"
    assert serde.loads_typed(a)["messages"][0].content == "List my trips a0"


def test_what_is_kept_stays_within_its_bound() -> None:
    blob_size = len(CachingSerializer(max_bytes=BOUND).dumps_typed(_conversation(60, "0"))[1])
    serde = CachingSerializer(max_bytes=3 * blob_size + blob_size // 2)
    for n in range(10):
        data = serde.dumps_typed(_conversation(60, str(n)))
        assert serde.loads_typed(data)["messages"][-1].id == f"a{n}59"
    kept = serde._kept  # the bound is the point of this test
    assert 1 <= len(kept) <= 3
    assert sum(len(blob) for _, blob in kept) <= serde.max_bytes


def test_what_was_just_saved_reads_back_as_a_fresh_decode_would() -> None:
    serde = CachingSerializer(max_bytes=BOUND)
    saved = _conversation(100)
    data = serde.dumps_typed(saved)
    saved["trips"][0]["name"] = "changed after saving"  # type: ignore[index]
    read = serde.loads_typed(data)
    assert read == JsonPlusSerializer().loads_typed(data)
    assert read["trips"][0]["name"] == "Rome"
    # Not plain data (a tuple comes back as a list): decoded, never kept from the save.
    odd = {"messages": _conversation(100)["messages"], "pair": ("a", "b")}
    assert serde.loads_typed(serde.dumps_typed(odd)) == JsonPlusSerializer().loads_typed(
        serde.dumps_typed(odd)
    )
