"""Partial dates with a precision, as witnesses give them.

A witness rarely says "2022-03-27". They say "early March 2022", "vers le 27 mars",
"between the 1st and the 10th", or "I don't know". :class:`PartialDate` keeps such a
date as an interval ``[earliest, latest]`` (both inclusive) plus a
:class:`DatePrecision` and the text as typed, so that nothing is invented and
everything can still be compared (:meth:`PartialDate.overlaps`) and shown
(:meth:`PartialDate.display`, French or English).

:func:`parse_partial_date` reads French and English free text; :func:`validate_period`
checks an event's start/end pair.  Errors are :class:`DateError` with a stable ``code``
(see :mod:`temoin.core.dates.errors`).  Pure Python, no Django.
"""

from __future__ import annotations

from temoin.core.dates.errors import DateError
from temoin.core.dates.model import DatePrecision, PartialDate, validate_period
from temoin.core.dates.parsing import parse_partial_date

__all__ = [
    "DateError",
    "DatePrecision",
    "PartialDate",
    "parse_partial_date",
    "validate_period",
]
