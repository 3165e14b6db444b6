"""Organisations, users and their roles.

One user belongs to one organisation and holds one role in it. The organisation that runs
the server is ``is_host``; partner institutions (CNDH, ACHPR, ECOWAS …) are organisations
whose users hold the ``partner`` role and see only what was shared with them.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    ANALYST = "analyst", _("Analyste")
    REVIEWER = "reviewer", _("Réviseur")
    MONITOR = "monitor", _("Observateur de terrain")
    PARTNER = "partner", _("Partenaire")
    VIEWER = "viewer", _("Lecteur")


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("ONG")
    NATIONAL_INSTITUTION = "national_institution", _("Institution nationale des droits de l'homme")
    REGIONAL_BODY = "regional_body", _("Organe régional")
    UN_MECHANISM = "un_mechanism", _("Mécanisme des Nations unies")
    COURT = "court", _("Juridiction")
    MEDIA = "media", _("Média")
    OTHER = "other", _("Autre")


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    is_host = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.short_name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    @property
    def is_host_staff(self) -> bool:
        return bool(
            self.is_active and self.organisation_id is not None and self.organisation.is_host
        )
