"""API routes of the evidence domain (mounted at /api/)."""

from django.urls import path, re_path

from temoin.api.evidence import views

SHA = r"(?P<sha256>[0-9a-fA-F]{64})"

urlpatterns = [
    path("evidence/", views.EvidenceListView.as_view(), name="evidence-list"),
    path("evidence/verify/", views.EvidenceVerifyView.as_view(), name="evidence-verify"),
    path("evidence/export/", views.EvidenceExportView.as_view(), name="evidence-export"),
    path("evidence/custody/checkpoint/", views.CustodyCheckpointView.as_view(),
         name="evidence-checkpoint"),
    path("evidence/custody/key/", views.CustodyKeyView.as_view(), name="evidence-custody-key"),
    path("evidence/custody/checkpoints/", views.CheckpointStatusView.as_view(),
         name="evidence-checkpoints"),
    path("evidence/custody/timestamp/", views.CheckpointTimestampView.as_view(),
         name="evidence-timestamp"),
    path("evidence/witness/checkpoint/", views.WitnessCheckpointView.as_view(),
         name="evidence-witness-checkpoint"),
    path("evidence/witness/cosignature/", views.WitnessCosignatureView.as_view(),
         name="evidence-witness-cosignature"),
    path("evidence/witness/keys/", views.WitnessKeysView.as_view(), name="evidence-witness-keys"),
    re_path(rf"^evidence/{SHA}/$", views.EvidenceDetailView.as_view(), name="evidence-detail"),
    re_path(rf"^evidence/{SHA}/timeline/$", views.EvidenceTimelineView.as_view(),
            name="evidence-timeline"),
    re_path(rf"^evidence/{SHA}/original/$", views.EvidenceOriginalView.as_view(),
            name="evidence-original"),
    re_path(rf"^evidence/{SHA}/derive/$", views.EvidenceDeriveView.as_view(), name="evidence-derive"),
    re_path(rf"^evidence/{SHA}/link/$", views.EvidenceLinkView.as_view(), name="evidence-link"),
    re_path(rf"^evidence/{SHA}/unlink/$", views.EvidenceUnlinkView.as_view(), name="evidence-unlink"),
    re_path(rf"^evidence/{SHA}/shred/$", views.EvidenceShredView.as_view(), name="evidence-shred"),
]
