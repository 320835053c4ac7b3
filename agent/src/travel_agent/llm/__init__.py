"""LLM providers: any OpenAI-compatible endpoint, and what the graph needs around them
(person-facing error sentences, token usage)."""
