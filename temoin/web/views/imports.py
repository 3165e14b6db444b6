"""Import pages (administrators and analysts): upload a file, see the dry run, confirm;
the batches with their provenance, counts and changes; the quarantine queue with retry.

The work is the intake app's (``temoin.intake.services``: ``batch_dry_run``,
``batch_import``, ``quarantine_retry``; reads in ``temoin.intake.selectors``). Between the dry
run and the confirmation the uploaded file waits under ``TEMOIN_HOME/imports/staging/`` under a
random name remembered in the uploader's session only; it is removed on confirmation,
cancellation, or after a day. Files larger than ``TEMOIN_WEB_IMPORT_MAX_BYTES`` (20 MiB by
default: an import runs inside the request) are refused with the CLI command to use instead.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from temoin.audit.services import audit_record
from temoin.errors import NotFound, PermissionDenied, TemoinError, ValidationFailed
from temoin.evidence.access import visible_evidence
from temoin.intake import access, selectors, services
from temoin.intake.models import ImportBatch, QuarantinedRow
from temoin.intake.reasons import quarantine_message, reason_label, row_message
from temoin.web import forms
from temoin.web.messages import attach_problems, problem_message

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
STAGING_TTL = 24 * 3600
SESSION_PREFIX = "web.import."
CLI = {"acled": gettext_lazy("temoin import acled FICHIER"),
       "acled_json": gettext_lazy("temoin import acled FICHIER --json"),
       "ucdp": gettext_lazy("temoin import ucdp FICHIER"),
       "table": gettext_lazy("temoin import table FICHIER --profile PROFIL.json"),
       "uwazi": gettext_lazy("temoin import uwazi FICHIER --profile PROFIL.json"),
       "odk_export": gettext_lazy("temoin import odk FICHIER")}


def max_upload_bytes() -> int:
    return int(getattr(settings, "TEMOIN_WEB_IMPORT_MAX_BYTES", DEFAULT_MAX_UPLOAD))


def _require_importer(request: HttpRequest) -> None:
    if not access.can_import(request.user):
        raise Http404


def _staging() -> Path:
    folder = Path(settings.TEMOIN_HOME) / "imports" / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep_staging() -> None:
    limit = time.time() - STAGING_TTL
    for path in _staging().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _stage(upload: Any) -> tuple[str, Path]:
    _sweep_staging()
    token = secrets.token_hex(16)
    path = _staging() / token
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, path


def _staged(request: HttpRequest, token: str) -> tuple[dict[str, Any], Path] | None:
    state = request.session.get(SESSION_PREFIX + token)
    if not state or not token.isalnum():
        return None
    path = _staging() / token
    return (state, path) if path.exists() else None


def _forget(request: HttpRequest, token: str) -> None:
    request.session.pop(SESSION_PREFIX + token, None)
    if token.isalnum():
        (_staging() / token).unlink(missing_ok=True)


def _saved_profiles(viewer: Any) -> list[tuple[str, str]]:
    """Profiles saved with earlier batches (newest first, one per profile name)."""
    seen: dict[str, tuple[str, str]] = {}
    for batch in selectors.batches_list(viewer=viewer).exclude(profile=None)[:200]:
        name = str((batch.profile or {}).get("name") or "?")
        seen.setdefault(name, (str(batch.pk), _("%(name)s (lot n° %(n)s)") % {
            "name": name, "n": batch.pk}))
    return list(seen.values())


def _profile(viewer: Any, form: forms.ImportUploadForm) -> dict[str, Any] | None:
    data = form.cleaned_data
    if data.get("profile", "").strip():
        try:
            value = json.loads(data["profile"])
        except ValueError:
            value = None
        if not isinstance(value, dict):
            form.add_error("profile", _("Le profil doit être un objet JSON."))
            return None
        return value
    if data.get("saved_profile"):
        batch = selectors.batches_list(viewer=viewer).filter(pk=int(data["saved_profile"])).first()
        return dict(batch.profile) if batch is not None and batch.profile else None
    return None


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > max_upload_bytes()
    except ValueError:
        return False




@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: stage the file and show the dry run with a confirm button."""
    _require_importer(request)
    profiles = _saved_profiles(request.user)
    context: dict[str, Any] = {"max_bytes": max_upload_bytes(), "cli": CLI}
    if request.method != "POST":
        return render(request, "web/import_upload.html", {
            **context, "form": forms.ImportUploadForm(profiles=profiles)})
    if _too_large(request):
        kind = request.POST.get("kind") or "acled"
        context["loose"] = [_(
            "Fichier trop volumineux pour la page web (au-delà de %(max)s : l’import se fait "
            "pendant la requête). Utilisez la ligne de commande, qui lit le fichier en flux "
            "avec une barre de progression : « %(cli)s ».") % {
            "max": filesizeformat(max_upload_bytes()), "cli": CLI.get(kind, CLI["acled"])}]
        return render(request, "web/import_upload.html", {
            **context, "form": forms.ImportUploadForm(profiles=profiles)}, status=413)
    form = forms.ImportUploadForm(request.POST, request.FILES, profiles=profiles)
    loose: list[str] = []
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        profile = _profile(request.user, form)
        if kind in ("table", "uwazi") and profile is None and form.is_valid():
            form.add_error("saved_profile", _("Un profil de correspondance est requis pour ce "
                                              "type de fichier."))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            token, path = _stage(upload)
            try:
                report = services.batch_dry_run(
                    actor=request.user, path=path, kind=kind, profile=profile,
                    file_name=upload.name)
            except ValidationFailed as exc:
                loose = attach_problems(form, exc)
            except PermissionDenied:
                raise Http404 from None
            except TemoinError as exc:
                loose = [exc.message]
            else:
                if report.get("ok", True):
                    request.session[SESSION_PREFIX + token] = {
                        "kind": kind, "name": upload.name[:255], "profile": profile,
                        "geocode": form.cleaned_data["geocode"],
                        "flag_deletions": form.cleaned_data["flag_deletions"],
                        "size": upload.size}
                else:
                    _forget(request, token)
                    token = ""
                return render(request, "web/import_preview.html", {
                    **context, "report": _localised_report(report), "token": token, "kind": kind,
                    "kind_label": dict(forms.IMPORT_KINDS)[kind], "name": upload.name,
                    "size": upload.size, "flag_deletions": form.cleaned_data["flag_deletions"]})
            _forget(request, token)
    return render(request, "web/import_upload.html", {**context, "form": form, "loose": loose},
                  status=400)


def _localised_report(report: dict[str, Any]) -> dict[str, Any]:
    """A dry run's report with each quarantine reason and sample row in the viewer's language
    (the stable codes stay; the verbatim cells are not quoted in a preview)."""
    return {**report,
            "reason_labels": [(code, reason_label(code), count) for code, count in
                              (report.get("quarantine_reasons") or {}).items()],
            "sample_quarantined": [
                {**q, "localized": quarantine_message(
                    reason_code=q["reason_code"], row_number=q["row_number"],
                    field=q.get("field"), upstream_id=q.get("upstream_id"),
                    message=q.get("message", ""))}
                for q in report.get("sample_quarantined") or []]}


def _localised_rows(rows: Any) -> Any:
    """Each quarantined row with ``localized``: its reason in the viewer's language."""
    for row in rows:
        row.localized = row_message(row)
    return rows


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    token = request.POST.get("token", "")
    staged = _staged(request, token)
    if staged is None:
        messages.error(request, _("Ce fichier n’est plus en attente : déposez-le à nouveau."))
        return redirect("import-upload")
    state, path = staged
    if request.POST.get("cancel"):
        _forget(request, token)
        messages.info(request, _("Import annulé : rien n’a été écrit."))
        return redirect("import-upload")
    options: dict[str, Any] = {"geocode": bool(state.get("geocode"))}
    if state["kind"] in ("acled", "acled_json", "ucdp"):
        options["flag_deletions"] = bool(state.get("flag_deletions"))
    try:
        batch = services.batch_import(actor=request.user, kind=state["kind"], path=path,
                                      file_name=state["name"], profile=state.get("profile"),
                                      **options)
    except PermissionDenied:
        raise Http404 from None
    except ValidationFailed as exc:
        for problems in exc.fields.values():
            for code, message in problems:
                messages.error(request, problem_message(code, message))
        return redirect("import-upload")
    except TemoinError as exc:
        messages.error(request, exc.message)
        return redirect("import-upload")
    finally:
        if request.session.get(SESSION_PREFIX + token):
            _forget(request, token)
    messages.success(request, _("Import terminé."))
    return redirect("import-batch", pk=batch.pk)


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    batches = selectors.batches_list(viewer=request.user, kind=request.GET.get("kind") or None)
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    return render(request, "web/import_batches.html", {
        "page": page, "kinds": forms.IMPORT_KINDS,
        "qs": f"kind={request.GET['kind']}" if request.GET.get("kind") in services.KINDS else "",
        "open_quarantine": selectors.quarantine_list(viewer=request.user).count()})


def _batch_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    try:
        return access.access_batch_by_id(request.user, pk)  # type: ignore[no-any-return]
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    detail = selectors.batch_detail(batch)
    changes = selectors.batch_changes(viewer=request.user, batch=batch)
    outcome = request.GET.get("outcome")
    if outcome in ("updated", "flagged_deleted"):
        changes = changes.filter(outcome=outcome)
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    kept = None if batch.stored_path else visible_evidence(request.user).filter(
        sha256=batch.file_sha256).first()
    return render(request, "web/import_batch.html", {
        "kept": kept,
        "batch": batch, "detail": detail, "report": batch.report or {}, "page": page,
        "outcome": outcome or "", "qs": f"outcome={outcome}" if outcome else "",
        "profile_json": json.dumps(batch.profile, ensure_ascii=False, indent=1)
        if batch.profile else "",
        "settings_json": json.dumps(batch.settings, ensure_ascii=False, indent=1),
        "quarantine": _localised_rows(list(selectors.quarantine_list(
            viewer=request.user, batch_id=batch.pk, status=None)[:200]))})


@login_required
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    status = request.GET.get("status") or "open"
    if status not in (*QuarantinedRow.Status.values, "all"):
        status = "open"
    batch_id = int(request.GET["batch"]) if request.GET.get("batch", "").isdigit() else None
    rows = selectors.quarantine_list(viewer=request.user, batch_id=batch_id,
                                     status=None if status == "all" else status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = _localised_rows(list(page.object_list))
    return render(request, "web/import_quarantine.html", {
        "page": page, "status": status, "batch_id": batch_id,
        "qs": f"status={status}" + (f"&batch={batch_id}" if batch_id else ""),
        "statuses": [("open", _("ouvertes")), ("imported", _("importées")),
                     ("still_failing", _("échouent encore")), ("all", _("toutes"))]})


def _row_or_404(request: HttpRequest, pk: int) -> QuarantinedRow:
    try:
        return access.access_quarantined_row_by_id(request.user, pk)  # type: ignore[no-any-return]
    except NotFound:
        raise Http404 from None


@login_required
def quarantine_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One quarantined row, verbatim (unless sealed), with the cells to fix and retry.
    Viewing a row's content is audited (it may hold what a partner sent in confidence)."""
    row: Any = _row_or_404(request, pk)
    view = selectors.quarantined_row_view(row, with_raw=True)
    raw: dict[str, Any] | None = view.get("raw")
    if raw is not None:  # the file's column order (a JSON column may not keep it)
        order = [name for name in row.field_names or [] if name in raw]
        raw = {**{name: raw[name] for name in order}, **raw}
    form = forms.QuarantineRetryForm(request.POST or None, raw=raw) if raw is not None else None
    loose: list[str] = []
    if request.method == "POST":
        fixes = form.fixes(raw) if form is not None and raw is not None and form.is_valid() \
            else {}
        if form is None or form.is_valid():
            try:
                row = services.quarantine_retry(actor=request.user, row=row, fixes=fixes)
            except PermissionDenied:
                raise Http404 from None
            except ValidationFailed as exc:
                loose = [problem_message(c, m) for problems in exc.fields.values()
                         for c, m in problems]
            except TemoinError as exc:
                loose = [exc.message]
            else:
                if row.status == QuarantinedRow.Status.IMPORTED:
                    messages.success(request, _("Ligne importée dans son lot."))
                else:
                    messages.error(request, _("La ligne échoue encore : %(message)s") % {
                        "message": row_message(row)})
                return redirect("import-quarantine-row", pk=row.pk)
    elif raw is not None:
        with transaction.atomic():
            audit_record(actor=request.user, action="intake.quarantine_view", target=row,
                         details={"batch": row.batch_id, "row_number": row.row_number})
    return render(request, "web/import_quarantine_row.html", {
        "row": row, "view": view, "form": form, "loose": loose},
        status=400 if request.method == "POST" else 200)
