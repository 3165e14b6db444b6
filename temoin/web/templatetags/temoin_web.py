"""Small display filters: human labels for date precisions and claim kinds."""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from temoin.cases.models import ClaimKind

register = template.Library()

PRECISIONS = {"day": _("jour"), "month": _("mois"), "year": _("année"), "range": _("période"),
              "approximate": _("approximative"), "unknown": _("inconnue")}


@register.filter
def precision_label(code: str) -> str:
    return str(PRECISIONS.get(code, code))


@register.filter
def claim_kind_label(code: str) -> str:
    return str(dict(ClaimKind.choices).get(code, code))


@register.filter
def number(value: object) -> str:
    """A count with the language's grouping (12 345 in French, 12,345 in English)."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


INTAKE_STATUSES = {"running": _("en cours"), "done": _("terminé"), "failed": _("échoué"),
                   "open": _("ouverte"), "imported": _("importée"),
                   "still_failing": _("échoue encore")}


@register.filter
def intake_status(code: str) -> str:
    """Labels of import batch and quarantined row statuses (their models carry none)."""
    return str(INTAKE_STATUSES.get(code, code))
