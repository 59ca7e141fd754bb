"""Execution of plans (see `plain` for the minimal runner used by replay and tests)."""
