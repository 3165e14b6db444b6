"""Choices for the pickers: hierarchical vocabulary terms and armed actors, indented by
level, labelled in the active language."""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language

from temoin.cases.models import Actor, Term


def _label(fr: str, en: str) -> str:
    return en if (get_language() or "fr").startswith("en") and en else fr


def term_choices(vocabulary: str, *, blank: bool = True,
                 max_level: int | None = None) -> list[tuple[str, str]]:
    """Terms in tree order; children follow their parent, indented with non-breaking spaces.
    Cached per process, keyed by the vocabulary's size (administrators add terms)."""
    size = Term.objects.filter(vocabulary=vocabulary).count()
    return list(_term_choices(vocabulary, get_language() or "fr", blank, max_level, size))


@lru_cache(maxsize=64)
def _term_choices(vocabulary: str, language: str, blank: bool, max_level: int | None,
                  size: int) -> tuple[tuple[str, str], ...]:
    rows = list(Term.objects.filter(vocabulary=vocabulary, active=True)
                .values_list("code", "parent_code", "label_fr", "label_en"))
    children: dict[str, list[tuple[str, str, str, str]]] = {}
    for row in rows:
        children.setdefault(row[1] or "", []).append(row)
    out: list[tuple[str, str]] = [("", "—")] if blank else []

    def walk(parent: str, depth: int) -> None:
        for code, _parent, fr, en in sorted(children.get(parent, []),
                                            key=lambda r: _label(r[2], r[3])):
            out.append((code, "\u00a0\u00a0" * depth + _label(fr, en)))
            if depth < (8 if max_level is None else max_level):
                walk(code, depth + 1)

    walk("", 0)
    if max_level is None:
        known = {code for code, _ in out}
        out += [(r[0], _label(r[2], r[3])) for r in rows if r[0] not in known]  # orphans
    return tuple(out)


def term_labels(vocabulary: str) -> dict[str, str]:
    size = Term.objects.filter(vocabulary=vocabulary).count()
    return dict(_term_labels(vocabulary, get_language() or "fr", size))


@lru_cache(maxsize=32)
def _term_labels(vocabulary: str, language: str, size: int) -> tuple[tuple[str, str], ...]:
    return tuple((code, _label(fr, en)) for code, fr, en in Term.objects.filter(
        vocabulary=vocabulary).values_list("code", "label_fr", "label_en"))


def actor_choices(*, blank: bool = True) -> list[tuple[str, str]]:
    return list(_actor_choices(get_language() or "fr", blank, Actor.objects.count()))


@lru_cache(maxsize=8)
def _actor_choices(language: str, blank: bool, size: int) -> tuple[tuple[str, str], ...]:
    rows = list(Actor.objects.values_list("pk", "code", "parent_id", "label_fr", "label_en"))
    children: dict[int | None, list[tuple[int, str, int | None, str, str]]] = {}
    for row in rows:
        children.setdefault(row[2], []).append(row)
    out: list[tuple[str, str]] = [("", "—")] if blank else []

    def walk(parent: int | None, depth: int) -> None:
        for pk, code, _p, fr, en in sorted(children.get(parent, []), key=lambda r: r[3]):
            out.append((code, "\u00a0\u00a0" * depth + _label(fr, en)))
            if depth < 6:
                walk(pk, depth + 1)

    walk(None, 0)
    return tuple(out)


def actor_labels() -> dict[str, str]:
    return dict(_actor_labels(get_language() or "fr", Actor.objects.count()))


@lru_cache(maxsize=8)
def _actor_labels(language: str, size: int) -> tuple[tuple[str, str], ...]:
    return tuple((code, _label(fr, en)) for code, fr, en in
                 Actor.objects.values_list("code", "label_fr", "label_en"))
