"""travelctl: the CoAgents Travel ops CLI (what the original project did with shell scripts)."""

__version__ = "0.1.0"
