"""Evidence pages: the evidence section of the event page (context built here), upload of a
file into the vault from the event page, the item page (metadata, working copies, custody
timeline with inclusion proofs) and the audited download of the evidentiary copy.

Everything goes through ``temoin.evidence`` services and selectors: the vault, the custody
log and the audit rows are theirs. File names never appear (the vault keeps them sealed).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from temoin.accounts.models import Role, User
from temoin.audit.services import audit_record
from temoin.cases import access, policy, selectors
from temoin.cases.models import Confidentiality
from temoin.errors import NotFound, PermissionDenied, TemoinError, ValidationFailed
from temoin.evidence import selectors as evidence_selectors
from temoin.evidence import services as evidence_services
from temoin.evidence.access import access_evidence_by_sha, visible_evidence
from temoin.keys.errors import IdentitiesSealed
from temoin.web import forms, vocab
from temoin.web.messages import problem_message

DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024


def max_upload_bytes() -> int:
    """Largest evidence file the web form accepts (``TEMOIN_WEB_EVIDENCE_MAX_BYTES``);
    larger files go through ``temoin evidence ingest`` (streamed, progress bar)."""
    return int(getattr(settings, "TEMOIN_WEB_EVIDENCE_MAX_BYTES", DEFAULT_MAX_UPLOAD))


def _event_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return access.access_event_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None


def _item_or_404(request: HttpRequest, sha256: str) -> Any:
    try:
        return access_evidence_by_sha(request.user, sha256)
    except NotFound:
        raise Http404 from None


def _acts(event: Any) -> list[Any]:
    labels = vocab.term_labels("act_types")
    acts = list(event.acts.order_by("pk"))
    for act in acts:
        act.type_label = labels.get(act.act_type, act.act_type)
    return acts


def upload_form(request: HttpRequest, event: Any, data: Any = None, files: Any = None
                ) -> forms.EvidenceUploadForm:
    sources = selectors.event_sources(viewer=request.user, event=event)
    return forms.EvidenceUploadForm(data, files, event=event, acts=_acts(event), sources=sources)


def event_evidence_context(request: HttpRequest, event: Any, can_edit: bool) -> dict[str, Any]:
    """The event page's evidence section: visible items of the event, its acts and its
    sources, with their derivative relations; the upload form for those who may add."""
    items = evidence_selectors.evidence_for_event(request.user, event, with_sources=True)
    shas = {i["sha256"] for i in items}
    for item in items:
        item["derivatives"] = [i["sha256"] for i in items if i["derived_from"] == item["sha256"]]
        item["derived_from_visible"] = item["derived_from"] in shas
    can_add = can_edit and policy.can_ingest_evidence(request.user)
    return {"evidence": items,
            "evidence_form": upload_form(request, event) if can_add else None,
            "evidence_max": max_upload_bytes()}


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > max_upload_bytes()
    except ValueError:
        return False


def _render_upload(request: HttpRequest, event: Any, form: Any, loose: list[str],
                   status: int) -> HttpResponse:
    return render(request, "web/evidence_upload.html", {
        "event": event, "form": form, "loose": loose, "evidence_max": max_upload_bytes()},
        status=status)


@login_required
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the upload form alone; POST (multipart): ingest into the vault, then the item."""
    event = _event_or_404(request, pk)
    if not (policy.can_edit_event(request.user, event)
            and policy.can_ingest_evidence(request.user)):
        raise Http404
    if request.method != "POST":
        if event.confidentiality >= Confidentiality.RESTRICTED:
            with transaction.atomic():
                audit_record(actor=request.user, action="event.view", target=event,
                             details={"page": "pieces"})
        return _render_upload(request, event, upload_form(request, event), [], 200)
    if _too_large(request):
        message = _("Fichier trop volumineux pour le formulaire web (au-delà de %(max)s) : "
                    "déposez-le avec la commande « temoin evidence ingest FICHIER --event "
                    "%(ref)s --reason … » (flux continu, barre de progression).") % {
            "max": filesizeformat(max_upload_bytes()), "ref": event.reference}
        return _render_upload(request, event, upload_form(request, event), [message], 413)
    form = upload_form(request, event, request.POST, request.FILES)
    loose: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        target = data["attach_to"]
        acts = [a for a in event.acts.all() if f"act-{a.pk}" == target]
        source = None
        if data.get("source"):
            try:
                source = access.access_source_by_id(request.user, int(data["source"]))
            except NotFound:
                form.add_error("source", _("Source introuvable."))
        if form.is_valid():
            try:
                outcome = evidence_services.evidence_ingest(
                    actor=request.user, file=data["file"], reason=data["reason"],
                    events=[] if acts else [event], acts=acts, source=source,
                    declared_sha256=(data.get("declared_sha256") or "").lower() or None)
            except ValidationFailed as exc:
                for name, problems in exc.fields.items():
                    field = {"events": "attach_to", "acts": "attach_to",
                             "links": "attach_to"}.get(name, name)
                    for code, message in problems:
                        if field in form.fields:
                            form.add_error(field, problem_message(code, message))
                        else:
                            loose.append(problem_message(code, message))
            except PermissionDenied:
                raise Http404 from None
            except TemoinError as exc:
                loose.append(exc.message)
            else:
                item = outcome.item
                if outcome.duplicate:
                    messages.info(request, _("Ce fichier était déjà au coffre : la pièce "
                                             "existante est rattachée."))
                else:
                    messages.success(request, _("Pièce enregistrée au coffre."))
                if outcome.findings:
                    messages.warning(request, _("Constats à l’entrée : %(codes)s") % {
                        "codes": ", ".join(outcome.findings)})
                return redirect("evidence-item", sha256=item.sha256)
    return _render_upload(request, event, form, loose, 400)


def _actor_labels(request: HttpRequest, entries: list[dict[str, Any]]) -> dict[str, str]:
    """Custody actors are pseudonymous (``u-<id>``); host staff see the account name."""
    if not policy.is_host_staff(request.user):
        return {}
    ids = {int(e["actor"][2:]) for e in entries
           if str(e["actor"]).startswith("u-") and e["actor"][2:].isdigit()}
    return {f"u-{pk}": name for pk, name in
            User.objects.filter(pk__in=ids).values_list("pk", "username")}


ACTIONS = {
    "ingest": gettext_lazy("Entrée au coffre"),
    "ingest_duplicate": gettext_lazy("Nouveau dépôt du même fichier"),
    "access": gettext_lazy("Consultation de l’original"), "export": gettext_lazy("Export"),
    "transfer": gettext_lazy("Transfert"),
    "derivative_created": gettext_lazy("Copie de travail créée"),
    "fixity_check": gettext_lazy("Contrôle d’intégrité"),
    "key_destroyed": gettext_lazy("Clé détruite"),
    "metadata_added": gettext_lazy("Métadonnée ajoutée"),
    "proof_verdict": gettext_lazy("Verdict de preuve"),
    "link": gettext_lazy("Rattachement"), "unlink": gettext_lazy("Rattachement retiré"),
}


def _action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


@login_required
@require_GET
def evidence_item(request: HttpRequest, sha256: str) -> HttpResponse:
    """An item: summary, metadata (for those who may open the original, keys unsealed),
    working copies and original, custody timeline with inclusion-proof status. Audited."""
    return _item_page(request, _item_or_404(request, sha256))


def _item_page(request: HttpRequest, item: Any, copy_form: Any = None,
               status: int = 200) -> HttpResponse:
    viewer = request.user
    with transaction.atomic():
        audit_record(actor=viewer, action="evidence.view", target=item,
                     details={"sha256": item.sha256})
    summary = evidence_selectors.evidence_summary(viewer, item)
    visible = visible_evidence(viewer)
    derived_from = visible.filter(pk=item.derived_from_id).first() \
        if item.derived_from_id else None
    derivatives = list(visible.filter(derived_from=item).order_by("ingest_seq"))
    event_ids = {e["id"] for e in summary["events"]} | set(
        item.acts.values_list("event_id", flat=True))
    events = list(access.visible_events(viewer).filter(pk__in=event_ids).order_by("reference"))
    record, record_note = None, ""
    if summary["can_open_original"]:
        try:
            record = evidence_selectors.evidence_record(viewer, item)
        except IdentitiesSealed:
            record_note = _("Clés scellées : les métadonnées extraites sont chiffrées avec "
                            "la pièce ; un dépositaire doit desceller les clés.")
        except TemoinError as exc:
            record_note = exc.message
    else:
        record_note = _("Les métadonnées extraites (heure, GPS, appareil) peuvent identifier "
                        "des personnes : réservées à ceux qui peuvent ouvrir l’original.")
    timeline = evidence_selectors.custody_timeline(viewer, item.sha256)
    inclusion = evidence_selectors.custody_inclusion(viewer, item.sha256)
    names = _actor_labels(request, timeline)
    roles = dict(Role.choices)
    for entry in timeline:
        entry["who"] = names.get(entry["actor"], entry["actor"])
        entry["when"] = str(entry["time_utc"]).replace("T", " ").split(".")[0].rstrip("Z")
        entry["action_label"] = _action_label(entry["action"])
        entry["role_label"] = roles.get(entry["role"], entry["role"])
        entry["inclusion"] = inclusion["status"].get(entry["seq"], "pending")
    return render(request, "web/evidence_item.html", {
        "item": item, "summary": summary, "derived_from": derived_from,
        "derivatives": derivatives, "events": events, "record": record,
        "record_note": record_note, "timeline": timeline, "inclusion": inclusion,
        "original_form": forms.OriginalForm() if summary["can_open_original"] else None,
        "copy_form": copy_form if copy_form is not None else (
            forms.WorkingCopyForm() if summary["can_open_original"] and not item.shredded
            else None),
        "evidence_max": max_upload_bytes(),
    }, status=status)


@login_required
@require_POST
def evidence_original(request: HttpRequest, sha256: str) -> HttpResponseBase:
    """The evidentiary copy, streamed; the service writes the custody entry and audit row
    (and an ``evidence.open_refused`` audit row for a refused request)."""
    item = _item_or_404(request, sha256)
    form = forms.OriginalForm(request.POST)
    if not form.is_valid():
        if not policy.can_open_evidence_original(request.user, item):
            raise Http404
        messages.error(request, _("Indiquez la raison de l’accès à l’original."))
        return redirect("evidence-item", sha256=item.sha256)
    try:
        chunks = evidence_services.evidence_open_original(
            viewer=request.user, item=item, reason=form.cleaned_data["reason"])
    except PermissionDenied:
        raise Http404 from None
    except IdentitiesSealed:
        messages.error(request, _("Clés scellées : un dépositaire doit desceller les clés "
                                  "pour lire les originaux."))
        return redirect("evidence-item", sha256=item.sha256)
    except TemoinError as exc:
        messages.error(request, exc.message)
        return redirect("evidence-item", sha256=item.sha256)
    response = StreamingHttpResponse(chunks, content_type=item.media_type)
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = f'attachment; filename="{item.sha256}"'
    response["Content-Length"] = str(item.size)
    return response


@login_required
@require_POST
def evidence_working_copy(request: HttpRequest, sha256: str) -> HttpResponse:
    """Store a working copy linked to its original (``evidence_derive``: custody entry
    ``derivative_created``, audit ``evidence.derive``); the original is never touched."""
    original = _item_or_404(request, sha256)
    if not policy.can_open_evidence_original(request.user, original):
        raise Http404
    if _too_large(request):
        messages.error(request, _("Fichier trop volumineux pour le formulaire web : utilisez "
                                  "l’API ou la ligne de commande."))
        return redirect("evidence-item", sha256=original.sha256)
    form = forms.WorkingCopyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = evidence_services.evidence_derive(
                actor=request.user, original=original, file=data["file"],
                operation={"name": data["operation"], "tool": data["tool"],
                           "tool_version": data["tool_version"]},
                reason=data["reason"], redacted=data["redacted"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationFailed as exc:
            for name, problems in exc.fields.items():
                for code, message in problems:
                    form.add_error(name if name in form.fields else None,
                                   problem_message(code, message))
        except TemoinError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Copie de travail enregistrée ; l’original est "
                                        "inchangé."))
            return redirect("evidence-item", sha256=outcome.item.sha256)
    return _item_page(request, original, copy_form=form, status=400)
