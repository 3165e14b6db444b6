"""Writes and audited reads of persons. Identities are sealed before they touch the database.

Sealing needs only the organisation's *public* key, so a monitor can record a witness while
the server is sealed; reading an identity, searching by name and indexing need the keys
unsealed. Every identity read is audited (who, which person, why) — never what was read.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from temoin.accounts.models import User
from temoin.audit.services import audit_record
from temoin.cases import history, policy, validation
from temoin.cases.models import Person, Version
from temoin.cases.services.common import next_number, record_change
from temoin.core import sealing
from temoin.errors import IntegrityFailure, PermissionDenied, Problems
from temoin.keys import keystore
from temoin.keys.selectors import active_keyring
from temoin.keys.services import require_unsealed

IDENTITY_FIELDS = ("given_name", "family_name", "other_names", "contact", "address",
                   "identifying_notes")
PERSON_FIELDS = {"sex", "age_min", "age_max", "occupation", "locality", "death",
                 "confidentiality", "synthetic"}


def identity_context(code: str) -> str:
    """Binds a sealed blob to its person: a blob copied onto another row will not open."""
    return f"person:{code}"


def name_key(identity: Mapping[str, Any]) -> str:
    """Order-insensitive name for the blind index: "Traoré Boubacar" = "Boubacar TRAORE"."""
    tokens = sealing.normalise_for_index(
        f"{identity.get('given_name') or ''} {identity.get('family_name') or ''}").split()
    return " ".join(sorted(tokens))


def _validated_identity(problems: Problems, identity: Mapping[str, Any] | None) -> dict[str, Any]:
    if identity is None:
        return {}
    clean: dict[str, Any] = {}
    for name, value in identity.items():
        if name not in IDENTITY_FIELDS:
            problems.add(f"identity.{name}", "field.unknown", f"Champ d'identité inconnu : {name}.")
        elif value not in (None, ""):
            if not isinstance(value, str) or len(value) > 500:
                problems.add(f"identity.{name}", "identity.invalid",
                             "Texte de 500 caractères au plus.")
            else:
                clean[name] = value.strip()
    return clean


def _validated_person(record: str, data: Mapping[str, Any], current: Person | None
                      ) -> tuple[Problems, dict[str, Any]]:
    problems = Problems(record)
    validation.unknown_fields(problems, data, PERSON_FIELDS)
    values = {k: v for k, v in data.items() if k in PERSON_FIELDS - {"death"}}
    validation.choice(problems, "sex", data.get("sex"), validation.CHOICES["sex"])
    validation.count_range(problems, "age_min",
                           data.get("age_min", current.age_min if current else None),
                           "age_max", data.get("age_max", current.age_max if current else None))
    for name in ("age_min", "age_max"):
        if isinstance(data.get(name), int) and data[name] > 120:
            problems.add(name, "age.implausible", "Âge supérieur à 120 ans.")
    validation.confidentiality(problems, data.get("confidentiality"))
    if "death" in data:
        death = validation.partial_date(problems, "death", data["death"])
        if death is not None:
            values.update(death_earliest=death.earliest, death_latest=death.latest,
                          death_precision=str(death.precision))
    return problems, values


def _seal(person: Person, identity: dict[str, Any]) -> None:
    record = active_keyring()
    person.identity_blob = sealing.seal_identity(record.public_key, identity, key_id=record.key_id,
                                                 context=identity_context(person.code))
    person.key_id = record.key_id
    keys = keystore.unsealed_keys()
    if keys is not None and keys.key_id == record.key_id and name_key(identity):
        person.blind_name = sealing.blind_index(keys.blind_index_key, "name", name_key(identity))
        person.blind_pending = False
    else:
        person.blind_name = ""
        person.blind_pending = bool(name_key(identity))


def person_create(*, actor: User, data: Mapping[str, Any],
                  identity: Mapping[str, Any] | None = None, reason: str = "") -> Person:
    if not policy.can_create(actor):
        raise PermissionDenied("Vous ne pouvez pas créer de personne.")
    problems, values = _validated_person("person (new)", data, None)
    clean = _validated_identity(problems, identity)
    problems.raise_if_any()
    with transaction.atomic():
        person = Person(code=f"V-{next_number('person'):04d}", organisation=actor.organisation,
                        created_by=actor, **values)
        if clean:
            _seal(person, clean)
        person.save()
        record_change(actor=actor, target_type="person", instance=person, change="create",
                      reason=reason, details={"identity": bool(clean)})
    return person


def person_update(*, actor: User, person: Person, changes: Mapping[str, Any],
                  identity: Mapping[str, Any] | None = None, reason: str = "") -> Person:
    if not policy.can_read_identities(actor, person) and not (
            policy.can_create(actor) and person.created_by_id == actor.pk):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {person.code}.")
    problems, values = _validated_person(f"person {person.code}", changes, person)
    clean = _validated_identity(problems, identity)
    problems.raise_if_any()
    with transaction.atomic():
        before = history.snapshot(person)
        for name, value in values.items():
            setattr(person, name, value)
        if identity is not None:
            _seal(person, clean)
        person.save()
        record_change(actor=actor, target_type="person", instance=person, change="update",
                      reason=reason, before=before)
    return person


def person_identity(*, viewer: User, person: Person, reason: str = "") -> dict[str, Any]:
    """Decrypt one identity for an allowed viewer; audited in every case, refused ones too."""
    allowed = policy.can_read_identities(viewer, person)
    with transaction.atomic():
        audit_record(actor=viewer, action="person.identity_read" if allowed
                     else "person.identity_refused", target=person, reason=reason)
    if not allowed:
        raise PermissionDenied(f"Identité de {person.code} non accessible.")
    if not person.identity_blob:
        return {}
    keys = require_unsealed()
    try:
        return sealing.open_identity(keys, bytes(person.identity_blob),
                                     context=identity_context(person.code))
    except (sealing.Tampered, sealing.WrongKey) as exc:
        raise IntegrityFailure(f"Identité de {person.code} illisible : {exc.code}.",
                               code=exc.code) from exc


def persons_find_by_name(*, viewer: User, name: str, reason: str = "") -> list[Person]:
    """Equality search on names through the blind index; no decryption involved."""
    if not policy.is_host_staff(viewer) or viewer.role not in policy.IDENTITY_ROLES:
        raise PermissionDenied("Recherche par nom non autorisée.")
    keys = require_unsealed()
    given, _, family = name.partition(" ")
    key = name_key({"given_name": given, "family_name": family})
    digest = sealing.blind_index(keys.blind_index_key, "name", key)
    from temoin.cases.access import visible_persons

    found = list(visible_persons(viewer).filter(blind_name=digest))
    with transaction.atomic():
        audit_record(actor=viewer, action="person.name_search", reason=reason,
                     details={"results": [p.code for p in found]})
    return found


def persons_reindex_pending(*, actor: Any) -> int:
    """After unsealing: compute blind indexes of persons recorded while sealed."""
    keys = require_unsealed()
    count = 0
    with transaction.atomic():
        for person in Person.objects.select_for_update().filter(blind_pending=True):
            identity = sealing.open_identity(keys, bytes(person.identity_blob),
                                             context=identity_context(person.code))
            person.blind_name = sealing.blind_index(keys.blind_index_key, "name",
                                                    name_key(identity))
            person.blind_pending = False
            person.save(update_fields=["blind_name", "blind_pending"])
            count += 1
        if count:
            audit_record(actor=actor, action="person.reindex", details={"count": count})
    return count


def identities_rotate(*, actor: Any, passphrase: str) -> int:
    """New organisation key pair; every sealed identity re-wrapped to it, in one transaction."""
    from temoin.keys.services import keyring_rotate

    count = 0
    with transaction.atomic():
        old, new = keyring_rotate(actor=actor, passphrase=passphrase)
        public = new.public_key
        for person in Person.objects.select_for_update().exclude(identity_blob=None):
            person.identity_blob = sealing.rewrap_identity(
                bytes(person.identity_blob), old, public, new.key_id,
                context=identity_context(person.code))
            person.key_id = new.key_id
            person.save(update_fields=["identity_blob", "key_id"])
            count += 1
        for version in Version.objects.select_for_update().filter(target_type="person"):
            blob = version.data.get("identity_blob")
            if blob:
                version.data["identity_blob"] = base64.b64encode(sealing.rewrap_identity(
                    base64.b64decode(blob), old, public, new.key_id,
                    context=identity_context(version.data["code"]))).decode()
                version.data["key_id"] = new.key_id
                version.save(update_fields=["data"])
        audit_record(actor=actor, action="person.rewrap", details={"count": count,
                                                                   "key_id": new.key_id})
        # evidence data keys, sealed file names and the custody log key follow the rotation
        from temoin.evidence.services import evidence_rewrap_keys

        evidence_rewrap_keys(actor=actor, old=old, new_public_key=public, new_key_id=new.key_id)
        # and so do sealed quarantine rows, ODK private keys and sealed testimony submissions
        from temoin.intake.services import intake_rewrap_keys

        intake_rewrap_keys(actor=actor, old=old, new_public_key=public, new_key_id=new.key_id)
    keystore.keep(new)
    return count
