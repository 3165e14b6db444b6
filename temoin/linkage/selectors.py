"""Reads of the linkage app, always through the viewer. Plain rows out, never names.

Administrators and analysts run linkage and decide; reviewers read; monitors, viewers and
partners see nothing (runs are aggregates over restricted persons). The review queue shows
pseudonymous codes (``V-0042``), per-field levels and weights, and whether the two blind
indexes are equal; names come only through ``pair_identities`` (audited per person).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import QuerySet

from temoin.accounts.models import Role
from temoin.cases import policy
from temoin.cases.access import visible_events, visible_persons
from temoin.errors import NotFound
from temoin.linkage.models import (
    CandidatePair,
    ClusterMember,
    LinkageRun,
    LinkedCluster,
    ReviewDecision,
)

RUNNERS = {Role.ADMINISTRATOR, Role.ANALYST}
READERS = {Role.ADMINISTRATOR, Role.ANALYST, Role.REVIEWER}
STRATA = (None, "region", "year", "region_year")
QUEUE_HIDDEN = (
    "Noms masqués : la file de revue montre les codes pseudonymes et l'égalité des index "
    "aveugles ; les noms ne s'affichent qu'à la demande (lecture auditée, clés descellées)."
)


def can_run(viewer: Any) -> bool:
    return policy.is_host_staff(viewer) and viewer.role in RUNNERS


def can_decide(viewer: Any) -> bool:
    return can_run(viewer)


def can_read(viewer: Any) -> bool:
    return policy.is_host_staff(viewer) and viewer.role in READERS


def runs_visible(viewer: Any) -> QuerySet[LinkageRun]:
    if not can_read(viewer):
        return LinkageRun.objects.none()
    return LinkageRun.objects.select_related("created_by").all()


def access_run_by_id(viewer: Any, run_id: Any) -> LinkageRun:
    try:
        return runs_visible(viewer).get(pk=int(run_id))
    except (LinkageRun.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Liaison {run_id} introuvable.") from None


def _visible_pairs(viewer: Any) -> QuerySet[CandidatePair]:
    if not can_read(viewer):
        return CandidatePair.objects.none()
    return CandidatePair.objects.select_related("run", "left", "right", "left__person",
                                                "right__person", "left__event", "right__event",
                                                "left__cluster", "right__cluster")


def access_pair_by_id(viewer: Any, pair_id: Any) -> CandidatePair:
    try:
        pair = _visible_pairs(viewer).get(pk=int(pair_id))
    except (CandidatePair.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Paire {pair_id} introuvable.") from None
    if not _members_visible(viewer, [pair.left, pair.right]):
        raise NotFound(f"Paire {pair_id} introuvable.")
    return pair


def access_decision_by_id(viewer: Any, decision_id: Any) -> ReviewDecision:
    try:
        decision = ReviewDecision.objects.select_related("pair", "pair__run").get(
            pk=int(decision_id))
    except (ReviewDecision.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Décision {decision_id} introuvable.") from None
    access_pair_by_id(viewer, decision.pair_id)
    return decision


def _members_visible(viewer: Any, members: list[ClusterMember]) -> bool:
    persons = {m.person_id for m in members if m.person_id}
    events = {m.event_id for m in members if m.event_id}
    if persons and visible_persons(viewer).filter(pk__in=persons).count() != len(persons):
        return False
    return not events or visible_events(viewer).filter(pk__in=events).count() == len(events)


def _record(member: ClusterMember) -> dict[str, Any]:
    out: dict[str, Any] = {"list": member.list_id, "record": member.record_id,
                           "cluster": member.cluster.number if member.cluster_id else None,
                           "region": member.region, "year": member.year}
    if member.person_id:
        out["person"] = member.person_id
        out["code"] = member.person.code
    if member.event_id:
        out["event"] = member.event_id
        out["reference"] = member.event.reference
    return out


def pair_row(pair: CandidatePair) -> dict[str, Any]:
    """A pair for side-by-side display: codes, probability, per-field evidence, decisions."""
    left, right = pair.left, pair.right
    row = {"id": pair.pk, "run": pair.run_id, "rank": pair.review_rank,
           "match_probability": pair.match_probability, "match_weight": pair.match_weight,
           "impact": pair.impact, "flags": pair.flags, "fields": pair.fields,
           "left": _record(left), "right": _record(right),
           "currently_linked": left.cluster_id == right.cluster_id,
           "decision": None}
    if left.person_id and right.person_id:
        blind = (left.person.blind_name, right.person.blind_name)
        row["same_blind_name"] = bool(blind[0]) and blind[0] == blind[1]
        row["identities_hidden"] = QUEUE_HIDDEN
    active = [d for d in pair.decisions.all() if d.undone_at is None]
    if active:
        d = active[-1]
        row["decision"] = {"id": d.pk, "decision": d.decision, "reviewer": d.reviewer.username,
                           "comment": d.comment, "at": d.created_at.isoformat()}
    return row


def review_queue(viewer: Any, run: LinkageRun, *, limit: int = 50,
                 include_decided: bool = False) -> list[dict[str, Any]]:
    """The run's review queue in the core's order (highest impact first)."""
    if not can_read(viewer):
        return []
    pairs = _visible_pairs(viewer).filter(run=run, review_rank__isnull=False).order_by(
        "review_rank").prefetch_related("decisions", "decisions__reviewer")
    if not include_decided:
        decided = ReviewDecision.objects.filter(pair__run=run, undone_at__isnull=True)
        pairs = pairs.exclude(pk__in=decided.values("pair_id"))
    out: list[dict[str, Any]] = []
    start, chunk = 0, max(limit * 2, 50)
    while len(out) < limit:
        batch = list(pairs[start:start + chunk])
        if not batch:
            break
        start += chunk
        if run.kind == "persons":  # only pairs whose two persons the viewer may see
            ids = {p.left.person_id for p in batch} | {p.right.person_id for p in batch}
            seen = set(visible_persons(viewer).filter(pk__in=ids).values_list("pk", flat=True))
            batch = [p for p in batch if p.left.person_id in seen and p.right.person_id in seen]
        out.extend(pair_row(pair) for pair in batch[:limit - len(out)])
    return out


def _stratum(region: str, year: int | None, stratum: str | None) -> str | None:
    if stratum is None:
        return None
    if stratum == "region":
        return region or "?"
    if stratum == "year":
        return str(year) if year is not None else "?"
    return f"{region or '?'}/{year if year is not None else '?'}"


def _check_stratum(stratum: str | None) -> None:
    if stratum not in STRATA:
        from temoin.errors import Problems

        problems = Problems("capture histories")
        problems.add("stratum", "linkage.stratum", "Strate : region, year ou region_year.")
        problems.raise_if_any()


def _histories(lists: list[str], groups: dict[int, list[tuple[str, str, int | None]]],
               stratum: str | None) -> list[dict[str, Any]]:
    position = {name: i for i, name in enumerate(lists)}
    rows = []
    for number in sorted(groups):
        members = groups[number]
        names = sorted({m[0] for m in members})
        regions = Counter(m[1] for m in members if m[1])
        years = Counter(m[2] for m in members if m[2] is not None)
        region = min(regions, key=lambda r: (-regions[r], r)) if regions else ""
        year = min(years, key=lambda y: (-years[y], y)) if years else None
        bits = ["0"] * len(lists)
        for name in names:
            bits[position[name]] = "1"
        rows.append({"individual": number, "stratum": _stratum(region, year, stratum),
                     "region": region, "year": year, "lists": names,
                     "pattern": "".join(bits)})
    return rows


def linkage_capture_histories(viewer: Any, run: LinkageRun, *,
                              stratum: str | None = None) -> list[dict[str, Any]]:
    """One row per linked individual: the lists (source origins) that documented them.

    Records the core set aside (no usable name, too little evidence, copied list) are left
    out, as in :func:`temoin.core.linkage.capture_histories`; their count is in the run's
    metrics. ``stratum``: ``None``, ``"region"``, ``"year"`` or ``"region_year"`` (the
    individual's most frequent value among its records).
    """
    _check_stratum(stratum)
    if not can_read(viewer):
        raise NotFound(f"Liaison {run.pk} introuvable.")
    members = ClusterMember.objects.filter(run=run, linked=True).values_list(
        "cluster__number", "list_id", "region", "year")
    groups: dict[int, list[tuple[str, str, int | None]]] = defaultdict(list)
    for number, list_id, region, year in members:
        groups[number].append((list_id, region, year))
    lists = sorted({m[0] for group in groups.values() for m in group})
    return _histories(lists, groups, stratum)


def linkage_capture_history_draws(viewer: Any, run: LinkageRun, *,
                                  stratum: str | None = None) -> list[list[dict[str, Any]]]:
    """Capture histories of each alternative clustering drawn at run time (linkage doubt).

    Draws reflect the decisions known when the run started (its training labels), not
    decisions taken on this run since.
    """
    _check_stratum(stratum)
    if not can_read(viewer):
        raise NotFound(f"Liaison {run.pk} introuvable.")
    members = list(ClusterMember.objects.filter(run=run).order_by("position").values_list(
        "position", "list_id", "region", "year", "linked"))
    lists = sorted({m[1] for m in members if m[4]})
    out = []
    for draw in run.alternative_clusterings:
        groups: dict[int, list[tuple[str, str, int | None]]] = defaultdict(list)
        for (pos, list_id, region, year, linked) in members:
            if linked:
                groups[int(draw[pos])].append((list_id, region, year))
        out.append(_histories(lists, groups, stratum))
    return out


def clusters_summary(viewer: Any, run: LinkageRun, *, min_size: int = 2,
                     limit: int = 100) -> list[dict[str, Any]]:
    """Clusters with at least ``min_size`` records: number, size, lists, stratum, members."""
    if not can_read(viewer):
        raise NotFound(f"Liaison {run.pk} introuvable.")
    clusters = list(LinkedCluster.objects.filter(run=run, size__gte=min_size).order_by(
        "-size", "number")[:limit])
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in ClusterMember.objects.filter(cluster__in=clusters).select_related(
            "person", "event", "cluster"):
        members[m.cluster_id].append(_record(m))
    return [{"number": c.number, "size": c.size, "lists": c.lists, "region": c.region,
             "year": c.year, "conflicts_with_review": c.conflicts_with_review,
             "records": members[c.pk]} for c in clusters]


def run_summary(run: LinkageRun) -> dict[str, Any]:
    return {"id": run.pk, "kind": run.kind, "status": run.status, "stage": run.stage,
            "progress": run.progress, "core_status": run.core_status,
            "identity_mode": run.identity_mode, "hidden": run.hidden,
            "input_count": run.input_count, "input_sha256": run.input_sha256,
            "metrics": run.metrics, "failure": run.failure,
            "started_at": run.started_at.isoformat() if run.started_at else None,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "seconds": round(run.seconds, 3), "created_by": run.created_by.username,
            "versions": run.versions}
