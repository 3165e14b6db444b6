"""Service problems in the viewer's language.

The pure core and the domain services report problems as ``(code, message)``; the messages of
``temoin.core.dates`` are in English and those of the services in French. For the codes below
the web layer shows its own translatable message instead (the code is stable; the core stays
pure). Any other code keeps the service's message.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

EXAMPLES = "2022-03-27, 27/03/2022, mars 2022, début mars 2022, vers le 27 mars 2022, " \
           "du 1er au 10 mars 2022"


def _date_messages() -> dict[str, str]:
    return {
        "date.unparseable": _("Date « %(text)s » non comprise ; écrivez par ex. %(examples)s."),
        "date.impossible": _("Date « %(text)s » impossible (jour ou mois inexistant ; les dates "
                             "numériques s’écrivent jour/mois/année)."),
        "date.ambiguous_year": _("Date « %(text)s » : écrivez l’année avec quatre chiffres."),
        "date.out_of_range": _("Date « %(text)s » : l’année doit être comprise entre 1800 "
                               "et 9998."),
        "date.future": _("La date « %(text)s » est dans le futur."),
        "date.reversed_range": _("Date « %(text)s » : la fin précède le début."),
        "date.invalid": _("Date « %(text)s » invalide."),
        "date.before_event": _("L’acte précède le début de l’évènement."),
    }


def problem_message(code: str, message: str, *, text: Any = None, field: str = "") -> str:
    """The message to show for one problem: translated when the code is known. A reversed
    range on the ``end`` field is the event's period (start and end), not one range text."""
    if code == "date.reversed_range" and (not text or field == "end"):
        return _("La date de fin précède la date de début.")
    template = _date_messages().get(code)
    if template is None:
        return message
    return template % {"text": "" if text is None else str(text), "examples": EXAMPLES}


def attach_problems(form: Any, exc: Any, renames: dict[str, str] | None = None) -> list[str]:
    """Put each problem of a ``ValidationFailed`` next to its form field (``renames`` maps a
    service field to the form's); return the messages of fields the form does not have."""
    loose = []
    for name, problems in exc.fields.items():
        field = (renames or {}).get(name, name)
        for code, message in problems:
            text = problem_message(code, message)
            if field in form.fields:
                form.add_error(field, text)
            else:
                loose.append(text)
    return loose
