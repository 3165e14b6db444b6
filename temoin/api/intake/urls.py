"""API routes of the intake domain (mounted at /api/): imports and OpenRosa."""

from django.urls import path

from temoin.api.intake import openrosa, views

urlpatterns = [
    path("imports/", views.BatchListView.as_view(), name="import-batches"),
    path("imports/<int:pk>/", views.BatchDetailView.as_view(), name="import-batch"),
    path("imports/<int:pk>/changes/", views.BatchChangesView.as_view(), name="import-changes"),
    path("imports/quarantine/", views.QuarantineListView.as_view(), name="import-quarantine"),
    path("imports/quarantine/<int:pk>/", views.QuarantineDetailView.as_view(),
         name="import-quarantined-row"),
    path("imports/quarantine/<int:pk>/retry/", views.QuarantineRetryView.as_view(),
         name="import-quarantine-retry"),
    path("imports/odk/key/", views.OdkKeyView.as_view(), name="import-odk-key"),
    path("imports/odk/pending/", views.OdkPendingView.as_view(), name="import-odk-pending"),
    path("imports/odk/device-password/", openrosa.DevicePasswordView.as_view(),
         name="import-odk-device-password"),
    path("openrosa/formList", openrosa.form_list, name="openrosa-form-list"),
    path("openrosa/forms/<str:form_id>/form.xml", openrosa.form_xml, name="openrosa-form"),
    path("openrosa/forms/<str:form_id>/manifest", openrosa.form_manifest,
         name="openrosa-manifest"),
    path("openrosa/submission", openrosa.submission, name="openrosa-submission"),
]
