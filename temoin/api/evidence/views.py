"""Evidence endpoints: ingest (multipart), list, detail, custody timeline, original (POST,
audited, no-store), working copies, links, verify, shred, export (zip stream or a server-side
path for administrators), checkpoint and the log's verification key.

File names never appear in URLs or responses; reasons travel in POST bodies only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.accounts.models import Organisation
from temoin.api.pagination import Pagination
from temoin.cases import access as case_access
from temoin.cases import policy
from temoin.errors import PermissionDenied, Problems
from temoin.evidence import access, selectors, services


def _list(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        values = data.getlist(name)
        if len(values) == 1 and isinstance(values[0], str) and "," in values[0]:
            values = values[0].split(",")
    else:
        values = data.get(name) or []
        values = values if isinstance(values, list) else [values]
    return [str(v).strip() for v in values if str(v).strip()]


def _links(request: Request) -> dict[str, Any]:
    data, viewer = request.data, request.user
    source_id = data.get("source")
    return {
        "events": [case_access.access_event_by_id(viewer, e) for e in _list(data, "events")],
        "acts": [case_access.access_act_by_id(viewer, a) for a in _list(data, "acts")],
        "source": case_access.access_source_by_id(viewer, source_id) if source_id else None,
    }


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "oui", "on")


def _outcome(viewer: Any, outcome: services.IngestOutcome) -> dict[str, Any]:
    return {**selectors.evidence_summary(viewer, outcome.item), "duplicate": outcome.duplicate,
            "findings_now": list(outcome.findings), "proofs_now": list(outcome.proofs),
            "custody_seq": outcome.custody_seq}


def _required_file(request: Request, record: str) -> Any:
    upload = request.FILES.get("file")
    if upload is None:
        problems = Problems(record)
        problems.add("file", "required", "Un fichier (multipart, champ file) est attendu.")
        problems.raise_if_any()
    return upload


class EvidenceListView(APIView):
    def get(self, request: Request) -> Response:
        filters = {k: v for k, v in request.query_params.items() if k in ("event", "source", "media_type")}
        items = selectors.evidence_list(request.user, filters=filters)
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response([selectors.evidence_summary(request.user, i) for i in page])

    @extend_schema(request=dict)
    def post(self, request: Request) -> Response:
        upload = _required_file(request, "evidence item (new)")
        links = _links(request)
        outcome = services.evidence_ingest(
            actor=request.user, file=upload, reason=str(request.data.get("reason", "")),
            declared_sha256=request.data.get("declared_sha256") or None,
            field_records=[services.field_record_from(getattr(f, "name", "") or f"field-record-{n}", f)
                           for n, f in enumerate(request.FILES.getlist("field_records"), start=1)],
            **links)
        return Response(_outcome(request.user, outcome), status=200 if outcome.duplicate else 201)


class EvidenceDetailView(APIView):
    def get(self, request: Request, sha256: str) -> Response:
        item = access.access_evidence_by_sha(request.user, sha256)
        return Response(selectors.evidence_summary(request.user, item))


class EvidenceTimelineView(APIView):
    def get(self, request: Request, sha256: str) -> Response:
        return Response({"sha256": sha256.lower(),
                         "entries": selectors.custody_timeline(request.user, sha256)})


class EvidenceOriginalView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, sha256: str) -> StreamingHttpResponse:
        item = access.access_evidence_by_sha(request.user, sha256)
        chunks = services.evidence_open_original(viewer=request.user, item=item,
                                                 reason=str(request.data.get("reason", "")))
        response = StreamingHttpResponse(chunks, content_type=item.media_type)
        response["Cache-Control"] = "no-store"
        response["Content-Disposition"] = f'attachment; filename="{item.sha256}"'
        return response


class EvidenceDeriveView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, sha256: str) -> Response:
        original = access.access_evidence_by_sha(request.user, sha256)
        upload = _required_file(request, "evidence item (working copy)")
        data = request.data
        operation = {"name": str(data.get("operation", "")), "tool": str(data.get("tool", "")),
                     "tool_version": str(data.get("tool_version", ""))}
        outcome = services.evidence_derive(
            actor=request.user, original=original, file=upload, operation=operation,
            reason=str(data.get("reason", "")),
            redacted=str(data.get("redacted", "")).lower() in ("1", "true", "yes"))
        return Response(_outcome(request.user, outcome), status=201)


class EvidenceLinkView(APIView):
    """Link an item to events, acts or a source (``EvidenceUnlinkView``: remove links);
    the service appends the custody entry in the same transaction."""

    service = staticmethod(services.evidence_link)

    @extend_schema(request=dict)
    def post(self, request: Request, sha256: str) -> Response:
        item = access.access_evidence_by_sha(request.user, sha256)
        links = _links(request)
        source = links.pop("source")
        item = self.service(actor=request.user, item=item,
                            reason=str(request.data.get("reason", "")),
                            sources=[source] if source else [], **links)
        return Response(selectors.evidence_summary(request.user, item))


class EvidenceUnlinkView(EvidenceLinkView):
    service = staticmethod(services.evidence_unlink)


class EvidenceShredView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request, sha256: str) -> Response:
        item = access.access_evidence_by_sha(request.user, sha256)
        item = services.evidence_shred(actor=request.user, item=item,
                                       reason=str(request.data.get("reason", "")),
                                       authority=str(request.data.get("authority", "")),
                                       with_derivatives=_flag(request.data.get("with_derivatives")))
        return Response(selectors.evidence_summary(request.user, item))


class EvidenceVerifyView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request) -> Response:
        sample = request.data.get("sample")
        outcome = services.evidence_verify(actor=request.user,
                                           sample=int(sample) if sample not in (None, "") else None)
        return Response({"ok": outcome.ok, "full": outcome.full, "log_ok": outcome.log_ok,
                         "log_problem": outcome.log_problem, "log_size": outcome.log_size,
                         "storage_problems": list(outcome.storage_problems),
                         "not_in_database": list(outcome.not_in_database),
                         "items": outcome.checked})


def export_folder() -> Path:
    return Path(settings.TEMOIN_HOME) / "exports"


class EvidenceExportView(APIView):
    @extend_schema(request=dict)
    def post(self, request: Request) -> Any:
        data, viewer = request.data, request.user
        server_side = str(data.get("server_side", "")).lower() in ("1", "true", "yes")
        if server_side and not policy.can_maintain_evidence(viewer):
            raise PermissionDenied("Seuls les administrateurs exportent vers un chemin du serveur.")
        event = case_access.access_event_by_id(viewer, data["event"]) if data.get("event") else None
        items = [access.access_evidence_by_sha(viewer, s) for s in _list(data, "items")]
        org_id = data.get("recipient_organisation")
        organisation = Organisation.objects.filter(pk=org_id, is_host=False).first() if org_id else None
        name = f"package-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
        workdir: Path | None = None
        if server_side:
            export_folder().mkdir(parents=True, exist_ok=True)
            destination = export_folder() / name
        else:
            workdir = Path(tempfile.mkdtemp(prefix="temoin-export-"))
            destination = workdir / name
        try:
            outcome = services.evidence_export(
                actor=viewer, recipient_kind=str(data.get("recipient_kind", "")),
                reason=str(data.get("reason", "")), destination=destination, event=event,
                items=items, recipient_organisation=organisation,
                refuse_on_consent=str(data.get("on_consent", "exclude")) == "refuse")
            summary = {"export_id": outcome.export.pk, "items": outcome.items,
                       "excluded": outcome.excluded, "substituted": outcome.substituted,
                       "checkpoint_size": outcome.checkpoint_size, "vkey": selectors.custody_vkey()["vkey"]}
            if server_side:
                return Response({**summary, "path": str(outcome.path)}, status=201)
            assert workdir is not None
            archive = shutil.make_archive(str(workdir / name), "zip", root_dir=workdir, base_dir=name)
            handle = open(archive, "rb")  # noqa: SIM115 — closed by FileResponse
            os.unlink(archive)  # the open handle keeps the bytes until the response is sent
        finally:
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
        response = FileResponse(handle, content_type="application/zip", as_attachment=True,
                                filename=f"{name}.zip")
        response["Cache-Control"] = "no-store"
        response["X-Temoin-Export"] = str(outcome.export.pk)
        return response


class CustodyCheckpointView(APIView):
    def get(self, request: Request) -> Response:
        return Response(selectors.custody_checkpoint_latest(request.user))

    @extend_schema(request=None)
    def post(self, request: Request) -> Response:
        return Response(services.evidence_checkpoint(actor=request.user), status=201)


class CustodyKeyView(APIView):
    def get(self, request: Request) -> Response:
        return Response(selectors.custody_vkey())


# --- witnesses and time-stamps --------------------------------------------------------------
def _non_negative_int(value: Any, name: str) -> int:
    text = str(value if value is not None else "0").strip()
    if not text.isdigit():
        problems = Problems("witness request")
        problems.add(name, "invalid", f"« {name} » doit être un entier positif ou nul.")
        problems.raise_if_any()
    return int(text)


class WitnessCheckpointView(APIView):
    """Public: the latest signed checkpoint and the consistency proof from ``?from=N``."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        from_size = _non_negative_int(request.query_params.get("from"), "from")
        return Response(selectors.witness_request(from_size=from_size))


class WitnessCosignatureView(APIView):
    """Public: a witness posts the checkpoint note with its cosignature; the signature is the
    authentication (checked against the registered witness keys)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=dict, responses=dict)
    def post(self, request: Request) -> Response:
        note = request.data.get("checkpoint") if hasattr(request.data, "get") else None
        if not isinstance(note, str):
            problems = Problems("cosignature")
            problems.add("checkpoint", "required", "Le point de contrôle cosigné (texte) est attendu.")
            problems.raise_if_any()
        outcome = services.witness_cosignature_accept(note=note.encode("utf-8"), via="api")
        return Response({"size": outcome.checkpoint.size, "accepted": outcome.accepted,
                         "already": outcome.already}, status=201 if outcome.accepted else 200)


class WitnessKeysView(APIView):
    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        return Response({"results": selectors.witness_keys(request.user)})

    @extend_schema(request=dict, responses=dict)
    def post(self, request: Request) -> Response:
        org_id = request.data.get("organisation")
        organisation = Organisation.objects.filter(pk=org_id).first() if str(org_id or "").isdigit() else None
        row = services.witness_key_add(actor=request.user, organisation=organisation,
                                       vkey=str(request.data.get("vkey", "")),
                                       reason=str(request.data.get("reason", "")))
        return Response({"id": row.pk, "name": row.name, "vkey": row.vkey,
                         "organisation": row.organisation.short_name}, status=201)


class CheckpointStatusView(APIView):
    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        return Response({"results": selectors.checkpoint_status(request.user)})


class CheckpointTimestampView(APIView):
    @extend_schema(request=dict, responses=dict)
    def post(self, request: Request) -> Response:
        pending = str(request.data.get("pending", "")).lower() in ("1", "true", "yes")
        results = services.checkpoint_timestamp(actor=request.user, pending=pending)
        return Response({"results": [{"size": r.size, "tsa_url": r.tsa_url, "status": r.status,
                                      "gen_time": r.gen_time, "error": r.error} for r in results]})
