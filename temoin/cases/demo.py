"""The demo instance: a SYNTHETIC Mali scenario, one user per role, keys unsealed.

Everything it creates is synthetic and labelled so (titles start with [SYNTHÉTIQUE], records
carry ``synthetic=True``). Running it again keeps the data and issues fresh passwords.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.db import transaction

from temoin.accounts.models import Organisation, Role, User
from temoin.accounts.services import organisation_create, user_create
from temoin.audit.services import audit_record
from temoin.cases import services
from temoin.cases.bulk import ScenarioLoader
from temoin.cases.models import Event, Person, Recipient, ReviewStatus, Source, Term
from temoin.keys.models import Keyring
from temoin.keys.services import keys_init, keys_unseal

HOST = ("[SYNTHÉTIQUE] Réseau de documentation — démonstration", "DEMO")
PARTNERS = [("[SYNTHÉTIQUE] Commission nationale des droits de l'homme (démo)", "CNDH-DEMO",
             "national_institution"),
            ("[SYNTHÉTIQUE] Commission africaine (démo)", "CADHP-DEMO", "regional_body")]
USERS = [("admin", Role.ADMINISTRATOR, 0), ("analyste", Role.ANALYST, 0),
         ("reviseur", Role.REVIEWER, 0), ("observateur", Role.MONITOR, 0),
         ("lecteur", Role.VIEWER, 0), ("cndh", Role.PARTNER, 1), ("cadhp", Role.PARTNER, 2)]


@dataclass
class DemoResult:
    events: int = 0
    persons: int = 0
    sources: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _organisations() -> list[Organisation]:
    host = Organisation.objects.filter(is_host=True).first() or organisation_create(
        actor=None, name=HOST[0], short_name=HOST[1], kind="ngo", is_host=True)
    orgs = [host]
    for name, short, kind in PARTNERS:
        orgs.append(Organisation.objects.filter(short_name=short).first() or organisation_create(
            actor=None, name=name, short_name=short, kind=kind))
    return orgs


def _users(orgs: list[Organisation]) -> list[tuple[str, str, str]]:
    logins = []
    for username, role, org_index in USERS:
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first()
        if user is None:
            user_create(actor=None, username=username, password=password,
                        organisation=orgs[org_index], role=role)
        else:
            with transaction.atomic():
                user.set_password(password)
                user.save(update_fields=["password"])
                audit_record(actor=None, action="user.password_reset", target=user,
                             reason="make demo")
        logins.append((str(role.label), username, password))
    return logins


def _share_and_review(orgs: list[Organisation], admin: User, reviewer: User) -> None:
    """Give the demo a realistic spread: some events shared with partners, some verified."""
    partner = orgs[1]
    consenting = Source.objects.filter(synthetic=True, consent_partners__isnull=True)
    for source in consenting[:400]:
        if Recipient.PARTNERS in source.consent:
            source.consent_partners.add(partner)
    for event in Event.objects.filter(information__source__consent_partners=partner,
                                      confidentiality__lte=2).distinct()[:60]:
        services.event_share(actor=admin, event=event, organisation=partner,
                             reason="démonstration")
    for event in Event.objects.filter(review_status=ReviewStatus.SUBMITTED,
                                      confidentiality__lte=1)[:25]:
        services.event_transition(actor=reviewer, event=event, to=ReviewStatus.IN_REVIEW)
        services.event_transition(actor=reviewer, event=event, to=ReviewStatus.VERIFIED,
                                  comment="démonstration")
        services.event_publish(actor=reviewer, event=event, reason="démonstration")


def demo_load(*, events: int, seed: int, passphrase: str) -> DemoResult:
    from temoin.core.scenario.generator import generate

    if not Term.objects.exists():
        services.vocabularies_load(actor=None)
    orgs = _organisations()
    result = DemoResult(logins=_users(orgs))
    if not Keyring.objects.exists():
        keys_init(actor=None, passphrase=passphrase)
    admin = User.objects.get(username="admin")
    keys_unseal(actor=admin, passphrase=passphrase)
    services.persons_reindex_pending(actor=admin)
    if not Event.objects.filter(synthetic=True).exists():
        scenario = generate(seed, n_incidents=events)
        loader = ScenarioLoader(actor=admin, organisation=orgs[0],
                                organisations={o.organisation_id: o
                                               for o in scenario.organisations()})
        loader.load(scenario.bundles(), batch_incidents=200)
        _share_and_review(orgs, admin, User.objects.get(username="reviseur"))
    result.events = Event.objects.count()
    result.persons = Person.objects.count()
    result.sources = Source.objects.count()
    return result
