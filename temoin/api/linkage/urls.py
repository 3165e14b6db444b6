"""API routes of the linkage domain (mounted at /api/)."""

from django.urls import path

from temoin.api.linkage import views

urlpatterns = [
    path("linkage/runs/", views.RunListView.as_view(), name="linkage-runs"),
    path("linkage/runs/<int:pk>/", views.RunDetailView.as_view(), name="linkage-run"),
    path("linkage/runs/<int:pk>/results/", views.RunResultsView.as_view(),
         name="linkage-results"),
    path("linkage/runs/<int:pk>/capture-histories/", views.CaptureHistoriesView.as_view(),
         name="linkage-capture-histories"),
    path("linkage/runs/<int:pk>/queue/", views.ReviewQueueView.as_view(), name="linkage-queue"),
    path("linkage/runs/<int:pk>/estimation/", views.RunEstimationView.as_view(),
         name="linkage-estimation"),
    path("linkage/pairs/<int:pk>/", views.PairDetailView.as_view(), name="linkage-pair"),
    path("linkage/pairs/<int:pk>/decisions/", views.PairDecisionView.as_view(),
         name="linkage-decide"),
    path("linkage/pairs/<int:pk>/identities/", views.PairIdentitiesView.as_view(),
         name="linkage-identities"),
    path("linkage/decisions/<int:pk>/undo/", views.DecisionUndoView.as_view(),
         name="linkage-undo"),
]
