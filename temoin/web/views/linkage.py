"""Linkage review pages (« Doublons »): runs, a run's review queue, a pair side by side.

Every read goes through :mod:`temoin.linkage.selectors` (``runs_visible``,
``access_run_by_id``, ``review_queue``, ``pair_row``, ``clusters_summary``) and every write
through :mod:`temoin.linkage.services` (``linkage_decide``, ``linkage_decision_undo``), which
check the role and audit. Pages show pseudonymous codes and blind-index equality only; names
appear solely on the answer to an explicit POST to ``pair_identities`` (audited per person,
refused reads too), never stored, never cached, never in a URL. Runs and pairs the viewer may
not see answer 404, the same as missing ones.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from temoin.errors import NotFound, PermissionDenied, TemoinError
from temoin.linkage import selectors, services
from temoin.linkage.models import LinkageRun
from temoin.web.messages import problem_message

QUEUE_PAGE = 25
MAX_QUEUE_PAGES = 40  # the selector reads from the top of the queue: 1 000 pairs at most
SETTINGS_SHOWN = ("backend", "training", "clustering", "match_threshold", "review_low",
                  "review_high", "large_cluster_size")
METRICS_SHOWN = ("records", "linked_records", "candidate_pairs", "review_queue", "clusters",
                 "multi_record_clusters", "decisions_applied")


VERDICTS = {"agrees": gettext_lazy("concorde"), "disagrees": gettext_lazy("diverge"),
            "missing": gettext_lazy("absent")}
FLAGS = {"large_cluster": gettext_lazy("grand groupe"),
         "conflicts_with_review": gettext_lazy("contredit une décision"),
         "linked_through_other_records": gettext_lazy("lié par d’autres fiches")}
DECISIONS = {"accept": gettext_lazy("Accepter : même personne / même fait"),
             "reject": gettext_lazy("Rejeter : différents"),
             "unsure": gettext_lazy("Incertain")}
STATUSES = {"running": gettext_lazy("en cours"), "done": gettext_lazy("terminée"),
            "failed": gettext_lazy("échec")}
IDENTITY_MODES = {"names": gettext_lazy("noms déchiffrés en mémoire seulement"),
                  "blind_index": gettext_lazy("index aveugles seulement (clés scellées)"),
                  "none": gettext_lazy("sans identités (évènements)")}
KINDS = {"persons": gettext_lazy("personnes"), "events": gettext_lazy("évènements")}


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """The selector's row with display labels added (presentation only)."""
    row["flag_labels"] = [FLAGS.get(f, f) for f in row.get("flags") or []]
    for field in row.get("fields") or []:
        field["verdict_label"] = VERDICTS.get(field.get("verdict"), field.get("verdict"))
        for side in ("left", "right"):  # the core's compared values, lists as « a · b »
            if isinstance(field.get(side), list):
                field[side] = " · ".join("—" if v is None else str(v) for v in field[side])
    if row.get("decision"):
        row["decision"]["label"] = DECISIONS.get(row["decision"]["decision"],
                                                 row["decision"]["decision"])
    return row


def _require_reader(request: HttpRequest) -> None:
    if not selectors.can_read(request.user):
        raise Http404


def _run_or_404(request: HttpRequest, pk: int) -> LinkageRun:
    try:
        return selectors.access_run_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None


def _pair_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.access_pair_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None


def _report(request: HttpRequest, exc: TemoinError) -> None:
    fields = getattr(exc, "fields", None)
    if fields:
        for problems in fields.values():
            for code, message in problems:
                messages.error(request, problem_message(code, message))
    else:
        messages.error(request, exc.message)


def _settings_summary(run: LinkageRun) -> list[tuple[str, Any]]:
    return [(k, run.settings[k]) for k in SETTINGS_SHOWN if k in run.settings]


def _metrics_summary(run: LinkageRun) -> list[tuple[str, Any]]:
    return [(k, run.metrics[k]) for k in METRICS_SHOWN if k in run.metrics]


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    page = Paginator(selectors.runs_visible(request.user), 25).get_page(request.GET.get("page"))
    rows = [{"run": run, "kind": KINDS.get(run.kind, run.kind),
             "status": STATUSES.get(run.status, run.status), "settings": _settings_summary(run), "metrics": _metrics_summary(run)}
            for run in page]
    return render(request, "web/linkage_runs.html", {"page": page, "rows": rows})


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), MAX_QUEUE_PAGES)


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    number = _page_number(request)
    # One more than the page needs, to know whether a next page exists.
    queue = selectors.review_queue(request.user, run, limit=number * QUEUE_PAGE + 1)
    items = [_labelled(i) for i in queue[(number - 1) * QUEUE_PAGE:number * QUEUE_PAGE]]
    large = int(run.settings.get("large_cluster_size", 6))
    clusters = selectors.clusters_summary(request.user, run, min_size=large, limit=50)
    return render(request, "web/linkage_run.html", {
        "run": run, "summary": selectors.run_summary(run),
        "kind": KINDS.get(run.kind, run.kind), "status": STATUSES.get(run.status, run.status),
        "identity_mode": IDENTITY_MODES.get(run.identity_mode, run.identity_mode), "settings": _settings_summary(run),
        "metrics": _metrics_summary(run), "items": items, "number": number,
        "has_next": len(queue) > number * QUEUE_PAGE and number < MAX_QUEUE_PAGES,
        "large": large, "clusters": clusters,
        "can_decide": selectors.can_decide(request.user)})


def _pair_page(request: HttpRequest, pair: Any, *,
               identities: dict[str, Any] | None = None) -> HttpResponse:
    row = _labelled(selectors.pair_row(pair))
    response = render(request, "web/linkage_pair.html", {
        "pair": pair, "row": row, "run": pair.run,
        "can_decide": selectors.can_decide(request.user),
        "is_persons": bool(pair.left.person_id and pair.right.person_id),
        "identities": identities, "decisions": DECISIONS.items()})
    if identities is not None:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _pair_page(request, _pair_or_404(request, pk))


@login_required
@require_POST
def pair_decide(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair_or_404(request, pk)
    if not selectors.can_decide(request.user):
        raise Http404
    try:
        services.linkage_decide(actor=request.user, pair=pair,
                                decision=request.POST.get("decision", ""),
                                comment=request.POST.get("comment", "").strip())
    except TemoinError as exc:
        _report(request, exc)
        return redirect("linkage-pair", pk=pair.pk)
    messages.success(request, _("Décision enregistrée ; regroupements recalculés."))
    following = selectors.review_queue(request.user, pair.run, limit=1)
    if following:
        return redirect("linkage-pair", pk=following[0]["id"])
    messages.info(request, _("La file de revue de cette liaison est vide."))
    return redirect("linkage-run", pk=pair.run_id)


@login_required
@require_POST
def decision_undo(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        decision = selectors.access_decision_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None
    if not selectors.can_decide(request.user):
        raise Http404
    try:
        services.linkage_decision_undo(actor=request.user, decision=decision)
    except TemoinError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Décision annulée ; regroupements recalculés."))
    return redirect(reverse("linkage-pair", args=[decision.pair.pk]))


@login_required
@require_POST
def pair_identities(request: HttpRequest, pk: int) -> HttpResponse:
    """Names of both persons, on this answer only (audited by the service, never cached)."""
    pair = _pair_or_404(request, pk)
    try:
        names = services.pair_identities(viewer=request.user, pair=pair,
                                         reason=request.POST.get("reason", "").strip())
    except PermissionDenied:
        messages.error(request, _("Vous n’avez pas accès à ces identités (refus journalisé)."))
        return redirect("linkage-pair", pk=pair.pk)
    except TemoinError as exc:
        _report(request, exc)
        return redirect("linkage-pair", pk=pair.pk)
    return _pair_page(request, pair, identities=names)
