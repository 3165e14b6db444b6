"""The audit log is append-only in the database and any tampering breaks the chain."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from temoin.audit.models import AuditEntry
from temoin.audit.selectors import audit_verify
from temoin.cases import services

EVENT = {"title": "Incident (synthétique)", "start": "2021-06-01", "admin1": "Ségou"}


@pytest.fixture
def chain(world):
    for number in range(5):
        services.event_create(actor=world.analyst, data={**EVENT, "title": f"Incident {number}"})
    verdict = audit_verify()
    assert verdict.ok and verdict.chain.checked == AuditEntry.objects.count()
    return world


def _drop_triggers() -> None:
    """What an attacker with database access does first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_no_change ON audit_auditentry")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")


def test_database_refuses_update_and_delete(chain):
    for sql in ("UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert audit_verify().ok


def test_model_refuses_update_and_delete(chain):
    entry = AuditEntry.objects.first()
    entry.reason = "réécrit"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("UPDATE audit_auditentry SET reason = 'rien' WHERE sequence = 4", "audit.hash_mismatch"),
        ("UPDATE audit_auditentry SET actor_username = 'x' WHERE sequence = 4",
         "audit.hash_mismatch"),
        ("DELETE FROM audit_auditentry WHERE sequence = 4", "audit.gap"),
        ("UPDATE audit_auditentry SET entry_hash = "
         "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' WHERE sequence = 4",
         "audit.hash_mismatch"),
    ],
)
def test_tampering_is_detected_at_the_right_row(chain, tamper, problem):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(tamper)
    verdict = audit_verify()
    assert not verdict.ok
    assert verdict.chain.problem == problem
    assert verdict.chain.first_bad_sequence in (4, 5)


def test_truncated_tail_is_detected(chain):
    _drop_triggers()
    last = AuditEntry.objects.order_by("-sequence").first().sequence
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = %s", [last])
    verdict = audit_verify()
    assert verdict.chain.ok and not verdict.ok
    assert verdict.head_problem == "audit.truncated"


def test_swapped_rows_detected(chain):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET sequence = -1 WHERE sequence = 2")
        cursor.execute("UPDATE audit_auditentry SET sequence = 2 WHERE sequence = 3")
        cursor.execute("UPDATE audit_auditentry SET sequence = 3 WHERE sequence = -1")
    verdict = audit_verify()
    assert not verdict.ok and verdict.chain.first_bad_sequence == 2
