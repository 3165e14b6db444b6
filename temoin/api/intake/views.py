"""Import endpoints: upload a file (→ batch, or a dry-run report), list and read batches,
list quarantined rows and retry them. Administrators and analysts only; others get 403
(lists, uploads) or 404 (single records), and nothing is written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.api.pagination import Pagination
from temoin.errors import PermissionDenied, Problems
from temoin.intake import access, selectors, services


def _require_importer(viewer: Any) -> None:
    if not access.can_import(viewer):
        raise PermissionDenied("Seuls les administrateurs et les analystes importent.")


def _flag(data: Any, name: str, default: bool) -> bool:
    value = data.get(name)
    if value is None or value == "":
        return default
    return str(value).lower() in ("1", "true", "yes", "on")


def _profile(data: Any) -> dict[str, Any] | None:
    raw = data.get("profile")
    if raw in (None, ""):
        return None
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict):
        problems = Problems("import")
        problems.add("profile", "profile.not_json", "Le profil doit être un objet JSON.")
        problems.raise_if_any()
    return value


class BatchListView(APIView):
    def get(self, request: Request) -> Response:
        _require_importer(request.user)
        paginator = Pagination()
        batches = selectors.batches_list(viewer=request.user,
                                         kind=request.query_params.get("kind") or None)
        page = paginator.paginate_queryset(batches, request, view=self)
        return paginator.get_paginated_response([selectors.batch_summary(b) for b in page])

    @extend_schema(request=dict)
    def post(self, request: Request) -> Response:
        """multipart: ``file``, ``kind`` (acled, acled_json, ucdp, table, uwazi, odk_export),
        ``profile`` (JSON, tables/Uwazi), ``dry_run``, ``geocode``, ``flag_deletions``."""
        _require_importer(request.user)
        data = request.data
        upload = request.FILES.get("file")
        kind = str(data.get("kind", ""))
        problems = Problems("import")
        if upload is None:
            problems.add("file", "required", "Un fichier est attendu (champ file).")
        if kind not in services.KINDS:
            problems.add("kind", "choice.unknown", f"kind : un de {', '.join(services.KINDS)}.")
        problems.raise_if_any()
        suffix = Path(upload.name).suffix[:10]
        handle, temp_name = tempfile.mkstemp(suffix=suffix)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            if _flag(data, "dry_run", False):
                report = services.batch_dry_run(actor=request.user, path=temp_name, kind=kind,
                                                profile=_profile(data) or {})
                return Response({"dry_run": report})
            options: dict[str, Any] = {"geocode": _flag(data, "geocode", True)}
            if data.get("flag_deletions") not in (None, ""):
                options["flag_deletions"] = _flag(data, "flag_deletions", True)
            batch = services.batch_import(actor=request.user, kind=kind, path=temp_name,
                                          file_name=upload.name, profile=_profile(data),
                                          **options)
        finally:
            os.unlink(temp_name)
        return Response(selectors.batch_detail(batch), status=201)


class BatchDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        batch = access.access_batch_by_id(request.user, pk)
        return Response(selectors.batch_detail(batch))


class BatchChangesView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        batch = access.access_batch_by_id(request.user, pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.batch_changes(viewer=request.user, batch=batch), request, view=self)
        return paginator.get_paginated_response([
            {"upstream_id": c.record.upstream_id, "event": c.record.event_id,
             "source": c.record.source_id, "row_number": c.row_number, "outcome": c.outcome,
             "fields": c.fields} for c in page])


class QuarantineListView(APIView):
    def get(self, request: Request) -> Response:
        _require_importer(request.user)
        params = request.query_params
        batch_id = int(params["batch"]) if params.get("batch", "").isdigit() else None
        status = params.get("status", "open")
        rows = selectors.quarantine_list(viewer=request.user, batch_id=batch_id,
                                         status=None if status == "all" else status)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([selectors.quarantined_row_view(r) for r in page])


class QuarantineDetailView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        row = access.access_quarantined_row_by_id(request.user, pk)
        return Response(selectors.quarantined_row_view(row, with_raw=True))


class QuarantineRetryView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, pk: int) -> Response:
        row = access.access_quarantined_row_by_id(request.user, pk)
        fixes = request.data.get("fixes") or {}
        if not isinstance(fixes, dict):
            problems = Problems(f"quarantined row {pk}")
            problems.add("fixes", "body.not_object", "fixes : un objet colonne → valeur.")
            problems.raise_if_any()
        row = services.quarantine_retry(actor=request.user, row=row,
                                        fixes={str(k): str(v) for k, v in fixes.items()})
        return Response(selectors.quarantined_row_view(row, with_raw=True))


class OdkKeyView(APIView):
    """``GET``: the active ODK form key (public half); ``POST``: create a new pair (admin)."""

    def get(self, request: Request) -> Response:
        _require_importer(request.user)
        from temoin.intake.odk import active_keypair

        pair = active_keypair()
        return Response({"key_id": pair.key_id if pair else None,
                         "public_key": pair.public_key_b64 if pair else None})

    def post(self, request: Request) -> Response:
        from temoin.intake.odk import odk_keypair_create

        pair = odk_keypair_create(actor=request.user)
        return Response({"key_id": pair.key_id, "public_key": pair.public_key_b64}, status=201)


class OdkPendingView(APIView):
    """``POST``: decrypt and import the submissions received while the server was sealed."""

    def post(self, request: Request) -> Response:
        from temoin.intake.odk import odk_pending_process

        return Response(odk_pending_process(actor=request.user))
