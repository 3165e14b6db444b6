"""Témoin: independent human-rights documentation.

``temoin.core`` is pure Python (no Django); the Django apps (``accounts``, ``audit``,
``keys``, ``cases`` …) persist and protect; ``api``, ``web`` and ``cli`` are thin interfaces.
"""

__version__ = "0.1.0"
