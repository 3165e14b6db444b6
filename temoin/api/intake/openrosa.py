"""OpenRosa 1.0 endpoints for ODK Collect, KoboCollect and Tella (server URL
``https://<host>/api/openrosa``):

    GET  formList                       the forms this user may fill (XForms list)
    GET  forms/<id>/form.xml            the XForm (pyxform), with the ODK public key if set
    GET  forms/<id>/manifest            media manifest (the shipped forms have none)
    HEAD submission                     204 + X-OpenRosa-Accept-Content-Length
    POST submission                     multipart: xml_submission_file + attachments → 201

Every response carries ``X-OpenRosa-Version: 1.0``. Authentication is HTTP **Basic over
HTTPS** (checked against the Argon2 password hash), refused over plain HTTP unless
``settings.TEMOIN_OPENROSA_ALLOW_HTTP`` is set (development). Digest is not offered: it needs
an MD5 password verifier (HA1) stored beside each account, which a seized database would
give away for offline guessing far faster than Argon2 — see docs/readme/intake.md.
"""

from __future__ import annotations

import base64
import binascii
from email.utils import formatdate
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from temoin.audit.context import audit_context
from temoin.cases import policy
from temoin.core.intake.odk import (
    FormListEntry,
    form_list_xml,
    manifest_xml,
    submission_response_xml,
)
from temoin.core.intake.odk.form_definitions import FORM_VERSION
from temoin.errors import TemoinError
from temoin.intake import odk

MAX_SUBMISSION_BYTES = 10 * 1024 * 1024
REALM = "Temoin OpenRosa"


def _response(body: bytes, status: int = 200, *, content_type: str = "text/xml; charset=utf-8"
              ) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(MAX_SUBMISSION_BYTES)
    response["Date"] = formatdate(usegmt=True)
    response["Cache-Control"] = "no-store"
    return response


def _message(text: str, status: int) -> HttpResponse:
    nature = "submit_success" if status < 300 else "error"
    return _response(submission_response_xml(text, nature=nature), status)


def _challenge(text: str) -> HttpResponse:
    response = _message(text, 401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _user(request: HttpRequest) -> Any:
    """The authenticated field user, or an HttpResponse refusing the request."""
    secure = request.is_secure() or getattr(settings, "TEMOIN_OPENROSA_ALLOW_HTTP", False)
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not secure:
        return _message("HTTPS est obligatoire pour l'envoi de formulaires.", 403)
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return _challenge("Authentification requise.")
    try:
        username, _, password = base64.b64decode(value, validate=True).decode("utf-8") \
            .partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return _challenge("Authentification invalide.")
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return _challenge("Identifiants refusés.")
    if not policy.can_create(user):
        return _message("Ce compte ne peut pas envoyer de formulaires.", 403)
    return user


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/openrosa/").rstrip("/")


@csrf_exempt
def form_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if isinstance(user, HttpResponse):
        return user
    base = _base(request)
    entries = []
    for form_id in odk.form_ids():
        xml = odk.form_xml(form_id, submission_url=f"{base}/submission")
        entries.append(FormListEntry(
            form_id=form_id, name=odk.form_title(form_id), version=FORM_VERSION, xform=xml,
            download_url=f"{base}/forms/{form_id}/form.xml",
            manifest_url=f"{base}/forms/{form_id}/manifest"))
    return _response(form_list_xml(entries))


@csrf_exempt
def form_xml(request: HttpRequest, form_id: str) -> HttpResponse:
    user = _user(request)
    if isinstance(user, HttpResponse):
        return user
    if form_id not in odk.form_ids():
        return _message("Formulaire introuvable.", 404)
    return _response(odk.form_xml(form_id, submission_url=f"{_base(request)}/submission"))


@csrf_exempt
def form_manifest(request: HttpRequest, form_id: str) -> HttpResponse:
    user = _user(request)
    if isinstance(user, HttpResponse):
        return user
    if form_id not in odk.form_ids():
        return _message("Formulaire introuvable.", 404)
    return _response(manifest_xml([]))


@csrf_exempt
def submission(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if isinstance(user, HttpResponse):
        return user
    if request.method == "HEAD":
        return _response(b"", 204)
    if request.method != "POST":
        return _message("POST attendu.", 405)
    main = request.FILES.get("xml_submission_file")
    if main is None:
        return _message("Partie xml_submission_file manquante.", 400)
    if (main.size or 0) > MAX_SUBMISSION_BYTES:
        return _message("Soumission trop volumineuse.", 413)
    files: dict[str, bytes] = {}
    for name, upload in request.FILES.items():
        if name != "xml_submission_file" and hasattr(upload, "read"):
            files[str(getattr(upload, "name", name))] = upload.read()
    ip = request.META.get("REMOTE_ADDR", "")
    try:
        with audit_context(via="openrosa", ip=ip):
            outcome = odk.submission_receive(actor=user, xml=main.read(), files=files)
    except TemoinError as error:
        return _message(f"{error.code}: {error.message}", error.http_status)
    return _message(outcome.message, outcome.status)
