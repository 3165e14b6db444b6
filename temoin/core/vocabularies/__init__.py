"""Témoin's controlled vocabularies: hierarchical, bilingual (fr/en), versioned data files.

The CSV files in ``data/`` are built by ``python -m temoin.core.vocabularies.build`` from the
HURIDOCS ESF micro-thesauri plus Témoin's curated lists (ACLED event types, Mali actors with
ACLED aliases, source types, degrees of involvement…). Every file starts with the columns
``code,parent_code,level,label_en,label_fr,source``; ``manifest.json`` holds the set version and
each file's sha256.

    >>> from temoin.core.vocabularies import load_vocabulary
    >>> acts = load_vocabulary("act_types")
    >>> acts.label("summary_execution", "fr")
    'Exécution sommaire'
    >>> load_vocabulary("actors_mali").resolve("Military Forces of Mali (2013-)").code
    'fama'
"""

from temoin.core.vocabularies.errors import (
    HierarchyError,
    ManifestMismatchError,
    UnknownAliasError,
    UnknownTermError,
    UnknownVocabularyError,
    UnsupportedLanguageError,
    VocabularyDataError,
    VocabularyError,
)
from temoin.core.vocabularies.loader import (
    DATA_DIR,
    FileEntry,
    Manifest,
    list_vocabularies,
    load_vocabulary,
    manifest,
    verify_manifest,
)
from temoin.core.vocabularies.model import LANGUAGES, Term, Vocabulary, normalise_alias

__all__ = [
    "DATA_DIR",
    "LANGUAGES",
    "FileEntry",
    "HierarchyError",
    "Manifest",
    "ManifestMismatchError",
    "Term",
    "UnknownAliasError",
    "UnknownTermError",
    "UnknownVocabularyError",
    "UnsupportedLanguageError",
    "Vocabulary",
    "VocabularyDataError",
    "VocabularyError",
    "list_vocabularies",
    "load_vocabulary",
    "manifest",
    "normalise_alias",
    "verify_manifest",
]
