"""Chat models the planning graph can run on (an OpenAI-compatible LLM or the offline
planner), and what the graph needs around them: person-facing error sentences and token
usage."""
