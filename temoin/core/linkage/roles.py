"""Put given and family names back in their fields, using the whole input as evidence.

Lists write "TRAORE Moussa", parse it into the wrong fields, or keep only one part
("Touré" in the given-name field).  Whether a token is a given or a family name is
known from the variant file for common names; for the rest the input itself tells
(a name written as a family name in most records, e.g. Diakité, is a family name),
and a misspelt or rare token takes the role of the closest frequent token
(Jaro-Winkler ≥ 0.9, same first letter, length within 2: "Rookia" is read like
"Rokia").

A record is changed only when the evidence is one-sided:

* both parts present: swapped when the given part looks like a family name and the
  family part does not, or the family part looks like a given name and the given
  part does not;
* one part only: moved to the other field when it clearly belongs there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

import jellyfish

from temoin.core.linkage.variants import NameVariants

__all__ = ["NameRoles", "put_names_in_place"]

Role = Literal["given", "family"]

# A token seen at least this often has a role measured on the input.
_FREQUENT = 3
# How much more often a token must appear in one field than the other to take its role.
_MAJORITY = 2.0
# Closest frequent token used for rare/misspelt tokens.
_NEAREST_SIMILARITY = 0.9

_SWAPPABLE = (
    ("given_norm", "family_norm"),
    ("given_canon", "family_canon"),
    ("given_phon", "family_phon"),
    ("given_first_letter", "family_first_letter"),
)


class NameRoles:
    """Role of each canonical name token, learnt from the variant file and the input."""

    def __init__(self, rows: Sequence[dict[str, object]], variants: NameVariants) -> None:
        self._variants = variants
        as_given: dict[str, int] = defaultdict(int)
        as_family: dict[str, int] = defaultdict(int)
        for row in rows:
            for token in str(row["given_canon"] or "").split():
                as_given[token] += 1
            for token in str(row["family_canon"] or "").split():
                as_family[token] += 1
        self._measured: dict[str, Role | None] = {}
        for token in set(as_given) | set(as_family):
            given, family = as_given[token], as_family[token]
            if given + family < _FREQUENT:
                continue
            if family > _MAJORITY * given:
                self._measured[token] = "family"
            elif given > _MAJORITY * family:
                self._measured[token] = "given"
            else:
                self._measured[token] = None
        # Frequent tokens by first letter: a misspelling close enough to count (Jaro-Winkler
        # ≥ 0.9) almost always keeps the first letter and a similar length.
        self._anchors: dict[str, list[str]] = defaultdict(list)
        for token in sorted(set(self._measured) | set(variants.entries)):
            if len(token) > 2:
                self._anchors[token[0]].append(token)
        self._cache: dict[str, Role | None] = {}

    def token_role(self, token: str) -> Role | None:
        """``"given"``, ``"family"`` or ``None`` (unknown or used both ways)."""
        if token in self._cache:
            return self._cache[token]
        role: Role | None
        known = self._variants.kind(token)
        if known is not None:
            role = known
        elif token in self._measured:
            role = self._measured[token]
        elif len(token) <= 2:
            role = None
        else:
            role = self._nearest_role(token)
        self._cache[token] = role
        return role

    def _nearest_role(self, token: str) -> Role | None:
        best, best_score = None, _NEAREST_SIMILARITY
        for anchor in self._anchors.get(token[0], ()):
            if abs(len(anchor) - len(token)) > 2:
                continue
            score = jellyfish.jaro_winkler_similarity(token, anchor)
            if score >= best_score:
                best, best_score = anchor, score
        if best is None:
            return None
        return self._variants.kind(best) or self._measured.get(best)

    def part_role(self, part: object) -> Role | None:
        """Role of a name part (all its known tokens must agree)."""
        if part is None:
            return None
        roles = {self.token_role(token) for token in str(part).split() if len(token) > 1}
        roles.discard(None)
        return roles.pop() if len(roles) == 1 else None


def put_names_in_place(rows: list[dict[str, object]], variants: NameVariants) -> int:
    """Swap given/family fields of ``rows`` in place where they are reversed; return count."""
    roles = NameRoles(rows, variants)
    changed = 0
    for row in rows:
        given, family = row["given_canon"], row["family_canon"]
        if given is None and family is None:
            continue
        given_role, family_role = roles.part_role(given), roles.part_role(family)
        if given is not None and family is not None:
            swap = (given_role == "family" and family_role != "family") or (
                family_role == "given" and given_role != "given"
            )
        elif given is not None:
            swap = given_role == "family"
        else:
            swap = family_role == "given"
        if swap:
            _swap(row, variants)
            changed += 1
    return changed


def _swap(row: dict[str, object], variants: NameVariants) -> None:
    for left, right in _SWAPPABLE:
        row[left], row[right] = row[right], row[left]
    tokens = str(row["given_norm"] or "").split()
    row["given_first_canon"] = variants.canonical(tokens[0]) if tokens else None
    row["given_related"] = next((r for r in (variants.related_group(t) for t in tokens) if r), None)
