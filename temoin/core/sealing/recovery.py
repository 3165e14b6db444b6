"""k-of-n recovery shares of the keyring secrets (SLIP-39 via ``shamir-mnemonic``).

The 64-byte secret ``private_key || blind_index_key`` is split into ``shares``
mnemonics (about 59 words each), any ``threshold`` of which recover it; fewer
reveal nothing.  SLIP-39 checksums every share (RS1024) and encrypts the secret
with an optional share passphrase.  A wrong share passphrase silently yields a
different secret, so :func:`recover_keys` checks the result against the keyring's
public key.  Shares of one keyring version do not open a rotated keyring: re-split
after every rotation.
"""

from __future__ import annotations

from typing import Final

import shamir_mnemonic
from nacl.public import PrivateKey

from temoin.core.sealing.errors import InvalidInput, RecoveryFailed
from temoin.core.sealing.keyring import KeyringRecord, UnsealedKeys

__all__ = ["MAX_SHARES", "recover_keys", "split_keys"]

MAX_SHARES: Final[int] = 16  # SLIP-39 limit per group
# PBKDF2 cost of SLIP-39's share encryption (10000 * 2**e iterations); the shares are
# kept offline by custodians, so the default 1 is enough and keeps recovery quick.
_ITERATION_EXPONENT: Final[int] = 1


def _passphrase_bytes(passphrase: str) -> bytes:
    if not isinstance(passphrase, str) or not all(32 <= ord(c) <= 126 for c in passphrase):
        raise InvalidInput(None, "SLIP-39 share passphrases must be printable ASCII")
    return passphrase.encode("ascii")


def split_keys(
    keys: UnsealedKeys, *, threshold: int, shares: int, passphrase: str = ""
) -> list[str]:
    """Split the keyring secrets into ``shares`` mnemonics, ``threshold`` of which recover them."""
    if not (isinstance(threshold, int) and isinstance(shares, int)):
        raise InvalidInput("keys.bad_threshold", "threshold and shares are integers")
    if not 1 <= threshold <= shares <= MAX_SHARES:
        raise InvalidInput(
            "keys.bad_threshold",
            f"need 1 <= threshold <= shares <= {MAX_SHARES}, got {threshold}-of-{shares}",
        )
    if threshold == 1 and shares > 1:
        raise InvalidInput(
            "keys.bad_threshold",
            "SLIP-39 forbids 1-of-n sharing (every share would be the whole secret): "
            "use threshold >= 2, or 1-of-1",
        )
    secret = bytes(keys.private_key) + keys.blind_index_key
    groups = shamir_mnemonic.generate_mnemonics(
        1,
        [(threshold, shares)],
        secret,
        passphrase=_passphrase_bytes(passphrase),
        iteration_exponent=_ITERATION_EXPONENT,
    )
    return list(groups[0])


def recover_keys(
    record: KeyringRecord, mnemonics: list[str], *, passphrase: str = ""
) -> UnsealedKeys:
    """Rebuild the keys from ``threshold`` shares; they must match ``record.public_key``."""
    cleaned = [" ".join(m.split()).lower() for m in mnemonics if m.strip()]
    try:
        secret = shamir_mnemonic.combine_mnemonics(
            cleaned, passphrase=_passphrase_bytes(passphrase)
        )
    except shamir_mnemonic.MnemonicError as exc:
        # The library's message can quote share words: never pass it on.
        raise RecoveryFailed(
            None,
            f"recovery of keyring {record.key_id} failed with {len(cleaned)} share(s): "
            f"{_reason(str(exc))}",
        ) from None
    if len(secret) != 64:
        raise RecoveryFailed(
            None, f"the shares do not hold a Témoin keyring secret ({len(secret)} bytes)"
        )
    private_key = PrivateKey(secret[:32])
    if bytes(private_key.public_key) != record.public_key:
        raise RecoveryFailed(
            "keys.recovery_mismatch",
            f"the shares do not belong to keyring {record.key_id} "
            "(another keyring version, or a wrong share passphrase)",
        )
    return UnsealedKeys(
        key_id=record.key_id,
        private_key=private_key,
        blind_index_key=secret[32:],
        version=record.version,
    )


_REASONS: Final = (
    ("wrong number of mnemonics", "too few shares"),
    ("insufficient number", "too few shares"),
    ("empty", "no shares given"),
    ("checksum", "a share has a bad checksum (mistyped or missing word?)"),
    ("invalid mnemonic word", "a share contains a word that is not in the SLIP-39 list"),
    ("mnemonic length", "a share has the wrong number of words"),
    ("must begin with the same", "the shares come from different splits"),
    ("parameters don't match", "the shares come from different splits"),
    ("indices must be unique", "the same share was given twice"),
    ("digest", "the shares are inconsistent (digest check failed)"),
    ("padding", "a share is malformed (bad padding)"),
)


def _reason(library_message: str) -> str:
    lowered = library_message.lower()
    for needle, reason in _REASONS:
        if needle in lowered:
            return reason
    return "the shares are invalid or inconsistent"
