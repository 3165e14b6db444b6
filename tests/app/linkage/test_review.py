"""Review decisions: they recompute the clusters at once, can be undone (audited), feed the
next run's training; and no name is ever written by linkage (grep of everything it stores)."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection

from temoin.audit.models import AuditEntry
from temoin.linkage import selectors, services
from temoin.linkage.models import CandidatePair, ClusterMember, LinkedCluster, ReviewDecision


def cluster_of(run, member):  # type: ignore[no-untyped-def]
    return ClusterMember.objects.get(pk=member.pk).cluster.number


def _linked_pair(run):  # type: ignore[no-untyped-def]
    for pair in CandidatePair.objects.filter(run=run).select_related("left", "right"):
        if pair.left.cluster_id == pair.right.cluster_id and pair.match_probability >= 0.9:
            cluster = pair.left.cluster
            if cluster.size == 2:
                return pair
    raise AssertionError("no linked two-record cluster")


def _unlinked_pair(run):  # type: ignore[no-untyped-def]
    for pair in CandidatePair.objects.filter(run=run, review_rank__isnull=False).select_related(
            "left", "right"):
        if pair.left.cluster_id != pair.right.cluster_id:
            return pair
    raise AssertionError("no unlinked candidate pair")


def test_reject_splits_undo_merges_back_and_both_are_audited(world, loaded):
    run = services.linkage_run_start(actor=world.analyst, kind="persons")
    pair = _linked_pair(run)
    clusters_before = LinkedCluster.objects.filter(run=run).count()
    decision = services.linkage_decide(actor=world.analyst, pair=pair, decision="reject",
                                       comment="âges incompatibles")
    assert cluster_of(run, pair.left) != cluster_of(run, pair.right)
    assert LinkedCluster.objects.filter(run=run).count() == clusters_before + 1
    assert all(c.size == c.members.count() for c in LinkedCluster.objects.filter(run=run))
    # decided pairs leave the queue
    assert pair.pk not in [row["id"] for row in selectors.review_queue(world.analyst, run,
                                                                         limit=1000)]
    services.linkage_decision_undo(actor=world.analyst, decision=decision)
    assert cluster_of(run, pair.left) == cluster_of(run, pair.right)
    assert LinkedCluster.objects.filter(run=run).count() == clusters_before
    actions = list(AuditEntry.objects.filter(action__in=["linkage.decide",
                                                         "linkage.decision_undo"])
                   .values_list("action", "details__decision"))
    assert actions == [("linkage.decide", "reject"), ("linkage.decision_undo", "reject")]
    with pytest.raises(Exception) as again:
        services.linkage_decision_undo(actor=world.analyst, decision=decision)
    assert again.value.code == "linkage.undone"


def test_accept_merges_and_decisions_change_the_next_run(world, loaded):
    run = services.linkage_run_start(actor=world.analyst, kind="persons")
    rejected = _linked_pair(run)
    accepted = _unlinked_pair(run)
    services.linkage_decide(actor=world.admin, pair=rejected, decision="reject")
    services.linkage_decide(actor=world.admin, pair=accepted, decision="accept")
    assert cluster_of(run, accepted.left) == cluster_of(run, accepted.right)
    # without --train-from-decisions the next run ignores them
    plain = services.linkage_run_start(actor=world.analyst, kind="persons")
    assert plain.labels == [] and _together(plain, rejected) and not _together(plain, accepted)
    trained = services.linkage_run_start(actor=world.analyst, kind="persons",
                                         train_from_decisions=True)
    assert trained.metrics["labels_used"] == 2
    assert sorted(label["decision"] for label in trained.labels) == ["match", "non_match"]
    assert not _together(trained, rejected) and _together(trained, accepted)


def _together(run, pair):  # type: ignore[no-untyped-def]
    members = {(m.list_id, m.record_id): m.cluster_id for m in ClusterMember.objects.filter(
        run=run)}
    return members[(pair.left.list_id, pair.left.record_id)] == members[
        (pair.right.list_id, pair.right.record_id)]


def test_refused_decisions_write_nothing(world, loaded):
    run = services.linkage_run_start(actor=world.analyst, kind="persons")
    pair = _linked_pair(run)
    audit_rows = AuditEntry.objects.count()
    for user in (world.reviewer, world.monitor, world.viewer, world.partner):
        with pytest.raises(Exception) as refused:
            services.linkage_decide(actor=user, pair=pair, decision="reject")
        assert refused.value.code == "permission_denied"
    with pytest.raises(Exception) as bad:
        services.linkage_decide(actor=world.analyst, pair=pair, decision="peut-être")
    assert bad.value.code == "validation_failed"
    assert ReviewDecision.objects.count() == 0 and AuditEntry.objects.count() == audit_rows
    assert cluster_of(run, pair.left) == cluster_of(run, pair.right)


def test_pair_identities_are_audited_reads_and_refused_to_viewers(world, loaded):
    run = services.linkage_run_start(actor=world.analyst, kind="persons")
    pair = _linked_pair(run)
    names = services.pair_identities(viewer=world.reviewer, pair=pair)
    assert names["left"]["code"] == pair.left.person.code and "family_name" in names["left"]
    assert AuditEntry.objects.filter(action="person.identity_read").count() == 2
    with pytest.raises(Exception) as refused:
        selectors.access_pair_by_id(world.viewer, pair.pk)
    assert refused.value.code == "not_found"


def test_no_name_in_anything_linkage_stores(world, loaded, caplog, tmp_path):
    caplog.set_level("DEBUG")
    run = services.linkage_run_start(actor=world.analyst, kind="persons",
                                     settings={"alternative_clusterings": 5})
    pair = _linked_pair(run)
    decision = services.linkage_decide(actor=world.analyst, pair=pair, decision="reject")
    services.linkage_decision_undo(actor=world.analyst, decision=decision)
    dump = []
    with connection.cursor() as cursor:
        for table in ("linkage_linkagerun", "linkage_linkedcluster", "linkage_clustermember",
                      "linkage_candidatepair", "linkage_reviewdecision", "audit_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  (fixed table names)
            dump.append(json.dumps(cursor.fetchall(), default=str, ensure_ascii=False))
    text = "\n".join(dump + [caplog.text]).lower()
    assert "timetrine" in text  # positive control: a village name (not an identity) is there
    # whole words only: "Baba" or "Abba" also occur inside hexadecimal hashes of the audit chain
    leaks = [name for name in loaded.names
             if re.search(rf"(?<![0-9a-z]){re.escape(name.lower())}(?![0-9a-z])", text)]
    assert leaks == [], leaks[:5]
    assert len(loaded.names) > 100
    # DuckDB ran in memory; its spill folder was removed at the end
    assert run.metrics["duckdb"]["spill_folder_removed"] is True
    assert len(run.alternative_clusterings) == 5
