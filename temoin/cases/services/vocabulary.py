"""Loading and editing vocabularies and the armed-actor list."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from temoin.audit.services import audit_record
from temoin.cases import policy, validation
from temoin.cases.models import Actor, Term
from temoin.errors import PermissionDenied, Problems


def vocabularies_load(*, actor: Any) -> dict[str, int]:
    """Load every vocabulary data file shipped in ``temoin.core.vocabularies`` (idempotent)."""
    from temoin.core.vocabularies import list_vocabularies, load_vocabulary

    counts: dict[str, int] = {}
    with transaction.atomic():
        for name in list_vocabularies():
            if name == "actors_mali":
                continue
            vocabulary = load_vocabulary(name)
            for term in vocabulary:
                Term.objects.update_or_create(
                    vocabulary=name, code=term.code,
                    defaults={"parent_code": term.parent_code or "", "level": term.level,
                              "label_en": term.label_en, "label_fr": term.label_fr,
                              "source": term.source, "version": vocabulary.version})
            counts[name] = len(vocabulary)
        counts["actors"] = actors_load()
        audit_record(actor=actor, action="vocabulary.load", details=counts)
    validation.forget_vocabularies()
    return counts


def actors_load() -> int:
    from temoin.core.vocabularies import load_vocabulary

    vocabulary = load_vocabulary("actors_mali")
    rows = {term.code: term for term in vocabulary}
    created: dict[str, Actor] = {}
    for term in sorted(rows.values(), key=lambda t: t.level):
        parent = created.get(term.parent_code or "") or (
            Actor.objects.filter(code=term.parent_code).first() if term.parent_code else None)
        obj, _ = Actor.objects.update_or_create(
            code=term.code,
            defaults={"parent": parent, "kind": term.extra.get("kind", "other"),
                      "label_en": term.label_en, "label_fr": term.label_fr,
                      "aliases": list(term.aliases)})
        created[term.code] = obj
    return len(created)


def term_create(*, actor: Any, vocabulary: str, code: str, label_en: str, label_fr: str,
                parent_code: str = "") -> Term:
    if not policy.can_administer(actor):
        raise PermissionDenied("Seul un administrateur modifie les vocabulaires.")
    problems = Problems(f"term {vocabulary}/{code}")
    if not code or not code.replace("_", "").isalnum():
        problems.add("code", "term.bad_code", "Code en lettres, chiffres et « _ ».")
    if Term.objects.filter(vocabulary=vocabulary, code=code).exists():
        problems.add("code", "duplicate", "Ce code existe déjà.")
    parent = None
    if parent_code:
        parent = Term.objects.filter(vocabulary=vocabulary, code=parent_code).first()
        if parent is None:
            problems.add("parent_code", "vocabulary.unknown_term", "Terme parent inconnu.")
    if not label_en.strip() or not label_fr.strip():
        problems.add("label_fr", "required", "Libellés français et anglais obligatoires.")
    problems.raise_if_any()
    with transaction.atomic():
        term = Term.objects.create(vocabulary=vocabulary, code=code, parent_code=parent_code,
                                   level=(parent.level + 1) if parent else 0,
                                   label_en=label_en, label_fr=label_fr, source="local")
        audit_record(actor=actor, action="term.create", target=term,
                     details={"vocabulary": vocabulary, "code": code})
    validation.forget_vocabularies()
    return term
