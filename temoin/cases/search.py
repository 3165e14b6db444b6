"""Full-text search over events, acts and sources in French and English, accents folded.

One interface, two backends: SQLite FTS5 (``unicode61 remove_diacritics 2``) and PostgreSQL
``tsvector`` with a GIN index. The indexed text is folded in Python first (lower case, no
accents, Bambara letters ɛ ɔ ŋ ɲ mapped), so "Ségou", "SEGOU" and "segou" find each other on
both. Persons are never indexed: names are sealed.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models.expressions import RawSQL

from temoin.cases.models import SearchEntry

_SPECIAL = str.maketrans({"ɛ": "e", "ɔ": "o", "ŋ": "n", "ɲ": "ny", "œ": "oe", "æ": "ae",
                          "’": "'", "ß": "ss"})
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    text = text.casefold().translate(_SPECIAL)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(text))


def index_document(*, doc_type: str, doc_id: int, event_id: int, parts: list[str]) -> None:
    text = fold(" ".join(p for p in parts if p))
    SearchEntry.objects.update_or_create(
        doc_type=doc_type, doc_id=doc_id, defaults={"event_id": event_id, "text": text}
    )


def unindex_document(*, doc_type: str, doc_id: int) -> None:
    SearchEntry.objects.filter(doc_type=doc_type, doc_id=doc_id).delete()


def matching_event_ids(query: str) -> RawSQL | None:
    """A subquery of event ids whose documents match every word of ``query`` (prefixes too).

    Returns ``None`` for a query with no searchable word (the caller then ignores it).
    """
    words = fold(query).split()[:12]
    if not words:
        return None
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        # OFFSET 0 keeps the planner from turning this into a per-row semi-join that
        # recomputes to_tsvector on every candidate: the GIN index answers it once instead.
        return RawSQL(
            "SELECT event_id FROM (SELECT event_id FROM cases_searchentry "
            "WHERE to_tsvector('simple', text) @@ to_tsquery('simple', %s) OFFSET 0) fts",
            (tsquery,),
        )
    match = " ".join(f'"{w}"*' for w in words)
    return RawSQL(
        "SELECT e.event_id FROM cases_searchentry e "
        "JOIN cases_search_fts f ON f.rowid = e.id WHERE cases_search_fts MATCH %s",
        (match,),
    )


SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_search_fts USING fts5("
    "text, content='cases_searchentry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS cases_search_ai AFTER INSERT ON cases_searchentry BEGIN "
    "INSERT INTO cases_search_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_search_ad AFTER DELETE ON cases_searchentry BEGIN "
    "INSERT INTO cases_search_fts(cases_search_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_search_au AFTER UPDATE ON cases_searchentry BEGIN "
    "INSERT INTO cases_search_fts(cases_search_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO cases_search_fts(rowid, text) VALUES (new.id, new.text); END",
]
POSTGRES_SETUP = [
    "CREATE INDEX IF NOT EXISTS cases_searchentry_tsv ON cases_searchentry "
    "USING GIN (to_tsvector('simple', text))",
]
