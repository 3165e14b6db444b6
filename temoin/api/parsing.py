"""Parsing request values: a bad value is a named validation error, never a 500."""

from __future__ import annotations

import json
from typing import Any

from temoin.errors import Problems


def int_value(value: Any, name: str, default: int | None = None, *, record: str = "request"
              ) -> int:
    """``value`` as an int; ``default`` when absent (required when ``default`` is None)."""
    if value in (None, "") and default is not None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        problems = Problems(record)
        problems.add(name, "integer", f"{name} : entier attendu.")
        problems.raise_if_any()
        raise AssertionError from None


def json_object(value: Any, name: str, *, record: str = "request") -> dict[str, Any]:
    """A JSON object given inline or as a JSON string (multipart forms)."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict):
        problems = Problems(record)
        problems.add(name, "json_object", f"{name} : objet JSON attendu.")
        problems.raise_if_any()
    return dict(value)
