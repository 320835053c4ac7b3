"""CoAgents Travel agent service."""

__version__ = "0.1.0"
