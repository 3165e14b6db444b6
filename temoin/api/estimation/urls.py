"""API routes of the estimation domain (mounted at /api/)."""

from django.urls import path

from temoin.api.estimation import views

urlpatterns = [
    path("estimation/runs/", views.RunListView.as_view(), name="estimation-runs"),
    path("estimation/runs/<int:pk>/", views.RunDetailView.as_view(), name="estimation-run"),
    path("estimation/runs/<int:pk>/plot.png", views.RunPlotView.as_view(),
         name="estimation-plot"),
]
