"""Errors of the evidence domain, and the one translation of core vault errors into them.

    TemoinError
    ├── NotFound                 evidence.not_found (missing or not visible: same answer)
    ├── Conflict
    │   ├── EvidenceShredded     evidence.shredded
    │   ├── DerivativesExist     evidence.derivatives_exist (shred refused: working copies listed)
    │   └── VaultProblem         vault.<core code> (storage, key wrap, package)
    └── IntegrityFailure
        └── EvidenceCorrupt      evidence.integrity (hashes or authentication failed)
    (``keys.sealed`` — temoin.keys.errors.IdentitiesSealed — when originals need unsealed keys)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from temoin.core.custody import CustodyError
from temoin.core.package import PackageError
from temoin.core.vault import (
    DerivativesExistError,
    EmptyInputError,
    IntegrityError,
    ItemNotFoundError,
    ItemShreddedError,
    KeyWrapError,
    VaultError,
)
from temoin.errors import Conflict, IntegrityFailure, NotFound, ValidationFailed
from temoin.keys.errors import IdentitiesSealed, KeysNotInitialised


class EvidenceNotFound(NotFound):
    code = "evidence.not_found"


class EvidenceShredded(Conflict):
    code = "evidence.shredded"


class DerivativesExist(Conflict):
    """Shredding an original whose working copies would keep its content."""

    code = "evidence.derivatives_exist"

    def __init__(self, message: str, *, derivatives: Sequence[str]) -> None:
        super().__init__(message)
        self.derivatives = list(derivatives)

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "derivatives": self.derivatives}


def derivatives_refusal(sha256: str, derivatives: Sequence[str]) -> DerivativesExist:
    """The one message for a refused shred (items named by hash only)."""
    count = len(derivatives)
    return DerivativesExist(
        f"La pièce {sha256} a {count} copie{'s' if count > 1 else ''} de travail non détruite"
        f"{'s' if count > 1 else ''} ({', '.join(derivatives)}) qui en reprennent le contenu : "
        "détruisez-les d'abord, ou détruisez-les avec l'original (--with-derivatives, "
        "\"with_derivatives\": true).", derivatives=derivatives)


class VaultProblem(Conflict):
    code = "vault.error"


class EvidenceCorrupt(IntegrityFailure):
    code = "evidence.integrity"


def _sealed_cause(exc: BaseException) -> BaseException | None:
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, IdentitiesSealed | KeysNotInitialised):
            return cause
        cause = cause.__cause__
    return None


@contextmanager
def vault_errors(record: str = "evidence item") -> Iterator[None]:
    """Re-raise core vault, custody and package errors as Témoin errors (same messages:
    they name items by hash, never by file name)."""
    try:
        yield
    except EmptyInputError as exc:
        raise ValidationFailed(record=record, fields={"file": [("evidence.empty", exc.message)]}) from exc
    except ItemNotFoundError as exc:
        raise EvidenceNotFound(exc.message) from exc
    except ItemShreddedError as exc:
        raise EvidenceShredded(exc.message) from exc
    except DerivativesExistError as exc:
        raise derivatives_refusal(exc.item, exc.derivatives) from exc
    except KeyWrapError as exc:
        sealed = _sealed_cause(exc)
        if sealed is not None:
            raise sealed from exc
        raise VaultProblem(exc.message, code=exc.code) from exc
    except IntegrityError as exc:
        raise EvidenceCorrupt(exc.message) from exc
    except VaultError as exc:
        raise VaultProblem(exc.message, code=exc.code) from exc
    except PackageError as exc:
        raise VaultProblem(exc.message, code=exc.code) from exc
    except CustodyError as exc:
        raise VaultProblem(exc.message, code=getattr(exc, "code", "custody.error")) from exc
