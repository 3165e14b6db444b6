"""A small SYNTHETIC case set for the page tests (names are invented and marked synthetic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temoin.cases import services
from temoin.cases.models import Actor

SYNTHETIC_NAMES = ("Awa-Synth", "Koné-Synth")  # invented; must never appear in a page


@dataclass
class Cases:
    world: Any
    located: Any      # internal, exact point in Mopti, 2 acts, source + claims, shared to CNDH
    cercle: Any       # internal, known only to the cercle (Bankass)
    restricted: Any   # restricted, with a named victim (sealed identity)
    person: Any
    source: Any


def build(world: Any) -> Cases:
    admin = world.admin
    located = services.event_create(actor=admin, data={
        "title": "[SYNTHÉTIQUE] Attaque de village", "start": "mars 2022", "admin1": "Mopti",
        "admin2": "Bankass", "place_name": "Ogossagou", "latitude": 14.2, "longitude": -3.6,
        "geo_precision": "exact", "confidentiality": 1, "coarsen_place_when_published": True,
        "synthetic": True})
    person = services.person_create(actor=admin, data={"sex": "female", "synthetic": True},
                                    identity={"given_name": SYNTHETIC_NAMES[0],
                                              "family_name": SYNTHETIC_NAMES[1]})
    killing = services.act_create(actor=admin, event=located, data={
        "act_type": "killing", "victim_group": "villageois", "victim_count_min": 10,
        "victim_count_max": 20})
    services.act_create(actor=admin, event=located, data={
        "act_type": "abduction", "victim_person_id": person.pk})
    services.involvement_add(actor=admin, act=killing, degree="direct_perpetrator",
                             perpetrator_actor=Actor.objects.get(code="fama"))
    source = services.source_create(actor=admin, data={
        "source_type": "media", "title": "Radio locale (synthétique)", "origin": "Radio S",
        "reliability": "B", "consent": ["internal", "named_partners", "public"],
        "consent_partner_ids": [world.partner_org.pk], "confidentiality": 1})
    services.information_add(actor=admin, source=source, event=located, credibility=2)
    services.claim_add(actor=admin, event=located, source=source, kind="killed", count_min=12,
                       count_max=15, qualifier="range")
    ngo = services.source_create(actor=admin, data={
        "source_type": "media", "title": "ONG (synthétique)", "origin": "ONG T",
        "reliability": "C", "consent": ["internal"], "confidentiality": 1})
    services.claim_add(actor=admin, event=located, source=ngo, kind="killed", count_min=30,
                       qualifier="at_least")
    cercle = services.event_create(actor=admin, data={
        "title": "[SYNTHÉTIQUE] Incident au cercle", "start": "2022-04-02", "admin1": "Mopti",
        "admin2": "Bankass", "geo_precision": "cercle", "confidentiality": 1, "synthetic": True})
    services.act_create(actor=admin, event=cercle, data={
        "act_type": "killing", "victim_group": "bergers", "victim_count_min": 2})
    restricted = services.event_create(actor=admin, data={
        "title": "[SYNTHÉTIQUE] Détention restreinte", "start": "2022-05", "admin1": "Gao",
        "confidentiality": 2, "synthetic": True})
    services.act_create(actor=admin, event=restricted, data={
        "act_type": "killing", "victim_person_id": person.pk})
    return Cases(world=world, located=located, cercle=cercle, restricted=restricted,
                 person=person, source=source)


def share_located(cases: Cases) -> None:
    """Share the located event with CNDH-T (only its consenting source may go there)."""
    from temoin.cases.models import Information

    # The NGO source does not consent to partners: detach it first (claims stay with it).
    Information.objects.filter(event=cases.located).exclude(source=cases.source).delete()
    services.event_share(actor=cases.world.admin, event=cases.located,
                         organisation=cases.world.partner_org)
