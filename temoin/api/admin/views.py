"""Administration endpoints: audit log, its verification, and key sealing."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.api.cases.views import _body, _paginate
from temoin.audit.models import AuditEntry
from temoin.audit.selectors import audit_search, audit_verify
from temoin.cases import policy
from temoin.cases.services import persons_reindex_pending
from temoin.errors import NotFound
from temoin.keys import services as keys
from temoin.keys.selectors import keys_status


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["sequence", "at", "actor_username", "organisation", "action", "target_type",
                  "target_id", "reason", "via", "ip", "details", "entry_hash"]


def _admin_only(request: Request) -> None:
    if not policy.can_administer(request.user):
        raise NotFound("Ressource introuvable.")


class AuditListView(APIView):
    def get(self, request: Request) -> Response:
        _admin_only(request)
        params = request.query_params
        entries = audit_search(action=params.get("action"), target_type=params.get("target_type"),
                               target_id=params.get("target_id"),
                               actor_id=int(params["actor"]) if params.get("actor", "").isdigit()
                               else None)
        return _paginate(request, self, entries, AuditEntrySerializer)


class AuditVerifyView(APIView):
    def get(self, request: Request) -> Response:
        _admin_only(request)
        verdict = audit_verify()
        return Response({"ok": verdict.ok, "checked": verdict.chain.checked,
                         "first_bad_sequence": verdict.chain.first_bad_sequence,
                         "problem": verdict.chain.problem or verdict.head_problem})


class KeyStatusView(APIView):
    def get(self, request: Request) -> Response:
        status = keys_status()
        return Response({"initialised": status.initialised, "sealed": status.sealed,
                         "key_id": status.key_id})


class KeyActionView(APIView):
    """POST /keys/unseal {passphrase} and /keys/seal. Administrators only."""

    @extend_schema(request=dict)
    def post(self, request: Request, action: str) -> Response:
        _admin_only(request)
        if action == "unseal":
            keys.keys_unseal(actor=request.user, passphrase=str(_body(request).get("passphrase", "")))
            reindexed = persons_reindex_pending(actor=request.user)
            return Response({"sealed": False, "reindexed": reindexed})
        if action == "seal":
            keys.keys_seal(actor=request.user)
            return Response({"sealed": True})
        raise NotFound(f"Action inconnue : {action}.")
