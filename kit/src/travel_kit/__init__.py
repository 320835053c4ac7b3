"""Plumbing the agent and the ui share: logs, request ids, tracing, start-up, id rules."""
