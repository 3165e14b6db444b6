"""Errors of the court-package builder.

Exception tree::

    PackageError        package.error   (destination exists, no items, shredded item, duplicates)
"""

from __future__ import annotations

__all__ = ["PackageError"]


class PackageError(Exception):
    """A package cannot be built as asked; the message names the item or path."""

    code = "package.error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
