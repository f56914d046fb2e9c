"""Test-suite hooks: lines a test reports for the run's summary (the devices of the sharded
JAX run, tests/test_codegen_sharding.py), printed at the end of ``pytest -q``."""

from __future__ import annotations

import pytest

_SUMMARY: list[str] = []


@pytest.fixture
def report_summary():
    """``report_summary(line)`` adds a line to the run's final summary."""
    return _SUMMARY.append


def pytest_terminal_summary(terminalreporter):
    if _SUMMARY:
        terminalreporter.section("reported by the tests")
        for line in _SUMMARY:
            terminalreporter.write_line(line)
