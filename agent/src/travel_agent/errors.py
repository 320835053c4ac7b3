"""Sentences a person sees when something fails. Logs carry the detail, never these."""

from __future__ import annotations

LLM_UNAVAILABLE = "The AI service is not answering right now; your trips are safe, try again."
LLM_BAD_KEY = "The AI service rejected the API key; check OPENAI_API_KEY."
LLM_UNKNOWN_MODEL = (
    "The AI service does not know the model named in TRAVEL_MODEL; check the model name."
)
LLM_FAILED = "The AI service could not answer this request; your trips are safe, try again."
INTERNAL = "Something went wrong on our side; your trips are safe, try again."
STORAGE_UNAVAILABLE = (
    "Trip storage is temporarily unavailable; your trips are safe, try again in a moment."
)
SHUTTING_DOWN = "This planner instance is restarting; please send your message again."
BUSY = "Another request is still running on this conversation; wait for it to finish."
TOO_MANY_REPAIRS = (
    "I could not turn that into a valid change after several attempts; "
    "please rephrase what you would like to do."
)


class UserFacingError(Exception):
    """An error whose message is a sentence meant for the person, safe to show."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


#: Every sentence a RUN_ERROR may carry as-is, with its machine-readable code; anything
#: else is replaced by INTERNAL (the detail stays in the log).
RUN_ERROR_CODES = {
    LLM_UNAVAILABLE: "llm_unavailable",
    LLM_BAD_KEY: "llm_auth",
    LLM_UNKNOWN_MODEL: "llm_model",
    LLM_FAILED: "llm_failed",
    INTERNAL: "internal",
    STORAGE_UNAVAILABLE: "storage_unavailable",
    SHUTTING_DOWN: "shutting_down",
    BUSY: "busy",
}
SAFE_MESSAGES = frozenset(RUN_ERROR_CODES)
