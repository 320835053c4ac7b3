"""A PostgreSQL database of the test's own on 127.0.0.1:5432, dropped afterwards."""

from __future__ import annotations

from testsupport.pg import ADMIN_URL, temp_database

__all__ = ["ADMIN_URL", "temp_database"]
