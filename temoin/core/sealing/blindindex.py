"""Keyed blind indexes: equality search on sealed names without decrypting them.

``blind_index(key, "family_name", "Maïga")`` is an HMAC-SHA256 of the normalised
value, separated by field, under the organisation's 32-byte blind-index key (kept
sealed with the private key, and unchanged by key rotation).  Equal normalised
values give equal indexes; without the key an index reveals nothing about the
name — but equal indexes do reveal that two records share a value (frequency
leak; see docs/readme/sealing.md).

Normalisation (version 1): Bambara/Fula letters ɛ→e, ɔ→o, ŋ→n, ɲ→ny (and ɓ ɗ ƴ œ æ ø),
case-folding, accents removed, apostrophes removed (N'Diaye = Ndiaye), every run of
spaces, hyphens, dots or other punctuation collapsed to one space, ends trimmed.
Changing this normalisation changes every index: bump ``INDEX_VERSION`` and re-index.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Final

from temoin.core.sealing.errors import InvalidInput

__all__ = ["INDEX_VERSION", "blind_index", "normalise_for_index"]

INDEX_VERSION: Final[int] = 1
_LETTERS: Final = str.maketrans(
    {
        "ɛ": "e", "Ɛ": "e", "ɔ": "o", "Ɔ": "o", "ŋ": "n", "Ŋ": "n", "ɲ": "ny", "Ɲ": "ny",
        "ɓ": "b", "Ɓ": "b", "ɗ": "d", "Ɗ": "d", "ƴ": "y", "Ƴ": "y",
        "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "đ": "d", "ł": "l",
    }
)  # fmt: skip
_APOSTROPHES: Final = re.compile(r"['’‘ʼʻ`´]")
_SEPARATORS: Final = re.compile(r"[\W_]+")
_FIELD: Final = re.compile(r"[a-z][a-z0-9_.]{0,63}")


def normalise_for_index(value: str) -> str:
    """Comparable form of a name or other identifying value (see module docstring)."""
    if not isinstance(value, str):
        raise InvalidInput(None, "only text values can be blind-indexed")
    text = unicodedata.normalize("NFKD", value.translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.translate(_LETTERS)  # letters produced by casefolding capitals
    text = _APOSTROPHES.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


def blind_index(blind_index_key: bytes, field: str, value: str) -> str:
    """HMAC-SHA256 hex of the normalised ``value``, domain-separated by ``field``.

    ``field`` is a code name such as ``"family_name"`` (lower case, digits, ``_``, ``.``).
    An empty normalised value is refused: it would match every empty value.
    """
    if not isinstance(blind_index_key, bytes | bytearray) or len(blind_index_key) != 32:
        raise InvalidInput(None, "the blind-index key is 32 bytes")
    if not isinstance(field, str) or not _FIELD.fullmatch(field):
        raise InvalidInput(None, f"blind-index field {field!r} must match [a-z][a-z0-9_.]*")
    normalised = normalise_for_index(value)
    if not normalised:
        raise InvalidInput(
            "keys.empty_index_value", f"field {field!r}: nothing to index once normalised"
        )
    try:
        message = f"temoin.blind.v{INDEX_VERSION}\x00{field}\x00{normalised}".encode()
    except UnicodeEncodeError:
        raise InvalidInput(None, f"field {field!r}: invalid Unicode (lone surrogate)") from None
    return hmac.new(bytes(blind_index_key), message, hashlib.sha256).hexdigest()
