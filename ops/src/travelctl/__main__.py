"""`python -m travelctl` runs the CLI."""

from travelctl.cli import main

main()
