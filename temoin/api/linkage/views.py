"""Linkage over HTTP: start runs, read status and results, the review queue, decisions.

Each view parses input, calls one service or selector, renders. Runs execute within the
request (small databases; see docs/readme/linkage-app.md for the limit).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.api.pagination import Pagination
from temoin.api.parsing import int_value
from temoin.errors import PermissionDenied, Problems
from temoin.linkage import selectors, services


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        problems = Problems("request")
        problems.add("body", "body.not_object", "Un objet JSON est attendu.")
        problems.raise_if_any()
    return dict(request.data)


def _optional_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "oui")


class RunListView(APIView):
    def get(self, request: Request) -> Response:
        if not selectors.can_read(request.user):
            raise PermissionDenied("Liaisons réservées aux analystes, réviseurs, administrateurs.")
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.runs_visible(request.user), request,
                                           view=self)
        return paginator.get_paginated_response([selectors.run_summary(r) for r in page])

    @extend_schema(request=dict)
    def post(self, request: Request) -> Response:
        data = _body(request)
        max_pairs = data.get("max_pairs")
        model_from = data.get("model_from")
        run = services.linkage_run_start(
            actor=request.user, kind=str(data.get("kind", "")),
            use_names=_optional_bool(data.get("use_names")),
            train_from_decisions=bool(_optional_bool(data.get("train_from_decisions"))),
            max_pairs=None if max_pairs is None else int_value(max_pairs, "max_pairs", 0),
            settings=data.get("settings") or {},
            model_from=None if model_from in (None, "") else selectors.access_run_by_id(
                request.user, model_from))
        return Response(selectors.run_summary(run), status=201)


class RunDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.access_run_by_id(request.user, pk)
        return Response({**selectors.run_summary(run), "settings": run.settings,
                         "splink_model": run.splink_model, "manifest": run.manifest,
                         "input_description": run.input_description, "labels": run.labels})


class RunResultsView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.access_run_by_id(request.user, pk)
        min_size = int_value(request.query_params.get("min_size"), "min_size", 2)
        limit = min(int_value(request.query_params.get("limit"), "limit", 100), 1000)
        return Response({"run": selectors.run_summary(run),
                         "clusters": selectors.clusters_summary(request.user, run,
                                                                min_size=min_size,
                                                                limit=limit)})


class CaptureHistoriesView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.access_run_by_id(request.user, pk)
        stratum = request.query_params.get("stratum") or None
        rows = selectors.linkage_capture_histories(request.user, run, stratum=stratum)
        body: dict[str, Any] = {"lists": run.input_description.get("lists", []), "rows": rows}
        if request.query_params.get("draws") in ("1", "true"):
            body["draws"] = selectors.linkage_capture_history_draws(request.user, run,
                                                                    stratum=stratum)
        return Response(body)


class ReviewQueueView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.access_run_by_id(request.user, pk)
        limit = min(int_value(request.query_params.get("limit"), "limit", 50), 500)
        items = selectors.review_queue(request.user, run, limit=limit)
        return Response({"run": run.pk, "hidden": selectors.QUEUE_HIDDEN, "items": items})


class RunEstimationView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        run = selectors.access_run_by_id(request.user, pk)
        data = _body(request)
        estimation = services.linkage_estimation_run(
            actor=request.user, run=run, title=str(data.get("title", "")),
            stratum=data.get("stratum") or None, methods=data.get("methods") or None,
            n_boot=int_value(data.get("n_boot"), "n_boot", 200))
        return Response({"id": estimation.pk, "status": estimation.status,
                         "results": estimation.results}, status=201)


class PairDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.pair_row(selectors.access_pair_by_id(request.user, pk)))


class PairDecisionView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        pair = selectors.access_pair_by_id(request.user, pk)
        data = _body(request)
        decision = services.linkage_decide(actor=request.user, pair=pair,
                                           decision=str(data.get("decision", "")),
                                           comment=str(data.get("comment", "")))
        pair = selectors.access_pair_by_id(request.user, pk)
        return Response({"decision": decision.pk, "pair": selectors.pair_row(pair)}, status=201)


class PairIdentitiesView(APIView):
    """POST so that nothing about names sits in URLs; answers are never cached."""

    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        pair = selectors.access_pair_by_id(request.user, pk)
        data = request.data if isinstance(request.data, dict) else {}
        names = services.pair_identities(viewer=request.user, pair=pair,
                                         reason=str(data.get("reason", "")))
        response = Response(names)
        response["Cache-Control"] = "no-store"
        return response


class DecisionUndoView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        decision = selectors.access_decision_by_id(request.user, pk)
        services.linkage_decision_undo(actor=request.user, decision=decision)
        pair = selectors.access_pair_by_id(request.user, decision.pair_id)
        return Response({"decision": decision.pk, "undone": True,
                         "pair": selectors.pair_row(pair)})
