"""OpenRosa 1.0 endpoints for ODK Collect, KoboCollect and Tella (server URL
``https://<host>/api/openrosa``):

    GET  formList                       the forms this user may fill (XForms list)
    GET  forms/<id>/form.xml            the XForm (pyxform), with the ODK public key if set
    GET  forms/<id>/manifest            media manifest (the shipped forms have none)
    HEAD submission                     204 + X-OpenRosa-Accept-Content-Length
    POST submission                     multipart: xml_submission_file + attachments → 201

Every response carries ``X-OpenRosa-Version: 1.0``. Everything is refused over plain HTTP
unless ``settings.TEMOIN_OPENROSA_ALLOW_HTTP`` is set (development).

Authentication (``settings.TEMOIN_OPENROSA_AUTH``, default ``("digest",)``):

* **Digest** (RFC 7616, what the OpenRosa spec asks for) with the user's *device password*
  (``temoin.intake.odk.openrosa_password_set``; only its HA1 verifiers are stored, never the
  account password). ``qop=auth``; ``MD5`` and ``SHA-256`` responses are accepted; the
  challenge offers ``settings.TEMOIN_OPENROSA_DIGEST_ALGORITHMS`` (default ``("MD5",)``,
  which every OpenRosa client speaks; put ``"SHA-256"`` first once your devices support it).
  Nonces are HMAC-authenticated and expire after ``TEMOIN_OPENROSA_NONCE_SECONDS`` (300 s:
  the client is told ``stale=true`` and retries without asking the user); each nonce-count
  is accepted once and must increase (``OpenRosaNonce``): a replayed request is refused.
* **Basic**, only when ``"basic"`` is added to the setting, and then only on HTTPS requests
  (never offered nor accepted over plain HTTP, even with ``TEMOIN_OPENROSA_ALLOW_HTTP``),
  with the account password (Argon2) or the device password.

Why Digest only by default: the OpenRosa Authentication API requires devices to speak Digest
(and Basic), servers at least one; ODK Collect registers its Digest authenticator always and
Basic only for ``https`` URLs, and answers the first challenge whose scheme it knows. Django
sends one header per name, so several challenges must share one ``WWW-Authenticate`` value;
the Digest parsers of okhttp-digest (Collect) and python ``requests`` read that whole value as
one parameter list (the last challenge's parameters win). A single Digest challenge is read
the same way by every client, and the account password never leaves a device. With several
``TEMOIN_OPENROSA_DIGEST_ALGORITHMS``, the preferred one is therefore sent *last*.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import time
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.audit.context import audit_context
from temoin.cases import policy
from temoin.core.intake.errors import AuthorizationError
from temoin.core.intake.odk import (
    FormListEntry,
    digest,
    form_list_xml,
    manifest_xml,
    submission_response_xml,
)
from temoin.core.intake.odk.form_definitions import FORM_VERSION
from temoin.errors import NotFound, PermissionDenied, TemoinError
from temoin.intake import odk
from temoin.intake.models import OpenRosaCredential, OpenRosaNonce

MAX_SUBMISSION_BYTES = 10 * 1024 * 1024
REALM = odk.OPENROSA_REALM


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


def _schemes() -> tuple[str, ...]:
    return tuple(getattr(settings, "TEMOIN_OPENROSA_AUTH", ("digest",)))


def _basic_allowed(request: HttpRequest) -> bool:
    """Basic only when enabled and over HTTPS (it carries the password itself)."""
    return "basic" in _schemes() and request.is_secure()


def _digest_algorithms() -> tuple[str, ...]:
    """The configured algorithms, the preferred (first configured) one challenged last: the
    clients' Digest parsers keep the last challenge's parameters of a combined header."""
    return tuple(reversed(tuple(getattr(settings, "TEMOIN_OPENROSA_DIGEST_ALGORITHMS",
                                        ("MD5",)))))


def _nonce_seconds() -> int:
    return int(getattr(settings, "TEMOIN_OPENROSA_NONCE_SECONDS", 300))


def _secret() -> bytes:
    return hashlib.sha256(b"temoin-openrosa-digest:" + settings.SECRET_KEY.encode()).digest()


def _opaque() -> str:
    return hmac.new(_secret(), b"opaque", hashlib.sha256).hexdigest()[:32]


def _challenge(request: HttpRequest, text: str, *, stale: bool = False) -> HttpResponse:
    """401 with the challenges: Digest (one per algorithm, preferred last), then Basic when
    enabled and the request came over HTTPS."""
    response = _message(text, 401)
    values = []
    if "digest" in _schemes():
        nonce = digest.make_nonce(_secret(), now=int(time.time()))
        values += [digest.challenge(realm=REALM, nonce=nonce, opaque=_opaque(),
                                    algorithm=algorithm, stale=stale)
                   for algorithm in _digest_algorithms()]
    if _basic_allowed(request):
        values.append(f'Basic realm="{REALM}", charset="UTF-8"')
    if values:
        response["WWW-Authenticate"] = ", ".join(values)
    return response


def _basic_user(request: HttpRequest, value: str) -> Any:
    try:
        username, _, password = base64.b64decode(value, validate=True).decode("utf-8") \
            .partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return _challenge(request, "Authentification invalide.")
    user = authenticate(request, username=username, password=password)
    if user is None:  # the device password works too
        credential = OpenRosaCredential.objects.select_related("user").filter(
            user__username=username, realm=REALM).first()
        if credential is not None and hmac.compare_digest(
                credential.ha1_sha256, digest.ha1("SHA-256", username, REALM, password)):
            user = credential.user
    if user is None or not user.is_active:
        return _challenge(request, "Identifiants refusés.")
    return user


def _uri_matches(request: HttpRequest, uri: str) -> bool:
    parts = urlsplit(uri)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path == request.get_full_path()


def _nonce_count_fresh(user: Any, nonce: str, count: int) -> bool:
    """Record ``count`` for ``nonce``; False when it is not above every count seen."""
    with transaction.atomic():
        if OpenRosaNonce.objects.filter(nonce=nonce, user=user, last_nc__lt=count) \
                .update(last_nc=count):
            return True
        if OpenRosaNonce.objects.filter(nonce=nonce).exists():
            return False
        horizon = timezone.now() - dt.timedelta(seconds=2 * _nonce_seconds())
        OpenRosaNonce.objects.filter(first_used_at__lt=horizon).delete()
        try:
            with transaction.atomic():
                OpenRosaNonce.objects.create(nonce=nonce, user=user, last_nc=count)
        except IntegrityError:  # the same nonce-count raced in from another request
            return False
    return True


def _digest_user(request: HttpRequest, header: str) -> Any:
    try:
        credentials = digest.parse_authorization(header)
    except AuthorizationError as error:
        return _challenge(request, f"Authentification invalide ({error.field or 'en-tête'}).")
    age = digest.nonce_age(_secret(), credentials.nonce, now=int(time.time()))
    if age is None or credentials.realm != REALM or not _uri_matches(request, credentials.uri):
        return _challenge(request, "Authentification invalide.")
    stored = OpenRosaCredential.objects.select_related("user").filter(
        user__username=credentials.username, realm=REALM).first()
    verifier = None if stored is None else (
        stored.ha1_md5 if credentials.algorithm == "MD5" else stored.ha1_sha256)
    expected = "" if verifier is None else digest.expected_response(
        credentials, method=request.method or "GET", ha1_hex=verifier)
    if stored is None or not hmac.compare_digest(expected, credentials.response):
        return _challenge(request, "Identifiants refusés.")
    if age < 0 or age > _nonce_seconds():
        return _challenge(request, "Nonce expiré.", stale=True)
    if not _nonce_count_fresh(stored.user, credentials.nonce, credentials.nc):
        return _challenge(request, "Requête rejouée (nonce-count déjà utilisé).")
    return stored.user if stored.user.is_active else _challenge(request, "Identifiants refusés.")


def _user(request: HttpRequest) -> Any:
    """The authenticated field user, or an HttpResponse refusing the request."""
    secure = request.is_secure() or getattr(settings, "TEMOIN_OPENROSA_ALLOW_HTTP", False)
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not secure:
        return _message("HTTPS est obligatoire pour l'envoi de formulaires.", 403)
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "digest" and "digest" in _schemes():
        user = _digest_user(request, header)
    elif scheme == "basic" and value and _basic_allowed(request):
        user = _basic_user(request, value)
    else:
        return _challenge(request, "Authentification requise.")
    if isinstance(user, HttpResponse):
        return user
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


class DevicePasswordView(APIView):
    """``POST {"user": id?, "password": …?}``: set the OpenRosa device password of yourself
    (or, administrators, of anyone); without ``password`` one is generated and returned once.
    ``DELETE {"user": id?}``: revoke it. Answers never contain a stored verifier."""

    def _target(self, request: Request) -> Any:
        from django.contrib.auth import get_user_model

        raw = request.data.get("user") if hasattr(request.data, "get") else None
        if raw in (None, "") or str(raw) == str(request.user.pk):
            return request.user
        if not policy.can_administer(request.user):
            raise PermissionDenied("Seul un administrateur gère le mot de passe d'un autre.")
        try:
            return get_user_model().objects.get(pk=int(str(raw)))
        except (ValueError, get_user_model().DoesNotExist):
            raise NotFound("Utilisateur introuvable.") from None

    def post(self, request: Request) -> Response:
        user = self._target(request)
        password = request.data.get("password") if hasattr(request.data, "get") else None
        chosen = odk.openrosa_password_set(actor=request.user, user=user,
                                           password=str(password) if password else None)
        body: dict[str, Any] = {"user": user.pk, "realm": REALM, "username": user.get_username()}
        if not password:
            body["password"] = chosen  # generated: shown this once
        return Response(body, status=201)

    def delete(self, request: Request) -> Response:
        user = self._target(request)
        return Response({"user": user.pk,
                         "revoked": odk.openrosa_password_revoke(actor=request.user, user=user)})
