"""In-memory controlled vocabulary: terms by code, hierarchy navigation, labels, aliases.

A :class:`Vocabulary` is immutable once built. It checks its own hierarchy at construction
(every parent exists, no cycles, ``level`` = depth) so a loaded vocabulary is always
consistent.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from temoin.core.vocabularies.errors import (
    HierarchyError,
    UnknownAliasError,
    UnknownTermError,
    UnsupportedLanguageError,
    VocabularyDataError,
)

__all__ = ["LANGUAGES", "Term", "Vocabulary", "normalise_alias"]

#: Languages every vocabulary carries labels in.
LANGUAGES: tuple[str, ...] = ("en", "fr")


def normalise_alias(text: str) -> str:
    """Casefold, strip accents and collapse whitespace: the key used for alias lookup."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a vocabulary.

    Attributes:
        code: stable identifier, unique in its vocabulary (snake_case slug or ``esf<list>_<huri>``).
        parent_code: code of the parent term, ``None`` for a root.
        level: depth in the hierarchy (roots are 0).
        label_en / label_fr: labels in English and French (never empty).
        source: where the term comes from (``esf``, ``temoin``, ``acled``, ``iso639``).
        extra: the vocabulary's additional columns (e.g. ``huri_code``, ``kind``, ``aliases``),
            as strings exactly as stored in the CSV.
    """

    code: str
    parent_code: str | None
    level: int
    label_en: str
    label_fr: str
    source: str
    extra: Mapping[str, str] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` ('en' or 'fr')."""
        if lang == "en":
            return self.label_en
        if lang == "fr":
            return self.label_fr
        raise UnsupportedLanguageError("?", lang)

    @property
    def aliases(self) -> tuple[str, ...]:
        """Aliases from the ``aliases`` column (``|``-separated), empty if there is none."""
        raw = self.extra.get("aliases", "")
        return tuple(part for part in raw.split("|") if part)


class Vocabulary:
    """A hierarchical, bilingual controlled vocabulary (immutable)."""

    def __init__(self, name: str, terms: list[Term], *, version: str = "") -> None:
        self.name = name
        self.version = version
        by_code: dict[str, Term] = {}
        for index, term in enumerate(terms):
            if term.code in by_code:
                raise VocabularyDataError(name, f"duplicate code {term.code!r}", row=index + 2)
            by_code[term.code] = term
        self._terms: Mapping[str, Term] = MappingProxyType(by_code)
        children: dict[str | None, list[Term]] = {}
        for term in terms:
            children.setdefault(term.parent_code, []).append(term)
        self._children = {key: tuple(value) for key, value in children.items()}
        self._check_hierarchy()
        self._aliases = self._index_aliases()

    # -- construction checks -------------------------------------------------------------
    def _check_hierarchy(self) -> None:
        for term in self._terms.values():
            if term.parent_code is not None and term.parent_code not in self._terms:
                raise HierarchyError(
                    self.name, f"term {term.code!r} has unknown parent {term.parent_code!r}"
                )
            if not term.label_en.strip() or not term.label_fr.strip():
                raise VocabularyDataError(self.name, f"term {term.code!r} lacks a label")
        for term in self._terms.values():
            depth = 0
            seen = {term.code}
            current = term
            while current.parent_code is not None:
                if current.parent_code in seen:
                    raise HierarchyError(self.name, f"cycle through term {term.code!r}")
                seen.add(current.parent_code)
                current = self._terms[current.parent_code]
                depth += 1
            if depth != term.level:
                raise HierarchyError(
                    self.name, f"term {term.code!r} has level {term.level}, depth is {depth}"
                )

    def _index_aliases(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for term in self._terms.values():
            for alias in (term.code, term.label_en, term.label_fr, *term.aliases):
                key = normalise_alias(alias)
                owner = index.get(key)
                if owner is not None and owner != term.code and alias in term.aliases:
                    raise VocabularyDataError(
                        self.name, f"alias {alias!r} belongs to {owner!r} and {term.code!r}"
                    )
                index.setdefault(key, term.code)
        return index

    # -- mapping-like access --------------------------------------------------------------
    def __contains__(self, code: object) -> bool:
        return code in self._terms

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms.values())

    def __len__(self) -> int:
        return len(self._terms)

    def __getitem__(self, code: str) -> Term:
        return self.validate(code)

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r}, {len(self)} terms, version {self.version!r})"

    @property
    def terms(self) -> Mapping[str, Term]:
        """All terms by code, in file order (read-only)."""
        return self._terms

    def codes(self) -> tuple[str, ...]:
        """All codes in file order."""
        return tuple(self._terms)

    def get(self, code: str) -> Term | None:
        """The term, or ``None`` if the code is unknown."""
        return self._terms.get(code)

    def validate(self, code: str, *, field: str | None = None) -> Term:
        """Return the term for ``code``; raise :class:`UnknownTermError` naming this vocabulary."""
        term = self._terms.get(code)
        if term is None:
            raise UnknownTermError(self.name, code, field=field)
        return term

    # -- hierarchy --------------------------------------------------------------------------
    def roots(self) -> tuple[Term, ...]:
        """Terms without a parent, in file order."""
        return self._children.get(None, ())

    def parent(self, code: str) -> Term | None:
        """The parent term, ``None`` for a root."""
        term = self.validate(code)
        return None if term.parent_code is None else self._terms[term.parent_code]

    def children(self, code: str) -> tuple[Term, ...]:
        """Direct children, in file order."""
        self.validate(code)
        return self._children.get(code, ())

    def ancestors(self, code: str) -> tuple[Term, ...]:
        """Ancestors from the parent up to the root."""
        out: list[Term] = []
        parent = self.parent(code)
        while parent is not None:
            out.append(parent)
            parent = self.parent(parent.code)
        return tuple(out)

    def descendants(self, code: str) -> tuple[Term, ...]:
        """All terms below ``code`` (depth first, file order), excluding ``code`` itself."""
        out: list[Term] = []
        stack = list(reversed(self.children(code)))
        while stack:
            term = stack.pop()
            out.append(term)
            stack.extend(reversed(self._children.get(term.code, ())))
        return tuple(out)

    def is_a(self, code: str, ancestor_code: str) -> bool:
        """True if ``code`` equals ``ancestor_code`` or lies below it."""
        self.validate(ancestor_code)
        if code == ancestor_code:
            return self.validate(code) is not None
        return any(term.code == ancestor_code for term in self.ancestors(code))

    # -- labels and aliases -------------------------------------------------------------------
    def label(self, code: str, lang: str = "en") -> str:
        """Label of ``code`` in ``lang`` ('en' or 'fr')."""
        if lang not in LANGUAGES:
            raise UnsupportedLanguageError(self.name, lang)
        return self.validate(code).label(lang)

    def resolve(self, name: str) -> Term:
        """Find a term by code, English/French label or alias (accent- and case-insensitive).

        Raises :class:`UnknownAliasError` when nothing matches.
        """
        code = self._aliases.get(normalise_alias(name))
        if code is None:
            raise UnknownAliasError(self.name, name)
        return self._terms[code]
