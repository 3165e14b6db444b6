"""Full-text search (accents folded, French and English, prefixes) and list filters, on both
database backends; dates filter by overlap of their uncertainty ranges."""

from __future__ import annotations

import pytest

from temoin.cases import selectors, services
from temoin.cases.models import Actor
from temoin.errors import ValidationFailed


@pytest.fixture
def events(world):
    a = services.event_create(actor=world.analyst, data={
        "title": "Attaque à Ségou (synthétique)", "description": "Greniers incendiés à Diafarabé.",
        "start": "mars 2022", "admin1": "Ségou", "admin2": "Macina"})
    b = services.event_create(actor=world.analyst, data={
        "title": "Exécutions près de Bankass (synthétique)", "description": "Witnesses describe "
        "summary executions by armed men.", "start": "2019-03-23", "admin1": "Mopti",
        "admin2": "Bankass"})
    c = services.event_create(actor=world.analyst, data={
        "title": "Enlèvement (synthétique)", "description": "Un élu enlevé.", "start": "2023",
        "admin1": "Tombouctou", "confidentiality": 2})
    act = services.act_create(actor=world.analyst, event=b, data={
        "act_type": "summary_execution", "victim_group": "villageois", "victim_count_min": 37})
    services.involvement_add(actor=world.analyst, act=act, degree="direct_perpetrator",
                             perpetrator_actor=Actor.objects.get(code="fama"))
    services.act_create(actor=world.analyst, event=a, data={
        "act_type": "burning_of_dwellings", "victim_group": "village", "victim_count_min": 0})
    return world, a, b, c


def ids(qs):
    return sorted(e.pk for e in qs)


@pytest.mark.parametrize(("query", "expected"), [
    ("segou", "a"), ("SÉGOU", "a"), ("greniers incendies", "a"), ("diafara", "a"),
    ("executions", "b"), ("exécution", "b"), ("witnesses", "b"), ("enleve", "c"),
    ("villageois", "b"), ("zzzz", None),
])
def test_full_text(events, query, expected):
    world, a, b, c = events
    wanted = {"a": [a.pk], "b": [b.pk], "c": [c.pk], None: []}[expected]
    assert ids(selectors.events_list(viewer=world.analyst, filters={"q": query})) == wanted


def test_full_text_respects_the_viewer(events):
    world, a, b, c = events
    assert ids(selectors.events_list(viewer=world.viewer, filters={"q": "enleve"})) == []


def test_source_text_is_searchable(events):
    world, a, b, c = events
    source = services.source_create(actor=world.analyst, data={
        "source_type": "media", "title": "Studio synthétique", "content": "Reportage sur Dioura"})
    services.information_add(actor=world.analyst, source=source, event=c)
    assert ids(selectors.events_list(viewer=world.analyst, filters={"q": "dioura"})) == [c.pk]


def test_filters(events):
    world, a, b, c = events
    f = lambda **kw: ids(selectors.events_list(viewer=world.analyst, filters=kw))  # noqa: E731
    assert f(region="Mopti") == [b.pk]
    assert f(cercle="macina") == [a.pk]
    assert f(act_type="summary_execution") == [b.pk]
    assert f(act_type="killing") == [b.pk]  # parent term includes its descendants
    assert f(perpetrator="fama") == [b.pk]
    assert f(perpetrator="mali_defence_security_forces") == [b.pk]  # force includes its units
    # "mars 2022" overlaps a window inside March; "2023" overlaps any 2023 window
    assert f(date_from="2022-03-15", date_to="2022-03-20") == [a.pk]
    assert f(date_from="2023-06-01") == [c.pk]
    assert f(date_to="2019-12-31") == [b.pk]
    assert f(confidentiality="2") == [c.pk]


def test_bad_filters_named(events):
    world, *_ = events
    with pytest.raises(ValidationFailed) as raised:
        list(selectors.events_list(viewer=world.analyst, filters={"date_from": "mars",
                                                                  "colour": "x"}))
    assert set(raised.value.fields) == {"date_from", "colour"}
