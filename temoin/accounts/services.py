"""Writes for organisations and users. Every write leaves an audit row in its transaction."""

from __future__ import annotations

from django.db import transaction

from temoin.accounts.models import Organisation, Role, User
from temoin.audit.services import audit_record
from temoin.errors import Problems


def organisation_create(
    *, actor: User | None, name: str, short_name: str, kind: str, is_host: bool = False
) -> Organisation:
    problems = Problems("organisation")
    if not name.strip():
        problems.add("name", "required", "Le nom est obligatoire.")
    if Organisation.objects.filter(short_name=short_name).exists():
        problems.add("short_name", "duplicate", f"Le sigle « {short_name} » existe déjà.")
    if is_host and Organisation.objects.filter(is_host=True).exists():
        problems.add("is_host", "duplicate", "Une seule organisation hôte est permise.")
    problems.raise_if_any()
    with transaction.atomic():
        org = Organisation.objects.create(
            name=name, short_name=short_name, kind=kind, is_host=is_host
        )
        audit_record(
            actor=actor, action="organisation.create", target=org,
            details={"short_name": short_name, "kind": kind},
        )
    return org


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    organisation: Organisation,
    role: str,
    email: str = "",
) -> User:
    problems = Problems(f"user {username!r}")
    if role not in Role.values:
        problems.add("role", "unknown", f"Rôle inconnu : {role}.")
    if User.objects.filter(username=username).exists():
        problems.add("username", "duplicate", "Ce nom d'utilisateur existe déjà.")
    if role == Role.PARTNER and organisation.is_host:
        problems.add("role", "partner_in_host", "Un partenaire appartient à une autre organisation.")
    if role != Role.PARTNER and not organisation.is_host:
        problems.add(
            "role", "staff_outside_host",
            "Seuls les partenaires appartiennent à une organisation extérieure.",
        )
    if len(password) < 10:
        problems.add("password", "too_short", "Au moins 10 caractères.")
    problems.raise_if_any()
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, email=email,
            organisation=organisation, role=role,
            is_staff=role == Role.ADMINISTRATOR, is_superuser=role == Role.ADMINISTRATOR,
        )
        audit_record(
            actor=actor, action="user.create", target=user,
            details={"role": role, "organisation": organisation.short_name},
        )
    return user


def user_set_role(*, actor: User, user: User, role: str) -> User:
    problems = Problems(f"user {user.pk}")
    if role not in Role.values:
        problems.add("role", "unknown", f"Rôle inconnu : {role}.")
    problems.raise_if_any()
    with transaction.atomic():
        old = user.role
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        audit_record(
            actor=actor, action="user.set_role", target=user, details={"from": old, "to": role}
        )
    return user


def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="user.deactivate", target=user, reason=reason)
    return user
