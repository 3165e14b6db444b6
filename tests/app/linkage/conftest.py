"""Shared fixtures of the linkage app tests: the world, and a small SYNTHETIC scenario loaded
into the case database with its ground truth (which records are the same person)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pytest

from tests.app.conftest import django_db_setup, world  # noqa: F401  (shared fixtures)

SEED = 7
INCIDENTS = 40


@cache
def _scenario():  # type: ignore[no-untyped-def]
    from temoin.core.scenario.generator import generate

    return generate(SEED, n_incidents=INCIDENTS)


@dataclass
class Loaded:
    truth: dict[tuple[str, str], str]  # (origin, person id) → true person id
    names: list[str]                    # every name part loaded (to grep for leaks)
    person_of_record: dict[str, int]
    event_truth: dict[tuple[str, str], str]  # (origin, event id) → true incident id
    core_pairs: set[frozenset[tuple[str, str]]]  # the core run directly on the scenario


@pytest.fixture
def loaded(world):  # type: ignore[no-untyped-def]  # noqa: F811  (the fixture)
    """The scenario in the database (keys unsealed, so blind indexes are computed)."""
    from temoin.cases.bulk import ScenarioLoader

    scenario = _scenario()
    bundles = list(scenario.bundles())
    loader = ScenarioLoader(actor=world.admin, organisation=world.host, keep_maps=True,
                            organisations={o.organisation_id: o for o in scenario.organisations()})
    result = loader.load(bundles, batch_incidents=100)
    truth = {}
    names = set()
    for bundle in bundles:
        links = {link.person_record_id: link.true_person_id for link in bundle.person_links}
        for person in bundle.persons:
            pk = result.record_person[person.person_record_id]
            truth[(person.organisation_id, str(pk))] = links[person.person_record_id]
            for part in (person.given_name, person.family_name):
                if part and len(part) >= 4:
                    names.add(part)
    event_truth = {}
    for bundle in bundles:
        for link in bundle.report_links:
            report = next(r for r in bundle.reports if r.report_id == link.report_id)
            event_truth[(report.organisation_id, str(result.report_event[link.report_id]))] = (
                link.true_incident_id)
    return Loaded(truth=truth, names=sorted(names), person_of_record=result.record_person,
                  event_truth=event_truth, core_pairs=_core_pairs(result.record_person))


@cache
def _core_pairs_cached(items: tuple[tuple[str, int], ...]) -> frozenset:  # type: ignore[type-arg]
    """Pairs linked by the core run directly on the scenario adapter, in database ids."""
    from temoin.core.linkage import LinkageSettings, link_persons
    from temoin.core.linkage.evaluation import cluster_pairs_from_assignments
    from temoin.core.linkage.scenario_adapter import scenario_persons

    record_person = dict(items)
    run = link_persons(scenario_persons(_scenario()).records, settings=LinkageSettings())
    return frozenset(
        frozenset((org, str(record_person[rid])) for org, rid in pair)
        for pair in cluster_pairs_from_assignments(run.assignments))


def _core_pairs(record_person: dict[str, int]) -> set[frozenset[tuple[str, str]]]:
    return set(_core_pairs_cached(tuple(sorted(record_person.items()))))
