"""The offline planner's grammar: intents (`intents.py`), slots (`slots.py`, `numbers.py`,
`dates.py`), what to do about a request (`requests.py`) or a tool result (`results.py`),
and the sentences it says (`replies.py`). `llm/offline_planner.py` is the chat model."""
