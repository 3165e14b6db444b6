"""URL map: the REST API under /api/, the admin, and the small server-rendered page set."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("temoin.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("temoin.web.urls")),
]
