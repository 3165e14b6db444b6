"""API tokens: password, and for the roles that must use a second factor, a TOTP code.

Without this, `POST /api/auth/token/` would let an administrator, analyst or reviewer skip the
TOTP that the web sign-in enforces.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from temoin.audit.services import audit_record
from temoin.errors import PermissionDenied


class TokenView(APIView):
    """POST {username, password, otp_token?} → {token}."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=dict)
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if user.role in settings.TEMOIN_OTP_ROLES:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            code = str(request.data.get("otp_token", "")).strip()
            if device is None:
                raise PermissionDenied("Configurez d'abord la double authentification (web).",
                                       code="auth.otp_not_set_up")
            if not (device.verify_is_allowed()[0] and device.verify_token(code)):
                with transaction.atomic():
                    audit_record(actor=user, action="auth.token_refused", target=user)
                raise PermissionDenied("Code TOTP manquant ou invalide.", code="auth.otp_invalid")
        with transaction.atomic():
            token, _ = Token.objects.get_or_create(user=user)
            audit_record(actor=user, action="auth.token_issued", target=user)
        return Response({"token": token.key})
