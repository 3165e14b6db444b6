"""Seizure drill: plant known names, then search everything a seizure would take — the raw
database files (WAL included), the media folder, the logs and a backup — for them. Zero hits.

A positive control (a marker planted in a *non*-identity field) proves the search would have
found the names had they been stored in clear. Runs the real `temoin` command in subprocesses
against a real on-disk database (SQLite by default; PostgreSQL with DATABASE_URL, where the
database is inspected through pg_dump's plain output).
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NAMES = ["Aïssata Kassogué", "Hamadoun Ongoïba", "Ag Intalla", "+223 66 12 34 56",
         "Quartier Sébénikoro, rue 412"]
MARKER = "MARQUEUR-VISIBLE-DU-DRILL"

SCRIPT = r'''
import os, json
import django
django.setup()
from django.test import Client
from temoin.audit.context import audit_context
from temoin.accounts.models import User
from temoin.cases import services
from temoin.keys.services import keys_unseal
NAMES = json.loads(os.environ["DRILL_NAMES"])
admin = User.objects.get(username="admin")
with audit_context(via="drill"):
    keys_unseal(actor=admin, passphrase=os.environ["TEMOIN_PASSPHRASE"])
    event = services.event_create(actor=admin, data={"title": os.environ["DRILL_MARKER"],
                                                     "start": "2022-03-27"})
    person = services.person_create(actor=admin, data={"sex": "female"}, identity={
        "given_name": NAMES[0].split()[0], "family_name": NAMES[0].split()[1],
        "other_names": NAMES[1], "contact": NAMES[3], "address": NAMES[4],
        "identifying_notes": NAMES[2]})
    services.person_update(actor=admin, person=person, changes={"age_min": 30},
                           identity={"given_name": NAMES[1].split()[0],
                                     "family_name": NAMES[1].split()[1], "other_names": NAMES[0]})
    services.act_create(actor=admin, event=event, data={"act_type": "killing",
                                                        "victim_person_id": person.pk})
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(admin)
assert client.post(f"/api/persons/{person.pk}/identity/", {"reason": "drill"},
                   content_type="application/json").status_code == 200
assert client.post("/api/persons/search/", {"name": NAMES[1]},
                   content_type="application/json").status_code == 200
bad = client.post("/api/persons/", {"identity": {"given_name": NAMES[0], "nickname": NAMES[2]}},
                  content_type="application/json")
assert bad.status_code == 400, bad.content
assert client.get(f"/api/persons/{person.pk}/").status_code == 200
print("planted", person.code)
'''


def variants(text: str, *, parts: bool) -> list[bytes]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    forms = {text, text.upper(), text.casefold(), plain, plain.upper(), plain.casefold(),
             unicodedata.normalize("NFD", text)}
    out = []
    for form in forms:
        out += [form.encode("utf-8"), form.encode("utf-16-le")]
        if parts:  # each name on its own (the given name alone must not leak either)
            out += [part.encode("utf-8") for part in form.split() if len(part) >= 6]
    return out


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture
def drill_database_url():
    """On PostgreSQL, a fresh database of its own (dropped afterwards)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    import psycopg

    name = f"temoin_drill_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_seizure_drill(tmp_path, drill_database_url):
    home = tmp_path / "home"
    env = {**os.environ, "TEMOIN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "TEMOIN_PASSPHRASE": "phrase du drill de saisie", "TEMOIN_ADMIN_PASSWORD": "drill-admin-pw",
           "DRILL_MARKER": MARKER, "DRILL_NAMES": __import__("json").dumps(NAMES),
           "PYTHONPATH": str(REPO)}
    if drill_database_url:
        env["DATABASE_URL"] = drill_database_url
    temoin = [sys.executable, "-m", "temoin.cli"]
    outputs = run(temoin + ["init"], env)
    outputs += run([sys.executable, "-c", SCRIPT], env)
    outputs += run(temoin + ["backup", str(home / "backups")], env)
    assert "planted V-" in outputs
    files = [p for p in home.rglob("*") if p.is_file()]
    if drill_database_url:
        dump = home / "plain.sql"
        with open(dump, "wb") as handle:
            subprocess.run(["pg_dump", drill_database_url], check=True, stdout=handle)
        files.append(dump)
    else:
        assert (home / "temoin.sqlite3").exists()
    assert (home / "temoin.log").exists() and any(p.name.startswith("temoin-backup") for p in
                                                  (home / "backups").iterdir())
    blobs = {p: p.read_bytes() for p in files}
    marker_hits = [p for p, data in blobs.items() if MARKER.encode() in data]
    assert marker_hits, "positive control: the marker must be found, else the search is blind"
    hits = [(p.name, form) for p, data in blobs.items() for name in NAMES
            for form in variants(name, parts=name in NAMES[:3]) if form in data]
    assert hits == []
    assert not any(name.encode() in outputs.encode() for name in NAMES)
