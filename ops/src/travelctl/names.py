"""Names the original layout used, which this project keeps so its users can move over."""

DEFAULT_NAMESPACE = "app-travelexample"
# The agent first: the ui's readiness depends on reaching it.
DEPLOYMENTS = ("travel-backend", "travel-frontend")
