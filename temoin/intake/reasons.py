"""Quarantine reasons and intake errors in the reader's language (French or English).

The intake core writes each quarantined row with a stable ``reason_code``
(:data:`temoin.core.intake.errors.QUARANTINE_REASONS`) and an English ``message`` naming
the row and field; file- and submission-level errors carry the codes of its exception tree
(:func:`temoin.core.intake.errors.error_codes`). The code and the English message stay as
they are (the API returns both); this module gives, in the active Django language (the web
interface's choice, the API's ``Accept-Language``), a short label per code and a sentence per
row that names the row, the upstream record and the field, and quotes the cell as received —
never for a sealed row (testimony forms), whose content stays hidden.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

VALUE_LIMIT = 60
# codes whose sentence quotes the received cell (dates, numbers, coordinates, type labels)
QUOTES_VALUE = {"bad_coordinate", "bad_date", "bad_number", "unknown_act_type",
                "unknown_event_type"}


def quarantine_reasons() -> dict[str, str]:
    """What each quarantine reason code means, in the active language."""
    return {
        "bad_coordinate": _("coordonnée invalide (un nombre est attendu, latitude entre -90 et "
                            "90, longitude entre -180 et 180, les deux ensemble)"),
        "bad_date": _("date illisible ou inexistante"),
        "bad_number": _("nombre entier positif ou nul attendu"),
        "bad_range": _("intervalle incohérent : la fin (ou le maximum) précède le début (ou le "
                       "minimum)"),
        "bad_shape": _("la ligne n’a pas la forme attendue (cellules en trop, ou pas un objet "
                       "JSON)"),
        "duplicate_id": _("identifiant déjà utilisé par une ligne précédente du même fichier"),
        "id_too_long": _("identifiant amont trop long pour être gardé (jamais tronqué)"),
        "missing_id": _("identifiant amont manquant"),
        "missing_value": _("valeur obligatoire manquante"),
        "unknown_act_type": _("type d’acte que le profil de correspondance ne connaît pas"),
        "unknown_event_type": _("type d’évènement absent de la table de correspondance de la "
                                "source"),
    }


def error_reasons() -> dict[str, str]:
    """What each code of the intake core's exception tree means, in the active language."""
    return {
        "intake_error": _("erreur d’import"),
        "file_unreadable": _("fichier illisible (absent, dossier ou droits insuffisants)"),
        "file_format": _("le fichier n’est pas du type attendu"),
        "empty_file": _("fichier vide ou sans ligne d’en-tête"),
        "encoding": _("octets illisibles dans l’encodage du fichier"),
        "profile_invalid": _("profil de correspondance invalide"),
        "submission_invalid": _("soumission invalide"),
        "manifest_invalid": _("manifeste de soumission chiffrée invalide ou incomplet"),
        "decryption_failed": _("déchiffrement impossible avec la clé privée de l’organisation"),
        "attachment_missing": _("un fichier nommé par le manifeste manque"),
        "signature_mismatch": _("la signature ne correspond pas au contenu : soumission "
                                "modifiée, remplacée ou réordonnée"),
        "authorization_invalid": _("en-tête d’authentification Digest illisible"),
    }


def reason_label(code: str) -> str:
    """The label of a quarantine reason or intake error code; the code itself if unknown."""
    return quarantine_reasons().get(code) or error_reasons().get(code) or code


def _cell(raw: Mapping[str, Any] | None, field: str) -> str | None:
    """The received cell of ``field`` (ODK group paths end with ``/field``)."""
    if not raw or not field:
        return None
    value = raw.get(field)
    if value is None:
        folded = field.casefold()
        value = next((v for k, v in raw.items() if str(k).casefold() == folded
                      or str(k).casefold().endswith("/" + folded)), None)
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT] + "…"


def quarantine_message(*, reason_code: str, row_number: int, field: str | None,
                       upstream_id: str | None, message: str = "",
                       raw: Mapping[str, Any] | None = None) -> str:
    """One sentence for a quarantined row in the active language: row, record, field,
    reason, and the cell as received when ``raw`` is given (pass ``None`` for a sealed row).
    ``message`` is the core's English message (the earlier row of a duplicate is read from it).
    """
    where = _("Ligne %(row)s") % {"row": row_number}
    if upstream_id:
        where += " " + _("(identifiant « %(record)s »)") % {"record": upstream_id}
    if field:
        where += ", " + _("champ « %(field)s »") % {"field": field}
    reason = quarantine_reasons().get(reason_code) or error_reasons().get(reason_code)
    if reason is None:
        return f"{where} : {reason_code} ({message})" if message else f"{where} : {reason_code}"
    earlier = re.search(r"by row (\d+)", message) if reason_code == "duplicate_id" else None
    if earlier:
        reason = _("identifiant déjà utilisé par la ligne %(row)s du même fichier") % {
            "row": earlier.group(1)}
    value = _cell(raw, field or "") if reason_code in QUOTES_VALUE else None
    if value is not None:
        reason += " " + _("(reçu : « %(value)s »)") % {"value": value}
    return _("%(where)s : %(reason)s.") % {"where": where, "reason": reason}


def row_message(row: Any) -> str:
    """:func:`quarantine_message` of a stored ``QuarantinedRow`` (its cells quoted only when
    the row is not sealed)."""
    return quarantine_message(reason_code=row.reason_code, row_number=row.row_number,
                              field=row.field, upstream_id=row.upstream_id, message=row.message,
                              raw=None if row.raw_sealed is not None else row.raw)
