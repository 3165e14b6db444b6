"""URL map: the REST API under /api/, the admin, and the small server-rendered page set."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("api/", include("temoin.api.urls")),
    # Password-only sign-in would bypass TOTP: the admin signs in through the web page.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("temoin.web.urls")),
]
