"""Chat models the planning graph can run on: an OpenAI-compatible LLM or the offline planner."""
