"""Errors of :mod:`temoin.core.dates`.

::

    DateError (ValueError)   one class, stable ``code``:
        date.unparseable           text not understood
        date.impossible            31/02/2022, month 13 …
        date.ambiguous_year        two-digit year (27/03/22)
        date.out_of_range          year before 1800 or after 9998
        date.future                a stated date lies after ``today``
        date.reversed_range        end before start
        date.invalid               a PartialDate whose fields break the invariants
        date.unsupported_language  display language other than fr/en

Messages quote the date text (never identity data) so that a form can show them.
"""

from __future__ import annotations

__all__ = ["DateError"]


class DateError(ValueError):
    """A date that cannot be read or is not acceptable. ``code`` is stable."""

    def __init__(self, code: str, message: str, *, text: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.text = text
