"""Shared small scenarios (generated once per session; synthetic data only)."""

from __future__ import annotations

import pytest

from temoin.core.scenario import IncidentBundle, Scenario, generate


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return generate(20261127, n_incidents=400)


@pytest.fixture(scope="session")
def bundles(scenario: Scenario) -> list[IncidentBundle]:
    return list(scenario.bundles())
