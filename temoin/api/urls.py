"""REST API routes. OpenAPI schema at /api/schema/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from temoin.api.admin import views as admin
from temoin.api.auth import TokenView
from temoin.api.cases import views as cases

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("events/", cases.EventListView.as_view(), name="api-event-list"),
    path("events/<int:pk>/", cases.EventDetailView.as_view(), name="api-event-detail"),
    path("events/<int:pk>/history/", cases.EventHistoryView.as_view(), name="api-event-history"),
    path("events/<int:pk>/revert/", cases.EventRevertView.as_view(), name="api-event-revert"),
    path("events/<int:pk>/<str:action>/", cases.EventActionView.as_view(), name="api-event-action"),
    path("acts/<int:pk>/", cases.ActDetailView.as_view(), name="api-act-detail"),
    path("acts/<int:pk>/involvements/", cases.ActInvolvementView.as_view(),
         name="api-act-involvements"),
    path("involvements/<int:pk>/remove/", cases.InvolvementRemoveView.as_view(),
         name="api-involvement-remove"),
    path("claims/<int:pk>/", cases.ClaimDetailView.as_view(), name="api-claim-detail"),
    path("claims/<int:pk>/withdraw/", cases.ClaimWithdrawView.as_view(),
         name="api-claim-withdraw"),
    path("claims/<int:pk>/history/", cases.ClaimHistoryView.as_view(), name="api-claim-history"),
    path("claims/<int:pk>/revert/", cases.ClaimRevertView.as_view(), name="api-claim-revert"),
    path("persons/", cases.PersonListView.as_view(), name="api-person-list"),
    path("persons/search/", cases.PersonSearchView.as_view(), name="api-person-search"),
    path("persons/<int:pk>/", cases.PersonDetailView.as_view(), name="api-person-detail"),
    path("persons/<int:pk>/identity/", cases.PersonIdentityView.as_view(),
         name="api-person-identity"),
    path("sources/", cases.SourceListView.as_view(), name="api-source-list"),
    path("sources/<int:pk>/", cases.SourceDetailView.as_view(), name="api-source-detail"),
    path("actors/", cases.ActorListView.as_view(), name="api-actor-list"),
    path("vocabularies/<str:name>/", cases.VocabularyView.as_view(), name="api-vocabulary"),
    path("audit/", admin.AuditListView.as_view(), name="api-audit-list"),
    path("audit/verify/", admin.AuditVerifyView.as_view(), name="api-audit-verify"),
    path("keys/", admin.KeyStatusView.as_view(), name="api-key-status"),
    path("keys/<str:action>/", admin.KeyActionView.as_view(), name="api-key-action"),
    path("", include("temoin.api.evidence.urls")),
    path("", include("temoin.api.intake.urls")),
    path("", include("temoin.api.linkage.urls")),
    path("", include("temoin.api.estimation.urls")),
]
