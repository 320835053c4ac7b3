"""The phrasing set of the offline planner (data/planner_phrasings.yaml), loaded once for
the parser tests and the graph tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

DATA: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "data" / "planner_phrasings.yaml").read_text()
)
CASES: list[dict[str, Any]] = DATA["cases"]
TODAY: dt.date = DATA["today"]
SELECTED: str = DATA["selected"]
