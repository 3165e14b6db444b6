"""Estimation runs over HTTP: upload a table (multipart `file`, or JSON `csv`), read results."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.api.pagination import Pagination
from temoin.api.parsing import int_value, json_object
from temoin.errors import NotFound, Problems
from temoin.estimation import selectors, services


def _summary(run) -> dict:  # type: ignore[no-untyped-def]
    return {"id": run.id, "title": run.title, "status": run.status, "methods": run.methods,
            "input_kind": run.input_kind, "input_name": run.input_name,
            "input_sha256": run.input_sha256, "created_at": run.created_at,
            "created_by": run.created_by.username, "temoin_version": run.temoin_version,
            "seconds": round(run.seconds, 3), "failure": run.failure}


class RunListView(APIView):
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.runs_visible(request.user), request, view=self)
        return paginator.get_paginated_response([_summary(r) for r in page])

    @extend_schema(request=dict)
    def post(self, request: Request) -> Response:
        data = request.data
        upload = request.FILES.get("file")
        csv_bytes = upload.read() if upload else str(data.get("csv", "")).encode()
        if not csv_bytes:
            problems = Problems("estimation run")
            problems.add("file", "required", "Un tableau CSV est attendu (file ou csv).")
            problems.raise_if_any()
        methods = data.getlist("methods") if hasattr(data, "getlist") else data.get("methods")
        lcmcr = json_object(data.get("lcmcr"), "lcmcr", record="estimation run")
        run = services.estimation_run_from_csv(
            actor=request.user, title=str(data.get("title", "")), csv_bytes=csv_bytes,
            name=upload.name if upload else "table.csv",
            stratum_column=data.get("stratum_column") or None, methods=methods or None,
            n_boot=int_value(data.get("n_boot"), "n_boot", 200, record="estimation run"),
            seed=int_value(data.get("seed"), "seed", 1234, record="estimation run"), lcmcr=lcmcr)
        return Response({**_summary(run), "results": run.results}, status=201)


class RunDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.access_run_by_id(request.user, pk)
        return Response({**_summary(run), "settings": run.settings, "inputs": run.inputs,
                         "results": run.results})


class RunPlotView(APIView):
    def get(self, request: Request, pk: int) -> HttpResponse:
        run = selectors.access_run_by_id(request.user, pk)
        if not run.plot_png:
            raise NotFound(f"Pas de graphique pour l'estimation {pk}.")
        return HttpResponse(bytes(run.plot_png), content_type="image/png")
