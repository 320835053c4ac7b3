"""The one error type the CLI turns into a clear sentence and a non-zero exit."""


class OpsError(Exception):
    """A failure explained in one sentence for a person (never holding a secret value)."""
