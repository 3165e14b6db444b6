"""Errors raised by Témoin's controlled vocabularies.

Every error carries a stable ``code`` (for the API's single error shape) and a human message
that names the vocabulary and the offending code or file.

Exception tree::

    VocabularyError                      code = "vocabulary_error"
    ├── UnknownVocabularyError           code = "unknown_vocabulary"
    ├── UnknownTermError                 code = "unknown_term"         (also a KeyError)
    ├── UnknownAliasError                code = "unknown_alias"        (also a KeyError)
    ├── UnsupportedLanguageError         code = "unsupported_language"
    ├── VocabularyDataError              code = "vocabulary_data_error"
    │   └── HierarchyError               code = "vocabulary_hierarchy_error"
    └── ManifestMismatchError            code = "vocabulary_manifest_mismatch"
"""

from __future__ import annotations

__all__ = [
    "HierarchyError",
    "ManifestMismatchError",
    "UnknownAliasError",
    "UnknownTermError",
    "UnknownVocabularyError",
    "UnsupportedLanguageError",
    "VocabularyDataError",
    "VocabularyError",
]


class VocabularyError(Exception):
    """Base class of every vocabulary error."""

    code = "vocabulary_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnknownVocabularyError(VocabularyError):
    """No vocabulary file of that name exists."""

    code = "unknown_vocabulary"

    def __init__(self, name: str, *, available: tuple[str, ...]) -> None:
        super().__init__(
            f"unknown vocabulary {name!r}; available: {', '.join(available) or '(none)'}"
        )
        self.name = name
        self.available = available


class UnknownTermError(VocabularyError, KeyError):
    """A code is not a term of the named vocabulary."""

    code = "unknown_term"

    def __init__(self, vocabulary: str, term_code: str, *, field: str | None = None) -> None:
        where = f" (field {field!r})" if field else ""
        super().__init__(f"{term_code!r} is not a term of vocabulary {vocabulary!r}{where}")
        self.vocabulary = vocabulary
        self.term_code = term_code
        self.field = field


class UnknownAliasError(VocabularyError, KeyError):
    """A name is not a known alias of any term of the vocabulary."""

    code = "unknown_alias"

    def __init__(self, vocabulary: str, alias: str) -> None:
        super().__init__(f"{alias!r} is not a known alias in vocabulary {vocabulary!r}")
        self.vocabulary = vocabulary
        self.alias = alias


class UnsupportedLanguageError(VocabularyError):
    """Labels are asked for in a language the vocabularies do not carry."""

    code = "unsupported_language"

    def __init__(self, vocabulary: str, language: str) -> None:
        super().__init__(
            f"vocabulary {vocabulary!r} has labels in 'en' and 'fr' only, not {language!r}"
        )
        self.vocabulary = vocabulary
        self.language = language


class VocabularyDataError(VocabularyError):
    """A vocabulary file is malformed (missing column, duplicate code, bad level...)."""

    code = "vocabulary_data_error"

    def __init__(self, vocabulary: str, detail: str, *, row: int | None = None) -> None:
        where = f" row {row}" if row is not None else ""
        super().__init__(f"vocabulary {vocabulary!r}{where}: {detail}")
        self.vocabulary = vocabulary
        self.detail = detail
        self.row = row


class HierarchyError(VocabularyDataError):
    """A parent code does not exist, a cycle exists, or a level is inconsistent."""

    code = "vocabulary_hierarchy_error"


class ManifestMismatchError(VocabularyError):
    """A vocabulary file's sha256 differs from the one recorded in manifest.json."""

    code = "vocabulary_manifest_mismatch"

    def __init__(self, file_name: str, *, expected: str, actual: str) -> None:
        super().__init__(
            f"vocabulary file {file_name!r} has sha256 {actual[:12]}…, "
            f"manifest.json records {expected[:12]}…; rebuild with "
            "`python -m temoin.core.vocabularies.build`"
        )
        self.file_name = file_name
        self.expected = expected
        self.actual = actual
