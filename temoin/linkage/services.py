"""Every write of the linkage app: start a run, decide on a pair, undo a decision.

A run reads the case database through :mod:`temoin.linkage.conversions`, calls
:mod:`temoin.core.linkage` on an in-memory DuckDB whose spill folder is a temporary directory
removed at the end (checked and recorded), and stores settings, the trained Splink model, the
input's description, size and hash, package versions, clusters and candidate pairs. Names are
decrypted in memory only (one audit row ``linkage.identities_read`` with the count), never
stored. Decisions recompute the run's clusters at once and feed the next run's training.
"""

from __future__ import annotations

import platform
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

import temoin
from temoin.audit.services import audit_record
from temoin.core.linkage import (
    LinkageError,
    LinkageSettings,
    ReviewedPair,
    link_incidents,
    link_persons,
    review_queue,
)
from temoin.core.linkage.clusters import conflicting_clusters
from temoin.core.linkage.list_clusters import cluster_run_pairs
from temoin.core.linkage.review import (  # the core's display rules for settled pairs
    _fields,
    _level_labels,
)
from temoin.core.linkage.settings import INCIDENT_BLOCKING_COLUMNS, PERSON_BLOCKING_COLUMNS
from temoin.errors import Conflict, PermissionDenied, Problems, TemoinError
from temoin.keys import keystore
from temoin.keys.services import require_unsealed
from temoin.linkage import conversions
from temoin.linkage.models import (
    CandidatePair,
    ClusterMember,
    LinkageRun,
    LinkedCluster,
    ReviewDecision,
)
from temoin.linkage.selectors import can_decide, can_run

Progress = Callable[[str, float], None]
DECISION_LABEL = {"accept": "match", "reject": "non_match", "unsure": "unsure"}
# Comparisons whose displayed values may hold a name: only levels and weights are stored.
NAME_COMPARISONS = {"name", "given_name", "family_name", "full_name", "address"}


def _versions() -> dict[str, str]:
    out = {"temoin": temoin.__version__, "python": platform.python_version()}
    for package in ("splink", "duckdb", "pandas", "numpy"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "absent"
    return out


def _settings(problems: Problems, kind: str, overrides: dict[str, Any],
              max_pairs: int | None) -> LinkageSettings | None:
    if kind not in LinkageRun.Kind.values:
        problems.add("kind", "linkage.kind", "Type de run inconnu : persons ou events.")
        return None
    values = dict(overrides)
    if max_pairs is not None:
        values["u_max_pairs"] = float(max_pairs)
    base = LinkageSettings() if kind == "persons" else LinkageSettings.for_incidents()
    try:
        settings = LinkageSettings.from_dict({**base.to_dict(), **values})
        settings.validate(allowed_blocking_columns=PERSON_BLOCKING_COLUMNS if kind == "persons"
                          else INCIDENT_BLOCKING_COLUMNS)
    except LinkageError as exc:
        for problem in getattr(exc, "problems", [str(exc)]):
            problems.add("settings", getattr(exc, "code", "linkage.settings"), str(problem))
        return None
    except TypeError as exc:
        problems.add("settings", "linkage.settings", str(exc))
        return None
    return settings


def _labels(kind: str, keys: set[tuple[str, str]]) -> list[ReviewedPair]:
    """Latest active decision per pair (any run of this kind) among records of this input."""
    latest: dict[frozenset[tuple[str, str]], ReviewDecision] = {}
    for decision in ReviewDecision.objects.filter(kind=kind, undone_at__isnull=True).order_by(
            "id"):
        left = (decision.left_list, decision.left_record)
        right = (decision.right_list, decision.right_record)
        if left in keys and right in keys:
            latest[frozenset((left, right))] = decision
    return [ReviewedPair((d.left_list, d.left_record), (d.right_list, d.right_record),
                         DECISION_LABEL[d.decision])  # type: ignore[arg-type]  # literal
            for d in latest.values()]


def _progress(run: LinkageRun, stage: str, fraction: float, callback: Progress | None) -> None:
    LinkageRun.objects.filter(pk=run.pk).update(stage=stage, progress=fraction)
    run.stage, run.progress = stage, fraction
    if callback is not None:
        callback(stage, fraction)


def linkage_run_start(*, actor: Any, kind: str, use_names: bool | None = None,
                      train_from_decisions: bool = False, max_pairs: int | None = None,
                      settings: dict[str, Any] | None = None,
                      model_from: LinkageRun | None = None,
                      progress: Progress | None = None) -> LinkageRun:
    """Run linkage on the case database now and store the result.

    ``model_from``: an earlier run of the same kind whose settings and trained Splink model
    are reused instead of training (reproduce or explain a result on today's data).

    ``use_names``: ``True`` needs the keys unsealed (``keys.sealed`` otherwise, nothing
    written); ``False`` uses the blind index only; ``None`` uses names when unsealed.
    """
    if not can_run(actor):
        raise PermissionDenied("Seuls les analystes et administrateurs lancent une liaison.")
    problems = Problems(f"linkage run ({kind})")
    base = dict(model_from.settings) if model_from is not None else {}
    core_settings = _settings(problems, kind, {**base, **(settings or {})}, max_pairs)
    if model_from is not None and (model_from.kind != kind or not model_from.splink_model):
        problems.add("model_from", "linkage.model_from",
                     f"La liaison {model_from.pk} n'a pas de modèle {kind} réutilisable.")
    if max_pairs is not None and max_pairs < 1000:
        problems.add("max_pairs", "linkage.max_pairs", "max_pairs : au moins 1000.")
    problems.raise_if_any()
    assert core_settings is not None
    keys = None
    if kind == "persons":
        if use_names:
            keys = require_unsealed()
        elif use_names is None and keystore.unsealed_keys() is not None:
            keys = require_unsealed()
        mode = (LinkageRun.IdentityMode.NAMES if keys is not None
                else LinkageRun.IdentityMode.BLIND_INDEX)
        hidden = [] if keys is not None else [conversions.SEALED_HIDDEN]
    else:
        mode, hidden = LinkageRun.IdentityMode.NONE, []
    with transaction.atomic():
        run = LinkageRun.objects.create(kind=kind, identity_mode=mode, hidden=hidden,
                                        settings=core_settings.to_dict(), versions=_versions(),
                                        created_by=actor, stage="input",
                                        metrics={"model_from_run": model_from.pk}
                                        if model_from is not None else {})
        audit_record(actor=actor, action="linkage.run_start", target=run,
                     details={"kind": kind, "identity_mode": mode,
                              "train_from_decisions": train_from_decisions})
    started = time.perf_counter()
    try:
        _execute(run, actor=actor, keys=keys, settings=core_settings,
                 train_from_decisions=train_from_decisions, progress=progress,
                 model=model_from.splink_model if model_from is not None else None)
    except LinkageError as exc:  # bad records or settings: the core's message names no person
        _fail(run, actor, f"{getattr(exc, 'code', 'linkage.error')}: {exc}", started)
    except TemoinError as exc:  # e.g. a tampered identity; our messages never hold a name
        _fail(run, actor, f"{exc.code}: {exc.message}", started)
        raise
    except Exception as exc:
        # Anything else (a tampered identity, a DuckDB error): the run is marked failed with
        # the error's type only — a driver message could quote a value — and the error raised.
        _fail(run, actor, f"linkage.unexpected: {type(exc).__name__}", started)
        raise
    return run


def _fail(run: LinkageRun, actor: Any, failure: str, started: float) -> None:
    with transaction.atomic():
        run.status, run.failure = LinkageRun.Status.FAILED, failure
        run.finished_at, run.seconds = timezone.now(), time.perf_counter() - started
        run.save(update_fields=["status", "failure", "finished_at", "seconds"])
        audit_record(actor=actor, action="linkage.run_failed", target=run,
                     details={"failure": failure[:200]})


def _audit_identities(actor: Any, run: LinkageRun) -> Callable[[int], None]:
    def write(count: int) -> None:
        with transaction.atomic():
            audit_record(actor=actor, action="linkage.identities_read", target=run,
                         details={"count": count, "purpose": "record linkage, in memory only"})
    return write


def _execute(run: LinkageRun, *, actor: Any, keys: Any, settings: LinkageSettings,
             train_from_decisions: bool, progress: Progress | None,
             model: dict[str, Any] | None = None) -> None:
    started = time.perf_counter()
    _progress(run, "input", 0.05, progress)
    if run.kind == "persons":
        data = conversions.person_input(actor, keys=keys,
                                        on_count=_audit_identities(actor, run))
    else:
        data = conversions.event_input(actor)
    keys_present = {(m.list_id, m.record_id) for m in data.meta}
    labels = _labels(run.kind, keys_present) if train_from_decisions else []
    input_seconds = time.perf_counter() - started
    _progress(run, "linkage", 0.3, progress)
    with tempfile.TemporaryDirectory(prefix="temoin-linkage-") as folder:
        spill = Path(folder) / "duckdb"
        spill.mkdir()
        run_settings = LinkageSettings.from_dict({**settings.to_dict(),
                                                  "temp_directory": str(spill)})
        link = link_persons if run.kind == "persons" else link_incidents
        result = link(data.records, settings=run_settings, labels=labels, model=model)
        spill_files = sum(1 for _ in spill.rglob("*") if _.is_file())
    del data.records  # names leave memory with the records
    removed = not Path(folder).exists()
    _progress(run, "storing", 0.85, progress)
    queue = review_queue(result, limit=None)
    link_seconds = result.seconds
    with transaction.atomic():
        members = _store_members(run, data.meta, result)
        _store_pairs(run, members, result, queue)
        manifest = result.manifest()
        manifest["settings"] = settings.to_dict()  # the temp folder is not part of the choice
        run.manifest = {k: v for k, v in manifest.items() if k != "splink_model"}
        run.splink_model = result.splink_model
        run.core_status = result.status
        run.input_description = data.description
        run.input_count = len(data.meta)
        run.input_sha256 = data.sha256
        run.labels = [{"left": list(p.left), "right": list(p.right), "decision": p.decision}
                      for p in labels]
        run.alternative_clusterings = [draw.tolist() for draw in result.alternative_assignments]
        clusters = LinkedCluster.objects.filter(run=run)
        run.metrics = {
            **run.metrics, "records": len(data.meta), "linked_records": int(result.assignments["linked"].sum())
            if len(result.assignments) else 0,
            "clusters": clusters.count(), "multi_record_clusters": clusters.filter(
                size__gt=1).count(),
            "candidate_pairs": len(result.pairs), "review_queue": len(queue),
            "labels_used": len(labels), "identities_read": data.identities_read,
            "seconds_input": round(input_seconds, 3), "seconds_linkage": round(link_seconds, 3),
            "duckdb": {"database": "in-memory", "spill_files_at_end": spill_files,
                       "spill_folder_removed": removed},
        }
        run.status, run.stage, run.progress = LinkageRun.Status.DONE, "done", 1.0
        run.finished_at, run.seconds = timezone.now(), time.perf_counter() - started
        run.save()
        audit_record(actor=actor, action="linkage.run", target=run,
                     details={"kind": run.kind, "status": result.status,
                              "records": run.input_count, "input": run.input_sha256,
                              "clusters": run.metrics["clusters"], "labels": len(labels)})
    if progress is not None:
        progress("done", 1.0)


def _store_members(run: LinkageRun, meta: list[conversions.RecordMeta],
                   result: Any) -> list[ClusterMember]:
    by_key = {(m.list_id, m.record_id): m for m in meta}
    rows = list(result.assignments[["list_id", "record_id", "cluster_id", "linked",
                                    "unlinked_reason"]].itertuples(index=False))
    members = []
    for position, (list_id, record_id, _cluster, linked, reason) in enumerate(rows):
        m = by_key[(list_id, record_id)]
        members.append(ClusterMember(
            run=run, position=position, list_id=list_id, record_id=record_id,
            person_id=m.person_id, event_id=m.event_id, region=m.region, year=m.year,
            linked=bool(linked), unlinked_reason=reason or ""))
    _assign(run, members, [int(r[2]) for r in rows], set(result.conflicting_clusters), {})
    ClusterMember.objects.bulk_create(members, batch_size=500)
    return members


def _assign(run: LinkageRun, members: list[ClusterMember], assignment: list[int],
            conflicting: set[int], existing: dict[int, LinkedCluster]) -> None:
    """Create/update one LinkedCluster per cluster id and point every member at it."""
    groups: dict[int, list[ClusterMember]] = {}
    for member, cluster in zip(members, assignment, strict=True):
        groups.setdefault(cluster, []).append(member)
    to_create: list[LinkedCluster] = []
    to_update: list[LinkedCluster] = []
    for number, group in groups.items():
        fields = _cluster_fields(group)
        row = existing.get(number)
        if row is None:
            row = LinkedCluster(run=run, number=number, **fields,
                                conflicts_with_review=number in conflicting)
            to_create.append(row)
        else:
            fields["conflicts_with_review"] = number in conflicting
            if any(getattr(row, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(row, name, value)
                to_update.append(row)
    LinkedCluster.objects.bulk_create(to_create, batch_size=500)
    LinkedCluster.objects.bulk_update(to_update, ["size", "lists", "region", "year",
                                                  "conflicts_with_review"], batch_size=500)
    if any(c.pk is None for c in to_create):  # backends that do not return ids
        saved = {c.number: c for c in LinkedCluster.objects.filter(run=run)}
        to_create = [saved[c.number] for c in to_create]
    by_number = {**existing, **{c.number: c for c in to_create}}
    for member, cluster in zip(members, assignment, strict=True):
        member.cluster = by_number[cluster]


def _cluster_fields(group: list[ClusterMember]) -> dict[str, Any]:
    regions = Counter(m.region for m in group if m.region)
    years = Counter(m.year for m in group if m.year is not None)
    return {
        "size": len(group),
        "lists": sorted({m.list_id for m in group}),
        "region": min(regions, key=lambda r: (-regions[r], r)) if regions else "",
        "year": min(years, key=lambda y: (-years[y], y)) if years else None,
    }


def _store_pairs(run: LinkageRun, members: list[ClusterMember], result: Any,
                 queue: list[Any]) -> None:
    if not len(result.pairs):
        return
    by_key = {(m.list_id, m.record_id): m for m in members}
    ranked = {(item.left, item.right): (rank, item) for rank, item in enumerate(queue, 1)}
    rows = []
    labels = _level_labels(result.splink_model)
    for _, row in result.pairs.iterrows():
        left = (row["list_id_l"], row["record_id_l"])
        right = (row["list_id_r"], row["record_id_r"])
        rank, item = ranked.get((left, right), (None, None))
        evidence = _fields(row, labels)
        rows.append(CandidatePair(
            run=run, left=by_key[left], right=by_key[right],
            match_probability=float(row["match_probability"]),
            match_weight=float(row["match_weight"]),
            impact=float(item.impact) if item is not None else 0.0, review_rank=rank,
            flags=list(item.flags) if item is not None else [],
            fields=[_field_json(f, row) for f in evidence]))
    CandidatePair.objects.bulk_create(rows, batch_size=500)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value if isinstance(value, (int, float, str, bool)) else str(value)


def _field_json(evidence: Any, row: Any) -> dict[str, Any]:
    """Level, weight and verdict of one comparison; values only for non-name comparisons.

    Work-around: the core reads ``bf_<comparison>`` columns, which Splink 5 does not output
    (it outputs ``mw_<comparison>``, the match weight), so its weights are always empty.
    """
    weight = evidence.match_weight
    column = f"mw_{evidence.comparison}"
    if weight is None and evidence.level != "null" and column in row and row[column] == row[
            column]:
        weight = float(row[column])
    verdict = "missing" if weight is None or evidence.level == "null" else (
        "agrees" if weight > 0 else "disagrees")
    out = {"comparison": evidence.comparison, "level": evidence.level,
           "match_weight": None if weight is None else round(weight, 4), "verdict": verdict}
    if evidence.comparison not in NAME_COMPARISONS:
        out["left"], out["right"] = _plain(evidence.left_value), _plain(evidence.right_value)
    return out


# --- decisions ---------------------------------------------------------------------------

def linkage_decide(*, actor: Any, pair: CandidatePair, decision: str,
                   comment: str = "") -> ReviewDecision:
    """Record a decision on a pair and recompute the run's clusters."""
    if not can_decide(actor):
        raise PermissionDenied("Seuls les analystes et administrateurs décident.")
    problems = Problems(f"decision on pair {pair.pk}")
    if decision not in ReviewDecision.Decision.values:
        problems.add("decision", "linkage.decision", "Décision : accept, reject ou unsure.")
    if len(comment) > 2000:
        problems.add("comment", "too_long", "Commentaire de 2000 caractères au plus.")
    problems.raise_if_any()
    run = pair.run
    with transaction.atomic():
        ReviewDecision.objects.filter(pair=pair, undone_at__isnull=True).update(
            undone_at=timezone.now(), undone_by=actor)
        row = ReviewDecision.objects.create(
            pair=pair, kind=run.kind, left_list=pair.left.list_id,
            left_record=pair.left.record_id, right_list=pair.right.list_id,
            right_record=pair.right.record_id, decision=decision, comment=comment,
            reviewer=actor)
        before = (pair.left.cluster_id, pair.right.cluster_id)
        _recluster(run)
        audit_record(actor=actor, action="linkage.decide", target=row,
                     details={"run": run.pk, "pair": pair.pk, "decision": decision,
                              "left": pair.left.record_id, "right": pair.right.record_id,
                              "were_linked": before[0] == before[1]})
    return row


def linkage_decision_undo(*, actor: Any, decision: ReviewDecision) -> ReviewDecision:
    """Undo a decision (the row stays, marked undone) and recompute the run's clusters."""
    if not can_decide(actor):
        raise PermissionDenied("Seuls les analystes et administrateurs décident.")
    if decision.undone_at is not None:
        raise Conflict(f"La décision {decision.pk} est déjà annulée.", code="linkage.undone")
    with transaction.atomic():
        decision.undone_at, decision.undone_by = timezone.now(), actor
        decision.save(update_fields=["undone_at", "undone_by"])
        _recluster(decision.pair.run)
        audit_record(actor=actor, action="linkage.decision_undo", target=decision,
                     details={"run": decision.pair.run_id, "pair": decision.pair_id,
                              "decision": decision.decision})
    return decision


def _constraints(run: LinkageRun, position: dict[tuple[str, str], int]
                 ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Labels the run was trained with, overridden by active decisions on this run's pairs."""
    chosen: dict[frozenset[tuple[str, str]], str] = {}
    for label in run.labels:
        left, right = tuple(label["left"]), tuple(label["right"])
        chosen[frozenset((left, right))] = label["decision"]
    # Undone decisions are ignored: the pair falls back to what the run was trained with.
    for d in ReviewDecision.objects.filter(pair__run=run, undone_at__isnull=True).order_by("id"):
        key = frozenset(((d.left_list, d.left_record), (d.right_list, d.right_record)))
        chosen[key] = DECISION_LABEL[d.decision]
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for key, label in chosen.items():
        a, b = sorted(key)
        if a not in position or b not in position or label == "unsure":
            continue
        (must if label == "match" else cannot).append((position[a], position[b]))
    return must, cannot


def _recluster(run: LinkageRun) -> None:
    members = list(ClusterMember.objects.filter(run=run).order_by("position"))
    position = {(m.list_id, m.record_id): m.position for m in members}
    pairs = list(CandidatePair.objects.filter(run=run).values_list(
        "left__position", "right__position", "match_probability"))
    must, cannot = _constraints(run, position)
    settings = LinkageSettings.from_dict(run.settings)
    assignment = cluster_run_pairs(
        run.kind, [m.list_id for m in members], [p[0] for p in pairs], [p[1] for p in pairs],
        [p[2] for p in pairs], settings=settings, must_link=must, cannot_link=cannot).tolist()
    existing = {c.number: c for c in LinkedCluster.objects.filter(run=run)}
    before = {m.pk: m.cluster_id for m in members}
    _assign(run, members, assignment,
            conflicting_clusters(np.asarray(assignment), cannot), existing)
    changed = [m for m in members if m.cluster_id != before[m.pk]]
    ClusterMember.objects.bulk_update(changed, ["cluster"], batch_size=500)
    gone = sorted(set(existing) - set(assignment))  # emptied clusters (members moved above)
    for start in range(0, len(gone), 500):
        LinkedCluster.objects.filter(run=run, number__in=gone[start:start + 500]).delete()
    clusters = LinkedCluster.objects.filter(run=run)
    run.metrics = {**run.metrics, "clusters": clusters.count(),
                   "multi_record_clusters": clusters.filter(size__gt=1).count(),
                   "decisions_applied": len(must) + len(cannot)}
    run.save(update_fields=["metrics"])


def pair_identities(*, viewer: Any, pair: CandidatePair, reason: str = "") -> dict[str, Any]:
    """Names of both persons of a pair, for an allowed viewer with the keys unsealed.

    Goes through ``person_identity`` (one audit row per person, refused reads too); nothing
    is stored. Returns ``{"left": {...}, "right": {...}}`` with name fields only.
    """
    from temoin.cases.services import person_identity

    out: dict[str, Any] = {}
    for side, member in (("left", pair.left), ("right", pair.right)):
        if member.person is None:
            raise Conflict("Cette paire ne concerne pas des personnes.", code="linkage.not_persons")
        identity = person_identity(viewer=viewer, person=member.person,
                                   reason=reason or f"linkage pair {pair.pk}")
        out[side] = {"code": member.person.code, **{
            k: v for k, v in identity.items() if k in ("given_name", "family_name",
                                                        "other_names")}}
    return out


def linkage_estimation_run(*, actor: Any, run: LinkageRun, title: str,
                           stratum: str | None = "region", methods: list[str] | None = None,
                           n_boot: int = 200, seed: int = 1234) -> Any:
    """An estimation run from this linkage run's capture histories (by stratum)."""
    from temoin.estimation.services import estimation_run_from_histories
    from temoin.linkage.selectors import linkage_capture_histories

    rows = linkage_capture_histories(actor, run, stratum=stratum)
    list_names = tuple(sorted({name for row in rows for name in row["lists"]}))
    return estimation_run_from_histories(
        actor=actor, title=title, rows=rows, list_names=list_names,
        stratum_of=(lambda row: row["stratum"]) if stratum else (lambda row: None),
        methods=methods, n_boot=n_boot, seed=seed,
        input_name=f"linkage run {run.pk} ({run.kind}, stratum={stratum})")
